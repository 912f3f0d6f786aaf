package io.drover.chaos.bench;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.chaos.ChaosRunner;
import io.drover.chaos.LocalNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bench/restart-latency}: Drover's restart next to the app's own start, in one run, for a
 * small Python HTTP app ({@code examples/hello-python}) and for {@code examples/hello} (a JDK
 * single-file app).
 *
 * <ul>
 *   <li><b>app start</b>: the bench spawns the app itself on a free port and times spawn → first
 *       200 answer from that process (polling every ~1 ms). As a reference it also does so through
 *       {@code setsid}, in a session of its own, as Drover starts every instance: on a kernel with
 *       autogroup scheduling ({@code /proc/sys/kernel/sched_autogroup_enabled}) a new session is a
 *       new scheduling group, which on a busy machine starts measurably slower.
 *   <li><b>drover restart</b>: a real node runs each app as a two-instance site; the bench SIGKILLs
 *       an instance's pid (as the API reports it) and times kill → first 200 answer on its port
 *       from a <em>new</em> pid (every answer names its pid in {@code X-Pid}, so a leftover or
 *       foreign answer does not count), then checks that the node reports that pid.
 *   <li><b>kill → ready</b>: kill → the node's {@code sinceMillis} of the replacement's {@code
 *       ready} state (includes the readiness probing; for information).
 * </ul>
 *
 * Each kill hits an instance that has been ready longer than the site's {@code resetAfter}, so it
 * is a first failure after a stable run. Measurements of the two kinds alternate, so both see the
 * same machine load. The last line is the Python app's two medians and their ratio.
 */
public final class RestartLatency {

  /** The site's {@code resetAfter}; a victim must have been ready longer than this. */
  private static final Duration RESET_AFTER = Duration.ofSeconds(1);

  private static final Duration ANSWER_WITHIN = Duration.ofSeconds(60);

  private static final DateTimeFormatter LOG_TIME = DateTimeFormatter.ofPattern("HH:mm:ss.SSS");

  private record App(String name, String site, Path dir, List<String> command) {}

  private record Samples(
      List<Double> start,
      List<Double> startSetsid,
      List<Double> spawned,
      List<Double> restart,
      List<Double> ready) {
    Samples() {
      this(
          new ArrayList<>(),
          new ArrayList<>(),
          new ArrayList<>(),
          new ArrayList<>(),
          new ArrayList<>());
    }
  }

  private RestartLatency() {}

  public static void main(String[] args) throws Exception {
    int runs = 20;
    boolean pythonOnly = false;
    int warmup = 3;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--runs") && i + 1 < args.length) {
        runs = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--python-only")) {
        pythonOnly = true;
      } else if (args[i].equals("--warmup") && i + 1 < args.length) {
        warmup = Integer.parseInt(args[++i]);
      } else {
        System.err.println(
            "usage: bench/restart-latency [--runs N] [--warmup K] [--python-only]"
                + "   (N >= 1, default 20; K >= 0 unmeasured kills per app first, default 3)");
        System.exit(2);
      }
    }
    if (runs < 1 || warmup < 0) {
      System.err.println("--runs must be at least 1, --warmup at least 0");
      System.exit(2);
    }
    List<App> known =
        List.of(
            new App(
                "python",
                "bench-python",
                LocalNode.examples().resolve("hello-python"),
                List.of(python(), "app.py")),
            new App(
                "hello",
                "bench-hello",
                LocalNode.examples().resolve("hello"),
                List.of("java", "-Xmx32m", "-XX:TieredStopAtLevel=1", "Hello.java")));
    List<App> apps = pythonOnly ? known.subList(0, 1) : known;
    Path dir = Files.createTempDirectory("drover-bench-");
    LocalNode node = new LocalNode(dir.resolve("data"));
    Runtime.getRuntime().addShutdownHook(new Thread(() -> stopQuietly(node)));
    boolean done = false;
    try {
      node.start("--no-example");
      for (App app : apps) {
        createSite(node, app, node.uploadRevision(app.dir(), dir));
      }
      System.out.printf(
          "restart-latency: real node (pid %d); sites %s, 2 instances each, health http /healthz"
              + " (default interval 5s), default backoff, resetAfter %s; %d runs per app after"
              + " %d unmeasured; commands %s%n",
          node.pid(),
          apps.stream().map(App::site).toList(),
          RESET_AFTER,
          runs,
          warmup,
          apps.stream().map(App::command).toList());
      List<Samples> all = new ArrayList<>();
      for (int a = 0; a < apps.size(); a++) {
        all.add(new Samples());
      }
      // A node runs for days; the first restarts of a fresh node JVM pay for JIT compilation of
      // the restart path. Measured runs come after a few unmeasured ones.
      for (int run = 0; run < warmup; run++) {
        for (App app : apps) {
          appStart(app, false);
          killOne(node, app, run % 2);
        }
      }
      for (int run = 0; run < runs; run++) {
        for (int a = 0; a < apps.size(); a++) {
          App app = apps.get(a);
          Samples s = all.get(a);
          double start = appStart(app, false);
          s.start().add(start);
          double startSetsid = appStart(app, true);
          s.startSetsid().add(startSetsid);
          Kill k = killOne(node, app, run % 2);
          s.spawned().add(k.spawnedMs());
          s.restart().add(k.answerMs());
          s.ready().add(k.readyMs());
          System.out.printf(
              Locale.ROOT,
              "  %-6s run %2d: app start %5.0f ms (setsid %5.0f ms) | %s kill %s pid %d -> pid %d"
                  + " spawned %3.0f ms, answering %5.0f ms, ready %5.0f ms; node cpu %d ms%n",
              app.name(),
              run + 1,
              start,
              startSetsid,
              k.at(),
              k.instance(),
              k.oldPid(),
              k.newPid(),
              k.spawnedMs(),
              k.answerMs(),
              k.readyMs(),
              k.nodeCpuMs());
        }
      }
      for (int a = 0; a < apps.size(); a++) {
        App app = apps.get(a);
        Samples s = all.get(a);
        System.out.println(summary(app.name(), "app start (spawn -> answering)   ", s.start()));
        System.out.println(
            summary(app.name(), "app start via setsid (reference) ", s.startSetsid()));
        System.out.println(summary(app.name(), "kill -> replacement spawned (log)", s.spawned()));
        System.out.println(summary(app.name(), "drover restart (kill -> answering)", s.restart()));
        System.out.println(summary(app.name(), "kill -> drover reports ready      ", s.ready()));
      }
      Samples py = all.get(0);
      double restartP50 = median(py.restart());
      double startP50 = median(py.start());
      double budget = 1.3 * startP50 + 10;
      System.out.printf(
          Locale.ROOT,
          "python target: restart p50 %.0f ms <= 1.3 x %.0f + 10 = %.0f ms: %s%n",
          restartP50,
          startP50,
          budget,
          restartP50 <= budget ? "met" : "MISSED");
      System.out.printf(
          Locale.ROOT,
          "python: drover restart p50 %.0f ms, app start p50 %.0f ms, ratio %.2f (target <= 1.3x"
              + " + 10 ms)%n",
          restartP50,
          startP50,
          restartP50 / startP50);
      done = true;
    } finally {
      stopQuietly(node);
      if (done) {
        deleteQuietly(dir);
      } else {
        System.err.println("restart-latency: kept " + dir + " (node log, data) for inspection");
      }
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("restart-latency: could not delete " + dir + ": " + e);
    }
  }

  /**
   * The Python interpreter itself: {@code python3} on the PATH may be a wrapper (a pyenv shim is a
   * shell script that costs ~100 ms per start), which would measure the wrapper, not the app.
   */
  private static String python() throws Exception {
    Process p =
        new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0 || out.isEmpty()) {
      throw new IllegalStateException("python3 did not say where it lives: " + out);
    }
    return out;
  }

  private static void createSite(LocalNode node, App app, String rev) throws Exception {
    StringBuilder command = new StringBuilder();
    for (String part : app.command()) {
      command.append(command.length() == 0 ? "" : ",").append('"').append(part).append('"');
    }
    String spec =
        "{\"revision\":\""
            + rev
            + "\",\"command\":["
            + command
            + "],\"instances\":2,\"health\":{\"http\":\"/healthz\"},"
            + "\"restart\":{\"resetAfter\":\""
            + RESET_AFTER.toMillis()
            + "ms\"}}";
    HttpResponse<String> put =
        node.send("PUT", "/sites/" + app.site(), HttpRequest.BodyPublishers.ofString(spec));
    if (put.statusCode() != 201) {
      throw new IllegalStateException("creating site " + app.site() + " failed: " + put.body());
    }
  }

  /**
   * Spawns the app directly on a free port, in the bench's session or (as a reference) in a new one
   * through {@code setsid} as Drover starts instances; ms from spawn to its first 200 answer.
   */
  private static double appStart(App app, boolean viaSetsid) throws Exception {
    int port = LocalNode.freePort();
    List<String> command = new ArrayList<>();
    if (viaSetsid) {
      command.add("setsid");
    }
    command.addAll(app.command());
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(app.dir().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("PORT", Integer.toString(port));
    long t0 = System.nanoTime();
    Process p = pb.start();
    try {
      long pid = p.pid();
      AppAnswer.Seen seen = AppAnswer.await(port, answered -> answered == pid, ANSWER_WITHIN);
      return (seen.nanos() - t0) / 1e6;
    } finally {
      p.destroyForcibly();
      if (!p.waitFor(10, TimeUnit.SECONDS)) {
        throw new IllegalStateException("directly started " + app.name() + " did not exit");
      }
    }
  }

  /**
   * One kill: when ({@code at}, the node log's clock), the instance, its old and new pid, and ms
   * from the kill until the node logged the replacement's spawn, until it answered, and until the
   * node reported it ready.
   */
  private record Kill(
      String at,
      String instance,
      long oldPid,
      long newPid,
      double spawnedMs,
      double answerMs,
      double readyMs,
      long nodeCpuMs) {}

  /** SIGKILLs instance {@code index} of the app's site and times its replacement. */
  private static Kill killOne(LocalNode node, App app, int index) throws Exception {
    JsonNode victim = awaitVictim(node, app.site(), index);
    String id = victim.get("id").asText();
    long pid = victim.get("pid").asLong();
    int port = victim.get("port").asInt();
    ProcessHandle handle =
        ProcessHandle.of(pid)
            .orElseThrow(() -> new IllegalStateException("instance pid " + pid + " is gone"));
    long cpu0 = cpuMillis(node.pid());
    long wall0 = System.currentTimeMillis();
    long t0 = System.nanoTime();
    handle.destroyForcibly();
    AppAnswer.Seen seen = AppAnswer.await(port, answered -> answered != pid, ANSWER_WITHIN);
    long nodeCpu = cpuMillis(node.pid()) - cpu0;
    double answerMs = (seen.nanos() - t0) / 1e6;
    JsonNode ready = awaitReady(node, app.site(), id, seen.pid());
    double readyMs = ready.get("sinceMillis").asLong() - wall0;
    LocalTime killedAt = LocalTime.ofInstant(Instant.ofEpochMilli(wall0), ZoneId.systemDefault());
    double spawnedMs = spawnedAfter(node.readLog(), seen.pid(), killedAt);
    return new Kill(
        LOG_TIME.format(killedAt), id, pid, seen.pid(), spawnedMs, answerMs, readyMs, nodeCpu);
  }

  /** CPU time (user + system) the process has used so far, from /proc; -1 if unknown. */
  private static long cpuMillis(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // fields 14 and 15 of stat (utime, stime) are 11 and 12 after the state field; 100 Hz
      return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10;
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Ms from {@code killedAt} to the node's log line "started pid {@code pid}" (logged right after
   * the spawn), both on the node log's {@code HH:mm:ss.SSS} local clock; NaN if not found.
   */
  private static double spawnedAfter(String log, long pid, LocalTime killedAt) {
    String needle = ": started pid " + pid + " ";
    for (String line : log.split("\n")) {
      if (line.contains(needle) && line.length() > 12) {
        try {
          LocalTime t = LocalTime.parse(line.substring(0, 12), LOG_TIME);
          long ms = Duration.between(killedAt, t).toMillis();
          return ms < -43_200_000 ? ms + 86_400_000 : ms;
        } catch (DateTimeParseException e) {
          return Double.NaN;
        }
      }
    }
    return Double.NaN;
  }

  /** The instance with this index once it has been ready long enough for its backoff to reset. */
  private static JsonNode awaitVictim(LocalNode node, String site, int index) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    long wanted = RESET_AFTER.toMillis() + 500;
    while (System.nanoTime() < deadline) {
      JsonNode all = node.json("/sites/" + site + "/instances");
      if (all.size() == 2) {
        JsonNode i = all.get(index);
        long readyFor = System.currentTimeMillis() - i.get("sinceMillis").asLong();
        if ("ready".equals(i.get("state").asText()) && readyFor > wanted) {
          return i;
        }
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
    throw new IllegalStateException(
        "instance " + index + " of " + site + " was not ready for " + wanted + " ms within 120s");
  }

  /** The instance once the node reports it ready with the pid that answered. */
  private static JsonNode awaitReady(LocalNode node, String site, String id, long pid)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      for (JsonNode i : node.json("/sites/" + site + "/instances")) {
        if (i.get("id").asText().equals(id)) {
          last = i;
          if (i.get("pid").asLong() == pid && "ready".equals(i.get("state").asText())) {
            return i;
          }
        }
      }
      TimeUnit.MILLISECONDS.sleep(20);
    }
    throw new IllegalStateException(
        "pid "
            + pid
            + " answered on the port of "
            + id
            + " but the node did not report it ready within 60s; last seen: "
            + last);
  }

  private static double median(List<Double> samples) {
    List<Double> sorted = new ArrayList<>(samples);
    Collections.sort(sorted);
    return ChaosRunner.percentile(sorted, 50);
  }

  private static String summary(String app, String what, List<Double> samples) {
    List<Double> sorted = new ArrayList<>(samples);
    sorted.removeIf(d -> d.isNaN());
    if (sorted.isEmpty()) {
      return app + " " + what + " n=0";
    }
    Collections.sort(sorted);
    return String.format(
        Locale.ROOT,
        "%-6s %s n=%d min=%.0f ms median=%.0f ms p99=%.0f ms max=%.0f ms",
        app,
        what,
        sorted.size(),
        sorted.get(0),
        ChaosRunner.percentile(sorted, 50),
        ChaosRunner.percentile(sorted, 99),
        sorted.get(sorted.size() - 1));
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
