package io.drover.chaos.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.chaos.LocalNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * {@code bench/deploy-makespan}: the makespan of one deploy across a fleet of SIMULATED hosts, next
 * to its lower bound.
 *
 * <p>One real node (LevelDB journal, free loopback ports, {@code -Xmx1g}) runs {@code --hosts}
 * simulated hosts ({@code drover.simulated}) in 4 pools {@code sim-0 .. sim-3}, whose instances
 * take {@code --start} to become ready. The bench uploads two tiny revisions, creates one site per
 * pool with one instance per host (on the first revision), waits until all are ready, then starts
 * one deploy of the 4 sites to the second revision ({@code parallel} = {@code perPool} = {@code
 * --parallel}, no canary) and polls it until it ends. Makespan: from the deploy's 201 to the poll
 * that sees {@code succeeded}. Lower bound: {@code ceil(hosts / parallel) x start} (each host's
 * step is at least one start). Also printed: the node process's CPU seconds (utime + stime from
 * {@code /proc/<pid>/stat}) during the deploy. The last line is {@code makespan/lower-bound: X}.
 */
public final class DeployMakespan {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int POOLS = 4;
  private static final Duration POLL = Duration.ofMillis(100);

  private DeployMakespan() {}

  /**
   * The bench's knobs, bounded.
   *
   * @param hosts simulated hosts, a multiple of 4 in 8 .. 5000
   * @param parallel hosts deployed at once, 1 .. 1000
   * @param start how long a simulated instance takes to become ready, 100ms .. 10m
   */
  record Args(int hosts, int parallel, Duration start) {

    static final String USAGE =
        "usage: bench/deploy-makespan [--hosts N] [--parallel P] [--start DURATION]\n"
            + "  N: simulated hosts, a multiple of 4 from 8 to 5000 (default 800)\n"
            + "  P: hosts deployed at once, 1 to 1000 (default 50)\n"
            + "  DURATION: simulated instance start time, e.g. 2s or 500ms, 100ms to 10m"
            + " (default 2s)";

    /**
     * @throws IllegalArgumentException with what is wrong
     */
    static Args parse(String... argv) {
      int hosts = 800;
      int parallel = 50;
      Duration start = Duration.ofSeconds(2);
      for (int i = 0; i < argv.length; i++) {
        String flag = argv[i];
        if (i + 1 >= argv.length) {
          throw new IllegalArgumentException("unknown or incomplete flag " + flag);
        }
        String value = argv[++i];
        switch (flag) {
          case "--hosts" -> hosts = integer(flag, value);
          case "--parallel" -> parallel = integer(flag, value);
          case "--start" -> start = duration(flag, value);
          default -> throw new IllegalArgumentException("unknown flag " + flag);
        }
      }
      if (hosts < 8 || hosts > 5000 || hosts % POOLS != 0) {
        throw new IllegalArgumentException(
            "--hosts must be a multiple of 4 from 8 to 5000, got " + hosts);
      }
      if (parallel < 1 || parallel > 1000) {
        throw new IllegalArgumentException("--parallel must be from 1 to 1000, got " + parallel);
      }
      if (start.compareTo(Duration.ofMillis(100)) < 0
          || start.compareTo(Duration.ofMinutes(10)) > 0) {
        throw new IllegalArgumentException("--start must be from 100ms to 10m, got " + start);
      }
      return new Args(hosts, parallel, start);
    }

    private static int integer(String flag, String value) {
      try {
        return Integer.parseInt(value);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(flag + " takes a whole number, got '" + value + "'");
      }
    }

    private static Duration duration(String flag, String value) {
      java.util.regex.Matcher m =
          java.util.regex.Pattern.compile("([0-9]{1,7})(ms|s|m)").matcher(value);
      if (!m.matches()) {
        throw new IllegalArgumentException(
            flag + " takes a duration like 2s, 500ms or 1m, got '" + value + "'");
      }
      long n = Long.parseLong(m.group(1));
      return switch (m.group(2)) {
        case "ms" -> Duration.ofMillis(n);
        case "s" -> Duration.ofSeconds(n);
        default -> Duration.ofMinutes(n);
      };
    }

    /** {@code ceil(hosts / parallel) x start}. */
    Duration lowerBound() {
      long batches = (hosts + (long) parallel - 1) / parallel;
      return start.multipliedBy(batches);
    }
  }

  public static void main(String[] argv) throws Exception {
    Args args;
    try {
      args = Args.parse(argv);
    } catch (IllegalArgumentException e) {
      System.err.println("deploy-makespan: " + e.getMessage());
      System.err.println(Args.USAGE);
      System.exit(2);
      return;
    }
    System.exit(run(args));
  }

  private static int run(Args a) throws Exception {
    Path dir = Files.createTempDirectory("drover-makespan-");
    LocalNode node =
        new LocalNode(dir.resolve("data"), "bench")
            .withJvmArgs(
                "-Xmx1g",
                "-Ddrover.simulated.hosts=" + a.hosts(),
                "-Ddrover.simulated.pools=" + POOLS,
                "-Ddrover.simulated.start-time=" + a.start().toMillis() + "ms");
    Thread hook = new Thread(() -> killQuietly(node));
    Runtime.getRuntime().addShutdownHook(hook);
    boolean keep = true;
    try {
      long t0 = System.nanoTime();
      node.start("--no-example");
      System.out.printf(
          "deploy-makespan: hosts are SIMULATED (drover.io/driver=simulated): one real node, pid"
              + " %d, LevelDB, -Xmx1g, log %s%n",
          node.pid(), node.log);
      awaitSimulatedHosts(node, a.hosts());
      Path work = Files.createDirectories(dir.resolve("work"));
      String r1 = upload(node, work, "one");
      String r2 = upload(node, work, "two");
      int perSite = a.hosts() / POOLS;
      List<String> sites = new ArrayList<>();
      for (int p = 0; p < POOLS; p++) {
        String site = "makespan-" + p;
        createSite(node, site, "sim-" + p, perSite, r1);
        sites.add(site);
      }
      long setupStart = System.nanoTime();
      awaitReady(node, sites, perSite, r1, Duration.ofMinutes(10));
      System.out.printf(
          Locale.ROOT,
          "setup: %d simulated hosts, %d sites x %d instances (one per host) ready on revision %s"
              + " in %.1f s (node up %.1f s before)%n",
          a.hosts(),
          POOLS,
          perSite,
          r1.substring(0, 12),
          seconds(System.nanoTime() - setupStart),
          seconds(setupStart - t0));

      double cpuBefore = cpuSeconds(node.pid());
      String body =
          "{\"sites\":"
              + JSON.writeValueAsString(sites)
              + ",\"revision\":\""
              + r2
              + "\",\"parallel\":"
              + a.parallel()
              + ",\"perPool\":"
              + a.parallel()
              + ",\"canary\":{\"perPool\":0},\"reason\":\"bench/deploy-makespan\"}";
      HttpResponse<String> created =
          node.send("POST", "/deploys", HttpRequest.BodyPublishers.ofString(body));
      long deployStart = System.nanoTime();
      if (created.statusCode() != 201) {
        System.err.printf(
            "deploy-makespan: POST /api/v1/deploys answered %d: %s%n",
            created.statusCode(), created.body());
        return 1;
      }
      String id = JSON.readTree(created.body()).get("id").asText();
      Duration limit = Duration.ofMinutes(10).plus(a.lowerBound().multipliedBy(20));
      JsonNode last = null;
      String state = "";
      while (System.nanoTime() - deployStart < limit.toNanos()) {
        HttpResponse<String> r = node.get("/deploys/" + id);
        if (r.statusCode() == 200) {
          last = JSON.readTree(r.body());
          state = last.path("state").asText();
          if (!state.equals("queued") && !state.equals("running") && !state.equals("paused")) {
            break;
          }
        }
        TimeUnit.MILLISECONDS.sleep(POLL.toMillis());
      }
      long deployEnd = System.nanoTime();
      double cpuAfter = cpuSeconds(node.pid());
      if (!state.equals("succeeded")) {
        System.err.printf(
            "deploy-makespan: deploy %s ended %s (after %.1f s): %s%n",
            id,
            state.isEmpty() ? "not at all within " + limit : state,
            seconds(deployEnd - deployStart),
            last);
        return 1;
      }
      awaitReady(node, sites, perSite, r2, Duration.ofMinutes(1));
      double makespan = seconds(deployEnd - deployStart);
      double lower = a.lowerBound().toMillis() / 1000.0;
      System.out.printf(
          Locale.ROOT,
          "deploy %s: succeeded; %d SIMULATED hosts in %d pools, one instance per host, parallel"
              + " %d, perPool %d, no canary%n",
          id,
          a.hosts(),
          POOLS,
          a.parallel(),
          a.parallel());
      System.out.printf(
          Locale.ROOT,
          "simulated start time: %.3f s (stop time 50 ms)%n",
          a.start().toMillis() / 1000.0);
      System.out.printf(
          Locale.ROOT,
          "makespan: %.2f s (201 -> state succeeded, polled every %d ms)%n",
          makespan,
          POLL.toMillis());
      System.out.printf(
          Locale.ROOT,
          "lower bound: ceil(%d / %d) x %.3f s = %.2f s%n",
          a.hosts(),
          a.parallel(),
          a.start().toMillis() / 1000.0,
          lower);
      System.out.printf(
          Locale.ROOT,
          "control-plane CPU (node process utime+stime, simulated hosts included): %.2f s during"
              + " the deploy (%.2f cores on average), %.2f s since the node started%n",
          cpuAfter - cpuBefore,
          (cpuAfter - cpuBefore) / makespan,
          cpuAfter);
      System.out.printf(Locale.ROOT, "makespan/lower-bound: %.2f%n", makespan / lower);
      keep = false;
      return 0;
    } finally {
      killQuietly(node);
      try {
        Runtime.getRuntime().removeShutdownHook(hook);
      } catch (IllegalStateException shuttingDown) {
        // the hook runs anyway
      }
      if (keep) {
        System.err.println("deploy-makespan: kept " + dir + " (node log, data) for inspection");
      } else {
        deleteQuietly(dir);
      }
    }
  }

  private static void awaitSimulatedHosts(LocalNode node, int hosts) throws InterruptedException {
    LocalNode.await(
        Duration.ofMinutes(5),
        hosts + " simulated hosts in GET /api/v1/hosts",
        () -> {
          int n = 0;
          for (JsonNode h : node.json("/hosts")) {
            if ("simulated".equals(h.path("labels").path("drover.io/driver").asText())
                && h.path("reachable").asBoolean()) {
              n++;
            }
          }
          return n == hosts;
        });
  }

  private static String upload(LocalNode node, Path work, String word) throws Exception {
    Path app = Files.createDirectories(work.resolve("app-" + word));
    Files.writeString(app.resolve("README"), "deploy-makespan revision " + word + "\n");
    return node.uploadRevision(app, work);
  }

  private static void createSite(
      LocalNode node, String site, String pool, int instances, String rev) throws Exception {
    String spec =
        "{\"revision\":\""
            + rev
            + "\",\"command\":[\"sleep\",\"1000\"],\"instances\":"
            + instances
            + ",\"pool\":\""
            + pool
            + "\"}";
    HttpResponse<String> put =
        node.send("PUT", "/sites/" + site, HttpRequest.BodyPublishers.ofString(spec));
    if (put.statusCode() != 201 && put.statusCode() != 200) {
      throw new IllegalStateException(
          "creating site " + site + " failed: " + put.statusCode() + " " + put.body());
    }
  }

  /** Every site has {@code n} ready instances, all on {@code rev}, on {@code n} distinct hosts. */
  private static void awaitReady(
      LocalNode node, List<String> sites, int n, String rev, Duration within)
      throws InterruptedException {
    LocalNode.await(
        within,
        sites.size() + " sites with " + n + " ready instances on " + rev.substring(0, 12),
        () -> {
          for (String site : sites) {
            int ready = 0;
            java.util.Set<String> hosts = new java.util.HashSet<>();
            for (JsonNode i : node.json("/sites/" + site + "/instances")) {
              if (i.path("state").asText().equals("ready")
                  && i.path("revision").asText().equals(rev)) {
                ready++;
                hosts.add(i.path("host").asText());
              }
            }
            if (ready < n || hosts.size() < n) {
              return false;
            }
          }
          return true;
        });
  }

  /** utime + stime of {@code pid} in seconds, from {@code /proc/<pid>/stat}. */
  static double cpuSeconds(long pid) throws IOException {
    String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
    return cpuTicks(stat) / (double) clockTicks();
  }

  /** utime + stime in clock ticks of one {@code /proc/<pid>/stat} line. */
  static long cpuTicks(String stat) {
    // the command name (field 2) is in parentheses and may hold spaces: count after the last ')'
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
    // f[0] is field 3 (state); utime is field 14, stime field 15
    return Long.parseLong(f[11]) + Long.parseLong(f[12]);
  }

  private static long clockTicks() {
    try {
      Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
      if (p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0) {
        return Long.parseLong(out);
      }
    } catch (IOException | NumberFormatException e) {
      // fall through
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 100;
  }

  private static double seconds(long nanos) {
    return nanos / 1e9;
  }

  private static void killQuietly(LocalNode node) {
    try {
      node.kill();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      System.err.println("deploy-makespan: could not kill the node: " + e);
    }
  }

  private static void deleteQuietly(Path dir) {
    try (Stream<Path> all = Files.walk(dir)) {
      for (Path p : all.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException | UncheckedIOException e) {
      System.err.println("deploy-makespan: could not delete " + dir + ": " + e);
    }
  }
}
