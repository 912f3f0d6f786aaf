package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The cron scheduler's failover on three real nodes (separate JVMs, one PostgreSQL journal, the
 * node's default settings) with a cronjob {@code @every 1s} whose runs append their tick to one
 * file: (a) SIGKILL of the node holding the scheduler: the next run starts on another node, no tick
 * runs twice, and {@code GET /api/v1/singletons} from a survivor shows the scheduler on another
 * member with a larger fencing token; (b) the node holding it paused (SIGSTOP) past down-after:
 * another node runs the ticks meanwhile; woken (SIGCONT), the stale scheduler starts nothing — no
 * tick twice, no dispatch logged by it after waking — and the node, downed, exits 3.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CronFailoverIT {

  /** The node's defaults. */
  private static final Duration GRACE = Duration.ofSeconds(5);

  private static final Duration DOWN_AFTER = Duration.ofSeconds(2);

  /** Downing (~4-5 s), hand-over, recovery and a tick, with room for a busy 2-core host. */
  private static final Duration FAILOVER_WITHIN = Duration.ofSeconds(90);

  /** A dispatch as the scheduler logs it, with its fencing token. */
  private static final Pattern DISPATCHED =
      Pattern.compile(
          "cronjob \\S+ tick (\\S+): run \\S+ dispatched to host \\S+ \\(fencing token (\\d+)");

  private Path work;
  private ChaosCluster cluster;
  private CronWatch cron;
  private final History history = new History(System.out);

  @BeforeAll
  void start() throws Exception {
    work = Files.createTempDirectory("drover-cron-it-");
    cluster =
        ChaosCluster.start(
            new ChaosCluster.Config(3, 0, GRACE, DOWN_AFTER, ChaosCluster.App.LIGHT, work),
            history);
    cron = CronWatch.start(cluster, work);
  }

  @AfterAll
  void stop() {
    if (cron != null) {
      cron.close();
    }
    if (cluster != null) {
      cluster.close();
      System.out.println("cron-failover-it: node logs and the tick file under " + work);
    }
  }

  @BeforeEach
  void healthy() throws Exception {
    cluster.resumeAll();
    for (int i = 0; i < cluster.size(); i++) {
      if (!cluster.node(i).isAlive()) {
        cluster.restart(i);
      }
    }
    cluster.awaitMembersUp(Duration.ofSeconds(120));
    cron.awaitTicking(Duration.ofSeconds(60));
  }

  private void assertNoTickTwice() throws Exception {
    assertEquals(
        java.util.Map.of(), TickLog.duplicates(cron.lines()), "ticks run twice, in " + cron.file());
  }

  @Test
  @Order(1)
  void killingTheSchedulersNodeMovesItAndTheNextRunStartsElsewhere() throws Exception {
    CronWatch.Scheduler before = cron.awaitScheduler(Duration.ofSeconds(60));
    assertTrue(before.token() > 0, "the singletons API shows a fencing token: " + before);
    int v = cluster.indexOf(before.host());
    long f = System.currentTimeMillis();
    cluster.kill(v);

    TickLog.Line next = cron.awaitTickElsewhere(f, before.host(), FAILOVER_WITHIN);
    assertNotNull(next, "no run on another node within " + FAILOVER_WITHIN);
    int survivor = (v + 1) % cluster.size();
    CronWatch.Scheduler[] after = {null};
    LocalNode.await(
        Duration.ofSeconds(60),
        "the cron scheduler on another member in GET /singletons of " + cluster.host(survivor),
        () -> {
          Optional<CronWatch.Scheduler> s = cron.schedulerSeenBy(survivor);
          after[0] = s.orElse(null);
          return s.isPresent() && !s.get().host().equals(before.host());
        });
    assertNotEquals(before.address(), after[0].address());
    assertTrue(
        after[0].token() > before.token(),
        "fencing token " + after[0].token() + " after " + before.token());
    assertNoTickTwice();
    System.out.printf(
        "cron-failover-it (a) SIGKILL %s (token %d): tick %s ran on %s %d ms later; the scheduler"
            + " is on %s with token %d%n",
        before.host(),
        before.token(),
        next.tick(),
        cron.hostOf(next),
        next.writtenAtMillis() - f,
        after[0].host(),
        after[0].token());
    cluster.restart(v);
  }

  @Test
  @Order(2)
  void aPausedSchedulerWakesFencedAndStartsNothing() throws Exception {
    CronWatch.Scheduler before = cron.awaitScheduler(Duration.ofSeconds(60));
    int v = cluster.indexOf(before.host());
    LocalNode stale = cluster.node(v);
    long f = System.currentTimeMillis();
    cluster.stop(v);

    LocalNode.await(
        Duration.ofSeconds(60),
        before.host() + " downed by its peers",
        () -> cluster.removedByPeers(v));
    // The old holder sleeps on: the scheduler moves and ticks run elsewhere meanwhile. (Bounded:
    // whatever holds them up is collected below, the node woken, and the test fails at the end.)
    TickLog.Line next = cron.awaitTickElsewhere(f, before.host(), Duration.ofSeconds(45));
    List<String> stuck = next == null ? PgActivity.busySessions(cluster.database()) : List.of();
    CronWatch.Scheduler now = next == null ? null : cron.awaitScheduler(Duration.ofSeconds(60));

    long logBefore = Files.size(stale.log);
    long woke = System.currentTimeMillis();
    cluster.wake(v);
    // Downed while paused: it finds out, stops and exits 3 (rejoin checks the code and restarts).
    LocalNode.await(
        Duration.ofSeconds(90), before.host() + " exits after waking", () -> !stale.isAlive());
    byte[] all = Files.readAllBytes(stale.log);
    String staleLog =
        new String(
            all,
            (int) logBefore,
            all.length - (int) logBefore,
            java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(ChaosCluster.PauseOutcome.DOWNED_AND_RESTARTED, cluster.rejoin(v));
    cluster.awaitMembersUp(Duration.ofSeconds(120));
    cron.awaitTicking(Duration.ofSeconds(60));
    assertNoTickTwice();
    assertNotNull(
        next,
        "no run on another node while "
            + before.host()
            + " was paused (downed; woken "
            + (woke - f)
            + " ms after the SIGSTOP); journal sessions not idle then: "
            + stuck);
    assertNotEquals(before.host(), now.host());
    assertTrue(now.token() > before.token(), now.token() + " after " + before.token());

    // The stale incarnation dispatched nothing after it woke: a dispatch is logged only once its
    // TickStarted is in the journal, so a line with its old token would be a write that got
    // through.
    Matcher m = DISPATCHED.matcher(staleLog);
    if (m.find()) {
      throw new AssertionError(
          "the woken stale node (its scheduler had token "
              + before.token()
              + ") dispatched a run: "
              + m.group());
    }
    boolean journalRefused =
        staleLog.contains("Failed to persist") || staleLog.contains("duplicate key");
    boolean agentRefused = false;
    for (int i = 0; i < cluster.size(); i++) {
      agentRefused |= NodeLogs.firstAfter(cluster.node(i).log, "REFUSED", woke) >= 0;
    }
    String how =
        journalRefused
            ? "its journal write was refused (sequence number taken)"
            : agentRefused
                ? "an agent refused its dispatch (older fencing token)"
                : "it was stopped (downed) before it wrote anything";
    System.out.printf(
        "cron-failover-it (b) SIGSTOP %s (token %d): tick %s ran on %s %d ms later, scheduler on"
            + " %s with token %d; SIGCONT after %d ms: %s; no tick twice%n",
        before.host(),
        before.token(),
        next.tick(),
        cron.hostOf(next),
        next.writtenAtMillis() - f,
        now.host(),
        now.token(),
        woke - f,
        how);
    List<String> staleCron =
        staleLog
            .lines()
            .filter(l -> NodeLogs.time(l, woke).isPresent())
            .filter(l -> l.contains("cron") || l.contains("persist"))
            .map(l -> l.length() > 220 ? l.substring(0, 220) + "..." : l)
            .toList();
    System.out.println(
        "cron-failover-it (b) the stale node's cron lines after waking: " + staleCron);
  }
}
