package io.drover.chaos;

import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Applies faults to a {@link ChaosCluster} one at a time and checks the invariants after each:
 * inject, wait (bounded) until I1 holds again and record that as the failover time, heal (resume or
 * restart the node, or end the partition and restart the minority nodes that fenced themselves),
 * then after one reconcile interval plus slack require I2, and I5 for the deploy started just
 * before the fault; at the end I4 against every acknowledged write. With a {@link CronWatch} (a
 * cronjob {@code @every 1s} writing its ticks to a file), faults planned on the cron scheduler's
 * node hit whichever node holds it when they are applied, and I3 is checked: no tick twice after
 * each fault, and at the end every tick without a run has a record in the runs API. Every wait is a
 * deadline; a missed one is a violation with the history around it.
 */
public final class ChaosRunner {

  /** Slack on top of the reconcile interval for I2 on a busy 2-core machine. */
  static final Duration I2_SLACK = Duration.ofSeconds(20);

  private final ChaosCluster cluster;
  private final ChaosDeploys deploys;
  private final CronWatch cron;
  private final Set<java.time.Instant> reportedTwice = new TreeSet<>();
  private final Report report = new Report();

  public ChaosRunner(ChaosCluster cluster) {
    this(cluster, null);
  }

  /**
   * @param cron the cronjob to check I3 on, or null for none
   */
  public ChaosRunner(ChaosCluster cluster, CronWatch cron) {
    this.cluster = cluster;
    this.deploys = new ChaosDeploys(cluster);
    this.cron = cron;
  }

  public Report report() {
    return report;
  }

  /** How long I1 may take to hold again after a fault: detection, grace, downing, a start. */
  Duration i1Deadline() {
    return cluster
        .config
        .grace()
        .plus(cluster.config.downAfter())
        .plus(Duration.ofSeconds(cluster.config.app() == ChaosCluster.App.HELLO ? 60 : 45));
  }

  /** Runs every fault of the plan, then checks I4. */
  public Report run(List<FaultPlan.Fault> plan) throws Exception {
    for (FaultPlan.Fault f : plan) {
      apply(f);
    }
    checkNothingLost();
    checkOnce();
    return report;
  }

  /** One fault, its failover and the checks after it. */
  public void apply(FaultPlan.Fault planned) throws Exception {
    FaultPlan.Fault f = planned.scheduler() ? onScheduler(planned) : planned;
    int i = f.node();
    report.faults.add(f);
    cluster.history.add("--- fault " + report.faults.size() + ": " + f);
    // A host that runs no instance has nothing to fail over: no sample (it would read ~0 ms).
    Set<String> hit = new TreeSet<>();
    f.group().forEach(n -> hit.add(cluster.host(n)));
    boolean hadInstances = cluster.processes().stream().anyMatch(p -> hit.contains(p.host()));
    if (!hadInstances) {
      cluster.history.add(hit + " run(s) no instance: no failover sample");
    }
    // a deploy in flight when the fault lands: I5 is checked once the fault healed
    deploys.startOne();
    long t0 = System.nanoTime();
    long t0Millis = System.currentTimeMillis();
    Long failoverNanos = null;
    if (f.kind() == FaultPlan.Kind.KILL) {
      cluster.kill(i);
      failoverNanos = awaitI1(t0, "after " + f);
      sleepUntil(t0, f.duration());
      cluster.restart(i);
    } else if (f.kind() == FaultPlan.Kind.PAUSE) {
      cluster.stop(i);
      Watch watch = new Watch(t0, f.duration(), "into the pause", Set.of());
      sleepUntil(t0, f.duration());
      cluster.wake(i);
      failoverNanos = watch.finish();
      cluster.rejoin(i);
      if (failoverNanos == null) {
        failoverNanos = awaitI1(t0, "after " + f);
      }
    } else {
      Set<Integer> minority = new TreeSet<>(f.group());
      Set<Integer> rest = new TreeSet<>();
      for (int n = 0; n < cluster.size(); n++) {
        if (!minority.contains(n)) {
          rest.add(n);
        }
      }
      cluster.partition(minority, rest);
      Watch watch = new Watch(t0, f.duration(), "into the partition", minority);
      sleepUntil(t0, f.duration());
      Set<Integer> healed = cluster.heal();
      failoverNanos = watch.finish();
      for (int n : healed) {
        cluster.rejoin(n);
      }
      if (failoverNanos == null) {
        failoverNanos = awaitI1(t0, "after " + f);
      }
    }
    if (failoverNanos != null && hadInstances) {
      report.failover.add(new Report.Sample(f, failoverNanos / 1e6));
    }
    long healed = System.nanoTime();
    awaitNoStaleCopies(healed);
    awaitI1(healed, "after healing " + f);
    for (Violation v : deploys.check()) {
      violation(v, "I5 after " + f);
    }
    if (cron != null) {
      cronAfter(f, t0Millis);
    }
  }

  /** The scheduler fault on the node that holds the scheduler now (the planned one if unknown). */
  private FaultPlan.Fault onScheduler(FaultPlan.Fault planned) {
    if (cron == null) {
      return planned;
    }
    java.util.Optional<CronWatch.Scheduler> s = cron.scheduler();
    if (s.isEmpty() || !cluster.isUp(cluster.indexOf(s.get().host()))) {
      cluster.history.add(
          "the cron scheduler is not running on a live node now: the fault hits its planned node");
      return planned;
    }
    cluster.history.add(
        "the cron scheduler runs on "
            + s.get().host()
            + " (fencing token "
            + s.get().token()
            + "): the fault hits it");
    return planned.on(cluster.indexOf(s.get().host()));
  }

  /**
   * After a fault healed: I3's no tick twice over the file so far, and for a fault of the
   * scheduler's node the time to the first run elsewhere (a tick after the fault, another host).
   */
  private void cronAfter(FaultPlan.Fault f, long faultMillis) throws Exception {
    for (Violation v : CronWatch.violations(twiceOnly(cron.lines()))) {
      violation(v, "I3 after " + f);
    }
    if (f.scheduler()) {
      java.util.Optional<TickLog.Line> l = cron.firstElsewhere(faultMillis, cluster.host(f.node()));
      if (l.isPresent()) {
        double ms = l.get().writtenAtMillis() - faultMillis;
        report.cronFailover.add(new Report.Sample(f, ms));
        cluster.history.add(
            String.format(
                Locale.ROOT,
                "cron: tick %s ran on %s %.0f ms after the fault",
                l.get().tick(),
                cron.hostOf(l.get()),
                ms));
      } else {
        // Not a violation: runs go to the least loaded host, which may be the one hit.
        cluster.history.add("cron: no tick after the fault ran on another node");
      }
    }
  }

  /** The ticks twice not reported yet, as a tally with nothing else. */
  private TickLog.Tally twiceOnly(List<TickLog.Line> lines) {
    java.util.Map<java.time.Instant, Integer> twice =
        new java.util.TreeMap<>(TickLog.duplicates(lines));
    twice.keySet().removeAll(reportedTwice);
    reportedTwice.addAll(twice.keySet());
    return new TickLog.Tally(0, 0, twice, List.of(), java.util.Map.of(), List.of());
  }

  /**
   * I3 at the end: no tick twice, and every tick from the first line to a few seconds before the
   * last that did not run has a record (missed, skipped, lost...) in the runs API.
   */
  public void checkOnce() throws Exception {
    if (cron == null) {
      return;
    }
    TickLog.Tally t = cron.tally(Duration.ofSeconds(5));
    TickLog.Tally fresh =
        new TickLog.Tally(
            t.ticks(),
            t.ran(),
            twiceOnly(cron.lines()).duplicates(),
            t.absent(),
            t.byState(),
            t.unexplained());
    for (Violation v : CronWatch.violations(fresh)) {
      violation(v, "I3");
    }
    report.cron = t.summary();
    cluster.history.add("I3: " + report.cron);
  }

  /**
   * Watches I1 (on the nodes the harness counts as up) on a thread of its own while a fault lasts,
   * so that a slow observation (a site whose entity sits on the cut-off node makes asks time out)
   * does not stretch the fault: it ends on time. Records when I1 first held with every site
   * answering, and notes when a node of {@code watchExit} exits meanwhile (a partitioned minority
   * fencing itself).
   */
  private final class Watch {
    private final long t0;
    private final long end;
    private final String what;
    private final Set<Integer> watchExit;
    private final AtomicLong failoverNanos = new AtomicLong(-1);
    private final AtomicBoolean stop = new AtomicBoolean();
    private final Thread thread;

    Watch(long t0, Duration duration, String what, Set<Integer> watchExit) {
      this.t0 = t0;
      this.end = t0 + duration.toNanos();
      this.what = what;
      this.watchExit = watchExit;
      this.thread = new Thread(this::run, "chaos-watch");
      thread.setDaemon(true);
      thread.start();
    }

    private void run() {
      Set<Integer> exited = new TreeSet<>();
      try {
        while (!stop.get() && System.nanoTime() < end) {
          Observation o = cluster.observe();
          long now = System.nanoTime();
          if (now < end
              && failoverNanos.get() < 0
              && cluster.complete(o)
              && Invariants.twice(o).isEmpty()) {
            failoverNanos.set(now - t0);
            cluster.history.add(
                String.format(Locale.ROOT, "I1 holds %d ms %s", (now - t0) / 1000000, what));
          }
          for (int n : watchExit) {
            if (!exited.contains(n) && !cluster.node(n).isAlive()) {
              exited.add(n);
              cluster.history.add(
                  String.format(
                      Locale.ROOT,
                      "%s exited %d, %d ms %s",
                      cluster.host(n),
                      cluster.node(n).awaitExit(Duration.ofSeconds(1)),
                      (System.nanoTime() - t0) / 1000000,
                      what));
            }
          }
          TimeUnit.MILLISECONDS.sleep(250);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    /**
     * Stops watching, waits (bounded) for an observation in flight, and returns when I1 first held
     * before the fault ended, or null.
     */
    Long finish() throws InterruptedException {
      stop.set(true);
      thread.join(Duration.ofSeconds(60).toMillis());
      if (thread.isAlive()) {
        thread.interrupt();
        thread.join(Duration.ofSeconds(10).toMillis());
      }
      long f = failoverNanos.get();
      return f < 0 ? null : f;
    }
  }

  private Long awaitI1(long sinceNanos, String what) throws InterruptedException {
    long deadline = sinceNanos + i1Deadline().toNanos();
    List<Violation> last = List.of();
    while (System.nanoTime() < deadline) {
      Observation o = cluster.observe();
      last = Invariants.twice(o);
      if (last.isEmpty() && o.sites().size() >= cluster.acknowledged().size()) {
        long took = System.nanoTime() - sinceNanos;
        cluster.history.add(String.format(Locale.ROOT, "I1 holds %d ms %s", took / 1000000, what));
        return took;
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    if (last.isEmpty()) {
      last =
          List.of(
              new Violation(
                  "I1", "*", "no live node listed every site", System.currentTimeMillis()));
    }
    for (Violation v : last) {
      violation(v, "I1 still broken " + i1Deadline().toSeconds() + " s " + what);
    }
    return null;
  }

  private void awaitNoStaleCopies(long healedNanos) throws InterruptedException {
    // Sites whose entity moves after a downing answer again only once their shard has a home;
    // their processes can be judged only then (the lapse itself shows up as I1).
    long answered = healedNanos;
    long until = healedNanos + i1Deadline().toNanos();
    while (System.nanoTime() < until && !cluster.complete(cluster.observe())) {
      TimeUnit.MILLISECONDS.sleep(250);
      answered = System.nanoTime();
    }
    long deadline = answered + ChaosCluster.RECONCILE.plus(I2_SLACK).toNanos();
    List<Violation> last = List.of();
    while (System.nanoTime() < deadline) {
      Observation o = cluster.observe();
      last = Invariants.noStaleCopies(o);
      if (last.isEmpty() && cluster.complete(o)) {
        return;
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    if (last.isEmpty()) {
      last =
          List.of(
              new Violation("I2", "*", "some sites never answered", System.currentTimeMillis()));
    }
    for (Violation v : last) {
      violation(
          v,
          "I2 still broken one reconcile interval + " + I2_SLACK.toSeconds() + " s after healing");
    }
  }

  /** I4: every acknowledged write is there (waits up to a minute for a live node to list them). */
  public void checkNothingLost() throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<Violation> last = List.of();
    while (System.nanoTime() < deadline) {
      last = Invariants.nothingLost(cluster.acknowledged(), cluster.observe());
      if (last.isEmpty()) {
        cluster.history.add(
            "I4 holds: all " + cluster.acknowledged().size() + " acknowledged sites");
        return;
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
    for (Violation v : last) {
      violation(v, "I4");
    }
  }

  private void violation(Violation v, String context) {
    cluster.history.add("VIOLATION " + v.invariant() + " " + v.site() + ": " + v.what());
    report.violations.add(
        new Report.Found(v, context, cluster.history.around(v.atMillis(), 15, 2_000)));
  }

  private static void sleepUntil(long t0, Duration d) throws InterruptedException {
    long left = t0 + d.toNanos() - System.nanoTime();
    if (left > 0) {
      TimeUnit.NANOSECONDS.sleep(left);
    }
  }

  /** Faults injected, violations with their history, failover figures. */
  public static final class Report {

    /** A violation, when it was found, and the history lines around it. */
    public record Found(Violation violation, String context, List<History.Line> history) {}

    /** Fault → I1 holds again, in milliseconds. */
    public record Sample(FaultPlan.Fault fault, double millis) {}

    public final List<FaultPlan.Fault> faults = new ArrayList<>();
    public final List<Found> violations = new ArrayList<>();
    public final List<Sample> failover = new ArrayList<>();

    /** Fault of the cron scheduler's node → the first run on another node, in milliseconds. */
    public final List<Sample> cronFailover = new ArrayList<>();

    /** The I3 tally of the cronjob, or null when there was none. */
    public String cron;

    public boolean clean() {
      return violations.isEmpty();
    }

    public void print(PrintStream out) {
      out.println("=== chaos report");
      out.println("faults injected: " + faults.size());
      for (int i = 0; i < faults.size(); i++) {
        out.println("  " + (i + 1) + ". " + faults.get(i));
      }
      out.println("violations: " + violations.size());
      for (Found f : violations) {
        Violation v = f.violation();
        out.println(
            "  " + v.invariant() + " " + v.site() + ": " + v.what() + "  [" + f.context() + "]");
        out.println("    history:");
        for (History.Line l : f.history()) {
          out.println("      " + l);
        }
      }
      List<Double> ms = new ArrayList<>(failover.stream().map(Sample::millis).toList());
      Collections.sort(ms);
      if (ms.isEmpty()) {
        out.println(
            "failover (fault -> every site 2 ready on distinct up hosts): no samples (no fault hit"
                + " a host that ran instances)");
      } else {
        out.printf(
            Locale.ROOT,
            "failover (fault -> every site 2 ready on distinct up hosts, checked in /proc): n=%d"
                + " min=%.0f ms median=%.0f ms p95=%.0f ms max=%.0f ms%n",
            ms.size(),
            ms.get(0),
            percentile(ms, 50),
            percentile(ms, 95),
            ms.get(ms.size() - 1));
      }
      if (cron != null) {
        out.println("cron (I3): " + cron);
        List<Double> c = new ArrayList<>(cronFailover.stream().map(Sample::millis).toList());
        Collections.sort(c);
        if (!c.isEmpty()) {
          out.printf(
              Locale.ROOT,
              "cron failover (fault of the scheduler's node -> first run on another node): n=%d"
                  + " median=%.0f ms max=%.0f ms%n",
              c.size(),
              percentile(c, 50),
              c.get(c.size() - 1));
        }
      }
    }
  }

  /** Nearest-rank percentile of sorted values. */
  public static double percentile(List<Double> sorted, int p) {
    int rank = (int) Math.ceil(p / 100.0 * sorted.size()) - 1;
    return sorted.get(Math.max(0, Math.min(sorted.size() - 1, rank)));
  }
}
