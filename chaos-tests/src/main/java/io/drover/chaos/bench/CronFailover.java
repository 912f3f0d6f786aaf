package io.drover.chaos.bench;

import io.drover.chaos.ChaosCluster;
import io.drover.chaos.ChaosRunner;
import io.drover.chaos.CronWatch;
import io.drover.chaos.History;
import io.drover.chaos.NodeLogs;
import io.drover.chaos.PgActivity;
import io.drover.chaos.TickLog;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * {@code bench/cron-failover}: three real nodes on PostgreSQL with the node's default settings, a
 * cronjob {@code @every 1s} whose runs append their tick, run id and agent to one file. Faults, one
 * at a time, each on the node that holds the cron scheduler ({@code GET /api/v1/singletons}):
 * SIGKILL (then the node is started again), and SIGSTOP kept until the node is downed and another
 * node ran a tick, then SIGCONT (the node finds itself downed, exits 3 and is started again, as the
 * chaos harness does). For each fault: fault → the first line of a tick after the fault written by
 * a run on another node, with where the time went (unreachable, downed, the new scheduler's start,
 * from the nodes' logs). Then p50/p95 for kills and pauses, the ticks missed (cross-checked with
 * the runs API) and, as the last line, {@code duplicates: N} (ticks in the file twice; must be 0).
 */
public final class CronFailover {

  /** The node's defaults ({@code drover.grace}, {@code drover.down-after} in drover.conf). */
  static final Duration GRACE = Duration.ofSeconds(5);

  static final Duration DOWN_AFTER = Duration.ofSeconds(2);

  /** A fault without a run elsewhere within this is reported as such. */
  static final Duration FAILOVER_DEADLINE = Duration.ofSeconds(120);

  /**
   * A paused node is woken this long after its peers removed it (past the downing), or as soon as a
   * tick ran elsewhere, whichever comes first: long enough for the scheduler to move while the old
   * holder still sleeps, which is the case fencing is for.
   */
  static final Duration PAUSED_AFTER_DOWNING = Duration.ofSeconds(5);

  private CronFailover() {}

  /** What one fault measured; times are ms after the fault, -1 when not seen. */
  record Sample(
      boolean kill,
      String victim,
      long token,
      TickLog.Line tick,
      String tickHost,
      long millis,
      long unreachable,
      long downed,
      long takeover,
      String newHost,
      long newToken,
      long woke,
      List<String> stuck,
      String after) {}

  public static void main(String[] args) throws Exception {
    int kills = 20;
    int pauses = 20;
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--kills") && i + 1 < args.length) {
        kills = Integer.parseInt(args[++i]);
      } else if (args[i].equals("--pauses") && i + 1 < args.length) {
        pauses = Integer.parseInt(args[++i]);
      } else {
        System.err.println(
            "usage: bench/cron-failover [--kills N] [--pauses N]  (N >= 0, default 20 each)");
        System.exit(2);
      }
    }
    if (kills < 0 || pauses < 0 || kills + pauses == 0) {
      System.err.println("--kills and --pauses must be >= 0, together at least 1");
      System.exit(2);
    }
    Path work = Files.createTempDirectory("drover-cron-failover-");
    History history = new History(null);
    System.out.printf(
        "cron-failover: 3 real nodes on PostgreSQL, node defaults (grace %ds, down-after %ds),"
            + " cronjob '%s' @every 1s appending to one file; %d SIGKILLs and %d SIGSTOPs past"
            + " down-after of the node holding the cron scheduler; logs under %s%n",
        GRACE.toSeconds(), DOWN_AFTER.toSeconds(), CronWatch.JOB, kills, pauses, work);
    ChaosCluster cluster =
        ChaosCluster.start(
            new ChaosCluster.Config(3, 0, GRACE, DOWN_AFTER, ChaosCluster.App.LIGHT, work),
            history);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
    List<Sample> samples = new ArrayList<>();
    int failed = 0;
    TickLog.Tally tally;
    List<TickLog.Line> lines;
    try (CronWatch cron = CronWatch.start(cluster, work)) {
      int k = 0;
      int p = 0;
      while (k < kills || p < pauses) {
        // Alternate while both are left, so both kinds see the same cluster history.
        boolean kill = p >= pauses || (k < kills && (k <= p));
        int n = kill ? ++k : ++p;
        Sample s = fault(cluster, cron, kill);
        if (s.tick() == null) {
          failed++;
        } else {
          samples.add(s);
        }
        System.out.println(describe(n, s));
      }
      tally = cron.tally(Duration.ofSeconds(5));
      lines = cron.lines();
    } finally {
      cluster.close();
    }
    System.out.println(stats("kills  (SIGKILL -> first run elsewhere)", samples, true));
    System.out.println(stats("pauses (SIGSTOP -> first run elsewhere)", samples, false));
    int dups = TickLog.duplicates(lines).size();
    System.out.println(
        "ticks from the first line to 5 s before the last: "
            + tally.ticks()
            + ", ran "
            + tally.ran()
            + (failed > 0 ? "; " + failed + " fault(s) with no run elsewhere within 120 s" : ""));
    System.out.println(
        "missed: "
            + tally.absent().size()
            + " ticks without a run (runs API: "
            + tally.byState()
            + (tally.unexplained().isEmpty()
                ? ", every one recorded with its reason)"
                : "; "
                    + tally.unexplained().size()
                    + " with NO record, e.g. "
                    + tally.unexplained().get(0)
                    + ")"));
    System.out.println("duplicates: " + dups);
    System.exit(dups == 0 && failed == 0 && tally.unexplained().isEmpty() ? 0 : 1);
  }

  /** One fault on the scheduler's node, its measurement, and the node back as a member. */
  private static Sample fault(ChaosCluster cluster, CronWatch cron, boolean kill) throws Exception {
    cluster.awaitMembersUp(Duration.ofSeconds(120));
    CronWatch.Scheduler sched = cron.awaitScheduler(Duration.ofSeconds(120));
    cron.awaitTicking(Duration.ofSeconds(60));
    String victim = sched.host();
    int v = cluster.indexOf(victim);
    long f = System.currentTimeMillis();
    if (kill) {
      cluster.kill(v);
    } else {
      cluster.stop(v);
    }
    long deadline = System.nanoTime() + FAILOVER_DEADLINE.toNanos();
    TickLog.Line tick = null;
    long downed = -1;
    long woke = -1;
    List<String> stuck = List.of();
    CronWatch.Scheduler moved = null;
    while (System.nanoTime() < deadline
        && (tick == null || downed < 0 || !fenced(moved, sched) || (!kill && woke < 0))) {
      if (tick == null) {
        tick = cron.firstElsewhere(f, victim).orElse(null);
      }
      if (downed < 0 && cluster.removedByPeers(v)) {
        downed = System.currentTimeMillis() - f;
      }
      if (!fenced(moved, sched)) {
        moved = cron.scheduler().filter(s -> !s.host().equals(victim)).orElse(moved);
      }
      long now = System.currentTimeMillis() - f;
      if (!kill
          && woke < 0
          && downed >= 0
          && (tick != null || now >= downed + PAUSED_AFTER_DOWNING.toMillis())) {
        if (tick == null) {
          // Evidence of what holds the new scheduler up while the old one sleeps.
          stuck = PgActivity.busySessions(cluster.database());
        }
        cluster.wake(v);
        woke = System.currentTimeMillis() - f;
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
    if (!kill && woke < 0) {
      cluster.wake(v);
      woke = System.currentTimeMillis() - f;
    }
    // The survivors' logs time the phases more precisely than polling can.
    long unreachable = -1;
    long sbr = -1;
    for (int i = 0; i < cluster.size(); i++) {
      if (i != v) {
        unreachable = min(unreachable, NodeLogs.firstAfter(cluster.node(i).log, "UNREACHABLE", f));
        sbr = min(sbr, NodeLogs.firstAfter(cluster.node(i).log, "SBR took decision", f));
      }
    }
    long takeover = -1;
    if (moved != null) {
      takeover =
          NodeLogs.firstAfter(
              cluster.node(cluster.indexOf(moved.host())).log, "cron scheduler started on", f);
    }
    String after;
    if (kill) {
      cluster.restart(v);
      after = "restarted";
    } else {
      ChaosCluster.PauseOutcome out = cluster.rejoin(v);
      after =
          (out == ChaosCluster.PauseOutcome.DOWNED_AND_RESTARTED
                  ? "woke downed, exited 3, restarted"
                  : "woke as a member")
              + NodeLogs.fencingSeen(cluster.node(v).log, f + woke);
    }
    return new Sample(
        kill,
        victim,
        sched.token(),
        tick,
        tick == null ? null : cron.hostOf(tick),
        tick == null ? -1 : tick.writtenAtMillis() - f,
        rel(unreachable, f),
        sbr >= 0 ? rel(sbr, f) : downed,
        rel(takeover, f),
        moved == null ? null : moved.host(),
        moved == null ? -1 : moved.token(),
        woke,
        stuck,
        after);
  }

  /**
   * True once the scheduler runs elsewhere with a newer fencing token (or elsewhere, when the API
   * shows no token): it may answer before its take-over is persisted.
   */
  private static boolean fenced(CronWatch.Scheduler moved, CronWatch.Scheduler old) {
    return moved != null && (old.token() < 0 || moved.token() > old.token());
  }

  private static long min(long a, long b) {
    if (a < 0) {
      return b;
    }
    return b < 0 ? a : Math.min(a, b);
  }

  private static long rel(long at, long f) {
    return at < 0 ? -1 : at - f;
  }

  static String describe(int n, Sample s) {
    String what = s.kill() ? "kill " : "pause";
    if (s.tick() == null) {
      return String.format(
          Locale.ROOT,
          "  %s %2d: scheduler on %s (token %d): NO run on another node within %d s%s; %s%s",
          what,
          n,
          s.victim(),
          s.token(),
          FAILOVER_DEADLINE.toSeconds(),
          s.kill() ? "" : " (SIGCONT " + secs(s.woke()) + ")",
          s.after(),
          stuck(s));
    }
    return String.format(
        Locale.ROOT,
        "  %s %2d: scheduler on %s (token %d) -> tick %s ran on %s after %5d ms"
            + " [unreachable %s, downed %s, scheduler started on %s %s (token %d)%s]; %s%s",
        what,
        n,
        s.victim(),
        s.token(),
        s.tick().tick(),
        s.tickHost(),
        s.millis(),
        secs(s.unreachable()),
        secs(s.downed()),
        s.newHost(),
        secs(s.takeover()),
        s.newToken(),
        s.kill()
            ? ""
            : ", SIGCONT "
                + secs(s.woke())
                + (s.millis() > s.woke() ? ": the run came only after the wake" : ""),
        s.after(),
        stuck(s));
  }

  private static String stuck(Sample s) {
    return s.stuck().isEmpty()
        ? ""
        : "\n      journal sessions not idle before the wake: " + String.join("; ", s.stuck());
  }

  private static String secs(long ms) {
    return ms < 0 ? "?" : String.format(Locale.ROOT, "+%.1f s", ms / 1000.0);
  }

  static String stats(String label, List<Sample> samples, boolean kill) {
    List<Double> ms = new ArrayList<>();
    List<Double> down = new ArrayList<>();
    List<Double> take = new ArrayList<>();
    int afterWake = 0;
    for (Sample s : samples) {
      if (s.kill() == kill) {
        if (!kill && s.millis() > s.woke()) {
          afterWake++;
        }
        ms.add((double) s.millis());
        if (s.downed() >= 0) {
          down.add((double) s.downed());
        }
        if (s.takeover() >= 0) {
          take.add((double) s.takeover());
        }
      }
    }
    if (ms.isEmpty()) {
      return label + ": no samples";
    }
    Collections.sort(ms);
    Collections.sort(down);
    Collections.sort(take);
    return String.format(
        Locale.ROOT,
        "%s: n=%d p50=%.0f ms p95=%.0f ms min=%.0f max=%.0f (p50 downed %s, scheduler started"
            + " %s)%s",
        label,
        ms.size(),
        ChaosRunner.percentile(ms, 50),
        ChaosRunner.percentile(ms, 95),
        ms.get(0),
        ms.get(ms.size() - 1),
        down.isEmpty() ? "?" : secs((long) ChaosRunner.percentile(down, 50)),
        take.isEmpty() ? "?" : secs((long) ChaosRunner.percentile(take, 50)),
        kill
            ? ""
            : "; "
                + afterWake
                + " of "
                + ms.size()
                + " ran elsewhere only after the paused node was woken");
  }
}
