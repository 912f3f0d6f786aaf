package io.drover.chaos.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.chaos.ChaosRunner;
import io.drover.chaos.LocalNode;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/restart-latency}: starts a real node, runs a two-instance site of the example app,
 * SIGKILLs an instance N times and prints min / median / p99 of kill → replacement accepting
 * connections and answering HTTP on the instance's port. Real processes, real node; nothing is
 * simulated.
 */
public final class RestartLatency {

  private RestartLatency() {}

  public static void main(String[] args) throws Exception {
    int runs = 20;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--runs") && i + 1 < args.length) {
        runs = Integer.parseInt(args[++i]);
      } else {
        System.err.println("usage: bench/restart-latency [--runs N]   (N >= 1, default 20)");
        System.exit(2);
      }
    }
    if (runs < 1) {
      System.err.println("--runs must be at least 1");
      System.exit(2);
    }
    Path dir = Files.createTempDirectory("drover-bench-");
    LocalNode node = new LocalNode(dir.resolve("data"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(node)));
    try {
      node.start("--no-example");
      String rev = node.uploadRevision(LocalNode.examples().resolve("hello"), dir);
      String spec =
          "{\"revision\":\""
              + rev
              + "\",\"command\":[\"java\",\"-Xmx32m\",\"-XX:TieredStopAtLevel=1\",\"Hello.java\"],"
              + "\"instances\":2,\"health\":{\"http\":\"/healthz\"},"
              + "\"restart\":{\"resetAfter\":\"2s\"}}";
      HttpResponse<String> put =
          node.send("PUT", "/sites/bench", HttpRequest.BodyPublishers.ofString(spec));
      if (put.statusCode() != 201) {
        throw new IllegalStateException("creating the site failed: " + put.body());
      }
      System.out.printf(
          "restart-latency: real node (pid %d), site 'bench' = examples/hello x2 (JDK source"
              + " launch), default backoff 500ms, resetAfter 2s, %d kills%n",
          node.pid(), runs);
      List<Double> samples = new ArrayList<>();
      for (int run = 0; run < runs; run++) {
        JsonNode victim = awaitVictim(node, run % 2);
        long pid = victim.get("pid").asLong();
        int port = victim.get("port").asInt();
        ProcessHandle handle = ProcessHandle.of(pid).orElseThrow();
        long t0 = System.nanoTime();
        handle.destroyForcibly();
        handle.onExit().get(10, TimeUnit.SECONDS);
        awaitAnswer(port, Duration.ofSeconds(60));
        double ms = (System.nanoTime() - t0) / 1e6;
        samples.add(ms);
        System.out.printf(
            Locale.ROOT,
            "  kill %2d: %s pid %d -> %.0f ms%n",
            run + 1,
            victim.get("id").asText(),
            pid,
            ms);
      }
      Collections.sort(samples);
      System.out.printf(
          Locale.ROOT,
          "kill -> replacement answering: n=%d min=%.0f ms median=%.0f ms p99=%.0f ms max=%.0f"
              + " ms%n",
          samples.size(),
          samples.get(0),
          ChaosRunner.percentile(samples, 50),
          ChaosRunner.percentile(samples, 99),
          samples.get(samples.size() - 1));
    } finally {
      stopQuietly(node);
    }
  }

  /** The instance with this index once it has been ready long enough for its backoff to reset. */
  private static JsonNode awaitVictim(LocalNode node, int index) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      JsonNode all = node.json("/sites/bench/instances");
      if (all.size() == 2) {
        JsonNode i = all.get(index);
        long readyFor = System.currentTimeMillis() - i.get("sinceMillis").asLong();
        if ("ready".equals(i.get("state").asText()) && readyFor > 2500) {
          return i;
        }
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    throw new IllegalStateException("instance " + index + " did not become ready in 120s");
  }

  private static void awaitAnswer(int port, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      if (LocalNode.appAnswers(port)) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
    throw new IllegalStateException("port " + port + " did not answer within " + within);
  }

  private static void stopQuietly(LocalNode node) {
    try {
      if (node.isAlive()) {
        node.terminate(Duration.ofSeconds(30));
      }
    } catch (Exception e) {
      try {
        node.kill();
      } catch (InterruptedException ignored) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
