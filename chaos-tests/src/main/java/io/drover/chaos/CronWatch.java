package io.drover.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * A cronjob {@code @every 1s} on a {@link ChaosCluster} whose runs append to one {@link TickLog}
 * file, watched from outside: the file, the runs API (polled in the background, since a job keeps
 * only its newest 100 entries) and {@code GET /api/v1/singletons} for where the scheduler runs.
 * Used by {@code bench/cron-failover}, {@code ./drover chaos} and the ITs to check I3.
 */
public final class CronWatch implements AutoCloseable {

  /** The job's name. */
  public static final String JOB = "tick";

  /** Its period ({@code @every 1s}). */
  public static final Duration PERIOD = Duration.ofSeconds(1);

  /** The scheduler's name in {@code GET /api/v1/singletons}. */
  public static final String SINGLETON = "cron-scheduler";

  /** How often the runs API is read. */
  static final Duration POLL = Duration.ofSeconds(3);

  /**
   * Where the scheduler runs, as {@code GET /api/v1/singletons} says.
   *
   * @param host the member's host
   * @param address the member's address
   * @param token its fencing token (from the details), -1 when not shown
   * @param since when it started there
   */
  public record Scheduler(String host, String address, long token, String since) {}

  private final ChaosCluster cluster;
  private final Path file;
  private final Map<String, TickLog.ApiEntry> api = new LinkedHashMap<>();
  private final ScheduledExecutorService poller =
      Executors.newSingleThreadScheduledExecutor(
          r -> {
            Thread t = new Thread(r, "cron-watch");
            t.setDaemon(true);
            return t;
          });
  private volatile long polledAt;

  private CronWatch(ChaosCluster cluster, Path file) {
    this.cluster = cluster;
    this.file = file;
  }

  /**
   * Uploads the job's revision through every live node, puts the job, waits (bounded) until its
   * first line is written and starts reading the runs API.
   */
  public static CronWatch start(ChaosCluster cluster, Path workDir) throws Exception {
    Path app = Files.createDirectories(workDir.resolve("cron-app"));
    Files.writeString(app.resolve("tick.sh"), TickLog.SCRIPT);
    String revision = null;
    for (int i = 0; i < cluster.size(); i++) {
      if (cluster.isUp(i)) {
        revision = cluster.node(i).uploadRevision(app, workDir);
      }
    }
    Path file = SiteWritable.prepare(workDir.resolve("ticks.txt"));
    String body =
        "{\"schedule\":\"@every "
            + PERIOD.toSeconds()
            + "s\",\"revision\":\""
            + revision
            + "\",\"command\":[\"sh\",\"tick.sh\"],\"env\":{\"TICKS\":\""
            + file.toAbsolutePath()
            + "\"}}";
    HttpResponse<String> r = cluster.request("PUT", "/cronjobs/" + JOB, body);
    if (r.statusCode() != 201 && r.statusCode() != 200) {
      throw new IllegalStateException("PUT /cronjobs/" + JOB + " -> " + r.statusCode() + r.body());
    }
    cluster.history.add("acknowledged PUT /cronjobs/" + JOB + " @every 1s, lines into " + file);
    CronWatch w = new CronWatch(cluster, file);
    LocalNode.await(
        Duration.ofSeconds(120), "the first tick line in " + file, () -> !w.lines().isEmpty());
    w.poller.scheduleWithFixedDelay(w::pollQuietly, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
    return w;
  }

  public Path file() {
    return file;
  }

  /** The lines written so far. */
  public List<TickLog.Line> lines() throws IOException {
    return TickLog.read(file);
  }

  /** The host of a line, or null when its agent is not one of the cluster's. */
  public String hostOf(TickLog.Line l) {
    return cluster.hostOfAgent(l.agent());
  }

  /**
   * Waits (bounded) for the first run on a host other than {@code victim} of a tick after {@code
   * faultMillis}; null at the deadline.
   */
  public TickLog.Line awaitTickElsewhere(long faultMillis, String victim, Duration within)
      throws InterruptedException, IOException {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      Optional<TickLog.Line> l = firstElsewhere(faultMillis, victim);
      if (l.isPresent()) {
        return l.get();
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    return null;
  }

  /** {@link TickLog#firstElsewhere} over the lines so far. */
  public Optional<TickLog.Line> firstElsewhere(long faultMillis, String victim) throws IOException {
    return TickLog.firstElsewhere(lines(), faultMillis, victim, cluster::hostOfAgent);
  }

  /** Waits (bounded) until a run writes a tick later than now: the job runs. */
  public void awaitTicking(Duration within) throws InterruptedException {
    long now = System.currentTimeMillis();
    LocalNode.await(
        within,
        "a tick line after " + Instant.ofEpochMilli(now),
        () -> lines().stream().anyMatch(l -> l.tick().toEpochMilli() > now));
  }

  /** Where the scheduler runs, asked of any live node; empty while it is not {@code running}. */
  public Optional<Scheduler> scheduler() {
    return scheduler(cluster.apiGet("/singletons"));
  }

  /** Where the scheduler runs, asked of node {@code i}. */
  public Optional<Scheduler> schedulerSeenBy(int i) throws IOException, InterruptedException {
    return scheduler(cluster.node(i).json("/singletons"));
  }

  /** The cron scheduler's entry of a {@code GET /singletons} answer, when it is running. */
  static Optional<Scheduler> scheduler(JsonNode singletons) {
    if (singletons == null) {
      return Optional.empty();
    }
    for (JsonNode s : singletons.path("singletons")) {
      if (SINGLETON.equals(s.path("name").asText())
          && "running".equals(s.path("state").asText())
          && s.path("host").isTextual()) {
        return Optional.of(
            new Scheduler(
                s.path("host").asText(),
                s.path("address").asText(),
                token(s.path("details")),
                s.path("since").asText()));
      }
    }
    return Optional.empty();
  }

  /**
   * The fencing token among a singleton's details: the number under a key that names a fence or a
   * token ({@code fencingToken}, {@code fence}, ...); -1 when there is none.
   */
  static long token(JsonNode details) {
    for (Map.Entry<String, JsonNode> e : details.properties()) {
      String k = e.getKey().toLowerCase(java.util.Locale.ROOT);
      if ((k.contains("fenc") || k.equals("token")) && e.getValue().isNumber()) {
        return e.getValue().asLong();
      }
    }
    return -1;
  }

  /** Waits (bounded) until the scheduler runs on a live node and returns it. */
  public Scheduler awaitScheduler(Duration within) throws InterruptedException {
    Scheduler[] found = {null};
    LocalNode.await(
        within,
        "GET /singletons shows the cron scheduler running on a live node",
        () -> {
          Optional<Scheduler> s = scheduler();
          if (s.isEmpty() || !cluster.isUp(cluster.indexOf(s.get().host()))) {
            return false;
          }
          found[0] = s.get();
          return true;
        });
    return found[0];
  }

  private void pollQuietly() {
    try {
      poll();
    } catch (Exception e) {
      // no live node answered: the next poll
    }
  }

  /** Reads the job's newest runs from a live node into the record; false when none answered. */
  public boolean poll() throws IOException {
    JsonNode runs = cluster.apiGet("/cronjobs/" + JOB + "/runs?limit=1000");
    if (runs == null) {
      return false;
    }
    List<TickLog.ApiEntry> batch = new ArrayList<>();
    for (JsonNode r : runs.path("runs")) {
      batch.add(entry(r));
    }
    synchronized (api) {
      // Oldest first, so a later state of the same run replaces the earlier one in place.
      for (int i = batch.size() - 1; i >= 0; i--) {
        TickLog.ApiEntry e = batch.get(i);
        api.put(e.run(), e);
      }
    }
    polledAt = System.currentTimeMillis();
    return true;
  }

  static TickLog.ApiEntry entry(JsonNode r) {
    Instant tick = Instant.parse(r.path("tick").asText());
    Instant through =
        r.path("through").isTextual() ? Instant.parse(r.path("through").asText()) : tick;
    return new TickLog.ApiEntry(
        r.path("run").asText(),
        tick,
        through,
        r.path("state").asText(),
        r.path("reason").isTextual() ? r.path("reason").asText() : null);
  }

  /** Every runs-API entry seen so far, oldest first. */
  public List<TickLog.ApiEntry> apiEntries() {
    synchronized (api) {
      return List.copyOf(api.values());
    }
  }

  /** When the runs API last answered (epoch ms), 0 if never. */
  public long polledAt() {
    return polledAt;
  }

  /**
   * I3 over the whole run so far: reads the runs API once more (bounded wait for an answer), then
   * tallies the ticks from the first line to {@code settle} before the newest one (ticks that new
   * may not be decided yet).
   */
  public TickLog.Tally tally(Duration settle) throws IOException, InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!poll() && System.nanoTime() < deadline) {
      TimeUnit.SECONDS.sleep(1);
    }
    List<TickLog.Line> lines = lines();
    Instant from = lines.stream().map(TickLog.Line::tick).min(Instant::compareTo).orElseThrow();
    Instant newest = lines.stream().map(TickLog.Line::tick).max(Instant::compareTo).orElseThrow();
    return TickLog.tally(lines, apiEntries(), PERIOD, from, newest.minus(settle));
  }

  /** The violations of I3 in a tally: ticks run twice, ticks without a run and without a record. */
  public static List<Violation> violations(TickLog.Tally t) {
    List<Violation> out = new ArrayList<>();
    long now = System.currentTimeMillis();
    t.duplicates()
        .forEach(
            (tick, n) ->
                out.add(new Violation("I3", JOB, "tick " + tick + " ran " + n + " times", now)));
    for (Instant tick : t.unexplained()) {
      out.add(
          new Violation(
              "I3",
              JOB,
              "tick " + tick + " did not run and the runs API has no record of it",
              now));
    }
    return out;
  }

  @Override
  public void close() {
    poller.shutdownNow();
  }
}
