package io.drover.chaos.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.chaos.ChaosCluster;
import io.drover.chaos.ChaosMain;
import io.drover.chaos.ChaosRunner;
import io.drover.chaos.History;
import io.drover.chaos.Invariants;
import io.drover.chaos.LocalNode;
import io.drover.chaos.Observation;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/failover}: three real nodes on PostgreSQL, grace 5 s, the site {@code s1} running
 * examples/hello twice. N times: SIGKILL the host (node JVM and its instances) of one of its
 * instances, measure kill → two ready instances on distinct live hosts (checked in /proc), each
 * answering HTTP on its port; then start the killed node again and let the cluster settle. Prints
 * min / median / p95 / max against the target p95 ≤ 12 s. Real processes; nothing is simulated.
 */
public final class FailoverBench {

  private static final double TARGET_P95_MS = 12_000;

  private FailoverBench() {}

  public static void main(String[] args) throws Exception {
    int kills = 10;
    Duration downAfter = Duration.ofSeconds(2);
    long seed = 1;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--kills") && i + 1 < args.length) {
        kills = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--down-after") && i + 1 < args.length) {
        downAfter = ChaosMain.duration(args[++i]);
      } else if (args[i].equals("--seed") && i + 1 < args.length) {
        seed = Long.parseLong(args[++i]);
      } else {
        System.err.println(
            "usage: bench/failover [--kills N] [--down-after D] [--seed S]  (N >= 1, default 10)");
        System.exit(2);
      }
    }
    if (kills < 1) {
      System.err.println("--kills must be at least 1");
      System.exit(2);
    }
    Path work = Files.createTempDirectory("drover-failover-");
    History history = new History(null);
    ChaosCluster.Config config =
        new ChaosCluster.Config(
            3, 1, Duration.ofSeconds(5), downAfter, ChaosCluster.App.HELLO, work);
    System.out.printf(
        "failover: 3 real nodes, grace 5s, down-after %ds, site s1 = examples/hello x2, %d host"
            + " kills (node JVM + its instances, SIGKILL); logs under %s%n",
        downAfter.toSeconds(), kills, work);
    ChaosCluster cluster = ChaosCluster.start(config, history);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
    List<Double> samples = new ArrayList<>();
    Random random = new Random(seed);
    try {
      for (int run = 0; run < kills; run++) {
        JsonNode instances = cluster.apiGet("/sites/s1/instances");
        List<String> hosts = new ArrayList<>();
        instances.forEach(i -> hosts.add(i.path("host").asText()));
        Collections.sort(hosts);
        // A seeded random host of the site: sometimes the one that also holds the site's entity
        // (and the coordinator), whose failover waits for the downing; a fixed rotation settled
        // into never killing that host.
        String victimHost = hosts.get(random.nextInt(hosts.size()));
        int victim = cluster.indexOf(victimHost);
        long t0 = System.nanoTime();
        cluster.kill(victim);
        awaitFailover(cluster, Duration.ofSeconds(90));
        double ms = (System.nanoTime() - t0) / 1e6;
        samples.add(ms);
        System.out.printf(Locale.ROOT, "  kill %2d: %s -> %.0f ms%n", run + 1, victimHost, ms);
        cluster.restart(victim);
        cluster.awaitMembersUp(Duration.ofSeconds(90));
        cluster.awaitTwice(Duration.ofSeconds(90), "settled after restart");
        TimeUnit.SECONDS.sleep(3);
      }
    } finally {
      cluster.close();
    }
    Collections.sort(samples);
    double p95 = ChaosRunner.percentile(samples, 95);
    System.out.printf(
        Locale.ROOT,
        "kill -> replacement ready and answering: n=%d min=%.0f ms median=%.0f ms p95=%.0f ms"
            + " max=%.0f ms%n",
        samples.size(),
        samples.get(0),
        ChaosRunner.percentile(samples, 50),
        p95,
        samples.get(samples.size() - 1));
    System.out.printf(
        Locale.ROOT,
        "target p95 <= %.0f ms: %s%n",
        TARGET_P95_MS,
        p95 <= TARGET_P95_MS ? "met" : "NOT met");
  }

  /** Two ready instances on distinct live hosts, real processes, each answering GET / with 200. */
  private static void awaitFailover(ChaosCluster cluster, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      Observation o = cluster.observe();
      if (Invariants.twice(o).isEmpty() && !o.sites().isEmpty()) {
        JsonNode instances = cluster.apiGet("/sites/s1/instances");
        int answering = 0;
        if (instances != null) {
          for (JsonNode i : instances) {
            if ("ready".equals(i.path("state").asText())
                && o.hostsUp().contains(i.path("host").asText())
                && LocalNode.appAnswers(i.path("port").asInt())) {
              answering++;
            }
          }
        }
        if (answering >= 2) {
          return;
        }
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new IllegalStateException("no failover within " + within);
  }
}
