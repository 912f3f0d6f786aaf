package io.drover.chaos.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.chaos.ChaosCluster;
import io.drover.chaos.ChaosMain;
import io.drover.chaos.History;
import io.drover.chaos.LocalNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/false-downing}: three idle nodes (one light site) while busy-loop processes keep
 * both cores saturated; no fault is injected. Counts members the cluster removed anyway (a node
 * that exits 3 was downed: it is restarted and counted) and the times a node saw a peer
 * unreachable. Real processes; nothing is simulated.
 */
public final class FalseDowning {

  private FalseDowning() {}

  public static void main(String[] args) throws Exception {
    Duration minutes = Duration.ofMinutes(3);
    Duration downAfter = Duration.ofSeconds(2);
    int burners = 3;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--minutes") && i + 1 < args.length) {
        minutes = Duration.ofSeconds(Math.round(Double.parseDouble(args[++i]) * 60));
      } else if (args[i].equals("--down-after") && i + 1 < args.length) {
        downAfter = ChaosMain.duration(args[++i]);
      } else if (args[i].equals("--busy") && i + 1 < args.length) {
        burners = Integer.parseInt(args[++i]);
      } else {
        System.err.println(
            "usage: bench/false-downing [--minutes M] [--down-after D] [--busy N]"
                + "  (defaults 3, 2s = the node's default, 3 busy loops)");
        System.exit(2);
      }
    }
    Path work = Files.createTempDirectory("drover-false-downing-");
    ChaosCluster cluster =
        ChaosCluster.start(
            new ChaosCluster.Config(
                3, 1, Duration.ofSeconds(5), downAfter, ChaosCluster.App.LIGHT, work),
            new History(null));
    List<Process> busy = new ArrayList<>();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  busy.forEach(Process::destroyForcibly);
                  cluster.close();
                }));
    int downed = 0;
    int unreachableSeen = 0;
    try {
      for (int b = 0; b < burners; b++) {
        busy.add(new ProcessBuilder("sh", "-c", "while :; do :; done").start());
      }
      System.out.printf(
          "false-downing: 3 idle nodes, down-after %s, %d busy-loop processes on %d cores, %d s;"
              + " logs under %s%n",
          downAfter,
          burners,
          Runtime.getRuntime().availableProcessors(),
          minutes.toSeconds(),
          work);
      long end = System.nanoTime() + minutes.toNanos();
      boolean[] wasUnreachable = new boolean[cluster.size() * cluster.size()];
      while (System.nanoTime() < end) {
        for (int i = 0; i < cluster.size(); i++) {
          LocalNode n = cluster.node(i);
          if (!n.isAlive()) {
            int code = n.awaitExit(Duration.ofSeconds(1));
            downed++;
            System.out.printf(
                "  %s exited %d (downed although no fault was injected)%n", n.host, code);
            cluster.restart(i);
            continue;
          }
          try {
            for (JsonNode m : n.members()) {
              int j = indexOf(cluster, m.path("address").asText());
              if (j < 0) {
                continue;
              }
              boolean unreachable = !m.path("reachable").asBoolean(true);
              if (unreachable && !wasUnreachable[i * cluster.size() + j]) {
                unreachableSeen++;
                System.out.printf("  %s sees %s unreachable%n", n.host, cluster.host(j));
              }
              wasUnreachable[i * cluster.size() + j] = unreachable;
            }
          } catch (IOException e) {
            // a starved node answering late is the point of the exercise
          }
        }
        TimeUnit.MILLISECONDS.sleep(1000);
      }
    } finally {
      busy.forEach(Process::destroyForcibly);
      cluster.close();
    }
    System.out.printf(
        "false downings: %d in %d s with down-after %s under load (unreachable observations: %d)%n",
        downed, minutes.toSeconds(), downAfter, unreachableSeen);
  }

  private static int indexOf(ChaosCluster c, String address) {
    for (int i = 0; i < c.size(); i++) {
      if (c.node(i).memberAddress().equals(address)) {
        return i;
      }
    }
    return -1;
  }
}
