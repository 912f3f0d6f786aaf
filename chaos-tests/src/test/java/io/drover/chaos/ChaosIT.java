package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.chaos.ChaosCluster.Network;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInfo;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * The failure layers of DESIGN.md against three real nodes on one PostgreSQL journal, checked
 * against the OS: a killed host's instances are replaced after the grace; a pause shorter than the
 * grace moves nothing; a pause longer than the grace gets a replacement and the old copy is killed
 * on waking; a pause longer than down-after gets the node downed and fenced; a kill of the node
 * holding the cron scheduler moves it without running a tick twice; a full-cluster restart loses no
 * acknowledged site. A cronjob {@code @every 1s} runs throughout the loopback scenarios, and I3 (no
 * tick twice, no tick missed without a record) is checked over all of them at the end. One loopback
 * cluster serves these scenarios (in order) to keep the class within a few minutes on 2 cores; each
 * scenario starts from a healthy cluster. Grace 5 s (the default) and down-after 15 s keep the two
 * layers apart, so each scenario hits the one it means to. The last scenario, network partitions,
 * needs nodes in network namespaces: it runs on a cluster of its own (after the loopback one is
 * stopped), and is skipped with the reason where the machine does not allow it.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ChaosIT {

  private static final Duration GRACE = Duration.ofSeconds(5);
  private static final Duration DOWN_AFTER = Duration.ofSeconds(15);

  private Path work;
  private ChaosCluster cluster;
  private ChaosRunner runner;
  private CronWatch cron;
  private final History history = new History(System.out);

  /** The loopback cluster, started by the first scenario that needs it. */
  private void startCluster() throws Exception {
    work = Files.createTempDirectory("drover-chaos-it-");
    cluster =
        ChaosCluster.start(
            new ChaosCluster.Config(3, 4, GRACE, DOWN_AFTER, ChaosCluster.App.LIGHT, work),
            history);
    cron = CronWatch.start(cluster, work);
    runner = new ChaosRunner(cluster, cron);
  }

  @AfterAll
  void stopCluster() {
    if (cluster != null) {
      runner.report().print(System.out);
      cron.close();
      cluster.close();
      cluster = null;
      System.out.println("chaos-it: node logs under " + work);
    }
  }

  /**
   * Every loopback scenario starts with every node Up and I1 holding. (The partition scenario,
   * tagged {@code netns}, brings its own cluster.)
   */
  @BeforeEach
  void healthy(TestInfo test) throws Exception {
    if (test.getTags().contains("netns")) {
      return;
    }
    if (cluster == null) {
      startCluster();
    }
    cluster.resumeAll();
    for (int i = 0; i < cluster.size(); i++) {
      if (!cluster.node(i).isAlive()) {
        cluster.restart(i);
      }
    }
    cluster.awaitMembersUp(Duration.ofSeconds(90));
    cluster.awaitTwice(Duration.ofSeconds(90), "before the scenario");
  }

  /** The host running the most instances (so a fault there moves something). */
  private int busiestHost() {
    return busiestHost(cluster, 0);
  }

  /** The busiest host of {@code cluster} among nodes {@code from}.. (0-based). */
  private static int busiestHost(ChaosCluster cluster, int from) {
    Map<String, Long> count =
        cluster.processes().stream()
            .filter(p -> cluster.indexOf(p.host()) >= from)
            .collect(Collectors.groupingBy(Observation.Proc::host, Collectors.counting()));
    String host =
        count.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    return cluster.indexOf(host);
  }

  private Map<String, Long> pidsOn(String host) {
    return pidsOn(cluster, host);
  }

  private static Map<String, Long> pidsOn(ChaosCluster cluster, String host) {
    Map<String, Long> out = new HashMap<>();
    for (Observation.Proc p : cluster.processes()) {
      if (p.host().equals(host)) {
        out.put(p.instanceId(), p.pid());
      }
    }
    return out;
  }

  private void assertClean(String scenario) {
    assertClean(runner, scenario);
  }

  private static void assertClean(ChaosRunner runner, String scenario) {
    ChaosRunner.Report r = runner.report();
    if (!r.clean()) {
      r.print(System.out);
    }
    assertTrue(r.clean(), scenario + ": " + r.violations.size() + " violation(s), see the report");
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  @Order(1)
  void killedHostIsReplacedAfterTheGraceAndRejoinsEmpty() throws Exception {
    // The first seed node on purpose: restarted on a busy machine it once formed a second cluster
    // beside the running one; now, having run before, it waits up to drover.rejoin-seed-timeout
    // for the others. awaitMembersUp below and I1/I2 (no site twice on it) check it rejoined.
    int i = 0;
    String host = cluster.host(i);
    Map<String, Long> before = pidsOn(host);

    runner.apply(new FaultPlan.Fault(FaultPlan.Kind.KILL, i, Duration.ZERO));

    assertClean("kill " + host);
    cluster.awaitMembersUp(Duration.ofSeconds(30));
    if (!before.isEmpty()) {
      double failover = runner.report().failover.get(runner.report().failover.size() - 1).millis();
      System.out.printf(
          "chaos-it (a) kill %s: failover %.0f ms (grace %s)%n", host, failover, GRACE);
      assertTrue(failover >= GRACE.toMillis(), "replaced before the grace: " + failover + " ms");
    }
    for (Map.Entry<String, Long> e : before.entrySet()) {
      assertFalse(alive(e.getValue()), e + " still runs");
    }
    // Restarted, the node starts empty: none of its old instances runs anywhere.
    Set<String> running =
        cluster.processes().stream().map(Observation.Proc::instanceId).collect(Collectors.toSet());
    for (String old : before.keySet()) {
      assertFalse(running.contains(old), old + " runs again after the restart");
    }
    // ... and takes new instances: a third s1 goes to the one host without s1.
    Set<String> s1Hosts =
        cluster.processes().stream()
            .filter(p -> p.site().equals("s1"))
            .map(Observation.Proc::host)
            .collect(Collectors.toSet());
    if (!s1Hosts.contains(host)) {
      cluster.putSite("s1", 3);
      LocalNode.await(
          Duration.ofSeconds(60),
          "a third s1 instance placed on the restarted " + host,
          () ->
              cluster.processes().stream()
                  .anyMatch(p -> p.site().equals("s1") && p.host().equals(host)));
      cluster.putSite("s1", 2);
    }
  }

  @Test
  @Order(2)
  void pauseShorterThanTheGraceMovesNothing() throws Exception {
    int i = busiestHost();
    Map<String, Map<String, Long>> before = cluster.pidsBySite();
    Duration pause = GRACE.dividedBy(2);
    ChaosCluster.PauseOutcome out = cluster.pause(i, pause);
    assertEquals(ChaosCluster.PauseOutcome.RESUMED, out);
    // For two reconcile intervals, in which something could have moved, nothing is re-placed nor
    // restarted: sampled throughout, every sample shows the same instances with the same pids.
    long until = System.nanoTime() + ChaosCluster.RECONCILE.multipliedBy(2).toNanos();
    int samples = 0;
    while (System.nanoTime() < until || samples == 0) {
      assertEquals(
          before, cluster.pidsBySite(), "same instances, same pids (sample " + samples + ")");
      samples++;
    }
    cluster.awaitTwice(Duration.ofSeconds(30), "after a short pause");
    assertEquals(before, cluster.pidsBySite(), "same instances, same pids");
    assertTrue(cluster.noStaleCopies());
    System.out.printf(
        "chaos-it (b) pause %s for %d ms: nothing moved%n", cluster.host(i), pause.toMillis());
  }

  @Test
  @Order(3)
  void pauseLongerThanTheGraceGetsAReplacementAndTheOldCopyIsKilledOnWaking() throws Exception {
    int i = busiestHost();
    String host = cluster.host(i);
    Map<String, Long> old = pidsOn(host);
    Map<String, String> siteOf = new HashMap<>();
    cluster.processes().forEach(p -> siteOf.put(p.instanceId(), p.site()));
    long t0 = System.nanoTime();
    cluster.stop(i);
    // Paused until a site with an instance there is two-ready without it: longer than the grace,
    // short of downing. (A site whose entity sits on the paused node does not answer and cannot
    // fail over before the downing: DESIGN.md's second layer. Those are left alone.)
    Set<String> replacedSites = new java.util.TreeSet<>();
    LocalNode.await(
        DOWN_AFTER.plus(GRACE).minusSeconds(2),
        "a replacement while " + host + " is paused",
        () -> {
          Observation o = cluster.observe();
          if (!Invariants.twice(o).isEmpty()) {
            return false;
          }
          for (Observation.Site site : o.sites()) {
            boolean hadOne =
                old.keySet().stream().anyMatch(id -> site.name().equals(siteOf.get(id)));
            if (hadOne) {
              replacedSites.add(site.name());
            }
          }
          return !replacedSites.isEmpty();
        });
    Duration failover = Duration.ofNanos(System.nanoTime() - t0);
    assertTrue(failover.compareTo(GRACE) >= 0, "replaced before the grace: " + failover.toMillis());
    for (Map.Entry<String, Long> e : old.entrySet()) {
      assertTrue(alive(e.getValue()), "the paused host's instances keep running: " + e);
    }
    ChaosCluster.PauseOutcome out = cluster.resume(i);
    long paused = System.nanoTime() - t0;
    assertEquals(ChaosCluster.PauseOutcome.RESUMED, out, "resumed before down-after: not downed");
    // On waking, the copies with the older epoch stop, once their replacements are ready (I2).
    List<Long> stale =
        old.entrySet().stream()
            .filter(e -> replacedSites.contains(siteOf.get(e.getKey())))
            .map(Map.Entry::getValue)
            .toList();
    LocalNode.await(
        ChaosCluster.RECONCILE.plus(ChaosRunner.I2_SLACK),
        "old copies on " + host + " stopped",
        () -> stale.stream().noneMatch(ChaosIT::alive));
    LocalNode.await(
        ChaosCluster.RECONCILE.plus(ChaosRunner.I2_SLACK), "I2", cluster::noStaleCopies);
    cluster.awaitTwice(Duration.ofSeconds(30), "after waking");
    System.out.printf(
        "chaos-it (c) pause %s for %d ms: sites %s replaced %d ms into the pause, %d old copies"
            + " killed on waking%n",
        host, paused / 1000000, replacedSites, failover.toMillis(), stale.size());
  }

  @Test
  @Order(4)
  void pauseLongerThanDownAfterDownsTheNodeWhichFencesItselfAndRejoins() throws Exception {
    int i = busiestHost();
    String host = cluster.host(i);
    Map<String, Long> old = pidsOn(host);
    long nodePid = cluster.node(i).pid();
    long t0 = System.nanoTime();
    cluster.stop(i);
    LocalNode.await(
        DOWN_AFTER.plusSeconds(40),
        host + " removed by its peers",
        () -> cluster.removedByPeers(i));
    long removed = System.nanoTime() - t0;
    ChaosCluster.PauseOutcome out = cluster.resume(i);
    assertEquals(ChaosCluster.PauseOutcome.DOWNED_AND_RESTARTED, out);
    assertTrue(cluster.node(i).readLog().contains("fenced"), "the fencing line is logged");
    assertFalse(alive(nodePid));
    for (Map.Entry<String, Long> e : old.entrySet()) {
      assertFalse(alive(e.getValue()), "fenced: its instance " + e + " stopped");
    }
    // Sites whose entity lived on the downed node answer once their shard has a new home.
    cluster.awaitTwice(Duration.ofSeconds(120), "after the downed node rejoined");
    LocalNode.await(
        ChaosCluster.RECONCILE.plus(ChaosRunner.I2_SLACK), "I2", cluster::noStaleCopies);
    System.out.printf(
        "chaos-it (d) pause %s: removed by peers %d ms into the pause; exited 3, restarted as a new"
            + " incarnation%n",
        host, removed / 1000000);
  }

  @Test
  @Order(5)
  void killingTheCronSchedulersNodeMovesItWithoutRunningATickTwice() throws Exception {
    int before = runner.report().cronFailover.size();
    runner.apply(FaultPlan.Fault.ofScheduler(FaultPlan.Kind.KILL, 1, Duration.ZERO));
    assertClean("kill of the cron scheduler's node");
    List<ChaosRunner.Report.Sample> c = runner.report().cronFailover;
    assertEquals(before + 1, c.size(), "a tick after the kill ran on another node");
    System.out.printf(
        "chaos-it (e) %s: the next tick ran on another node %.0f ms later%n",
        c.get(c.size() - 1).fault(), c.get(c.size() - 1).millis());
  }

  @Test
  @Order(6)
  void fullClusterRestartLosesNoAcknowledgedSiteAndRunsNoTickTwice() throws Exception {
    cluster.putSite("s-late", 2);
    cluster.awaitTwice(Duration.ofSeconds(60), "s-late placed");
    List<Long> before =
        cluster.processes().stream()
            .map(Observation.Proc::pid)
            .sorted(Comparator.naturalOrder())
            .collect(Collectors.toCollection(ArrayList::new));
    long t0 = System.nanoTime();
    cluster.killAllAndRestart();
    for (long pid : before) {
      assertFalse(alive(pid), "every old instance died with its host: " + pid);
    }
    cluster.awaitTwice(Duration.ofSeconds(120), "after the full restart");
    runner.checkNothingLost();
    cron.awaitTicking(Duration.ofSeconds(60));
    // I3 over every loopback scenario: no tick twice, every tick without a run recorded.
    runner.checkOnce();
    assertClean("full restart");
    assertTrue(cluster.noStaleCopies());
    System.out.printf(
        "chaos-it (f) full restart: %d acknowledged sites back, all twice %d ms after the kill;"
            + " cron over all scenarios: %s%n",
        cluster.acknowledged().size(),
        Duration.ofNanos(System.nanoTime() - t0).toMillis(),
        runner.report().cron);
  }

  @Test
  @Order(7)
  @Tag("netns")
  void partitionCutsAMinorityOffWhichIsDownedFencesItselfAndRejoins() throws Exception {
    String reason = ChaosCluster.partitionUnsupportedReason();
    if (reason != null) {
      System.out.println("chaos-it: partition SKIPPED: " + reason);
    }
    Assumptions.assumeTrue(reason == null, reason);
    // Two clusters at once would starve 2 cores: the loopback scenarios are done with theirs.
    stopCluster();
    Path netWork = Files.createTempDirectory("drover-chaos-it-netns-");
    System.out.println("chaos-it: partition scenarios, node logs under " + netWork);
    ChaosCluster c =
        ChaosCluster.start(
            new ChaosCluster.Config(
                3, 4, GRACE, DOWN_AFTER, ChaosCluster.App.LIGHT, netWork, Network.NETNS),
            history);
    ChaosRunner r = new ChaosRunner(c);
    try {
      partitionShorterThanDownAfter(c, r);
      partitionLongerThanDownAfter(c, r);
      r.checkNothingLost();
      assertClean(r, "partitions");
      System.out.printf(
          "chaos-it (i) after the partitions: all %d acknowledged sites there (I4)%n",
          c.acknowledged().size());
    } finally {
      r.report().print(System.out);
      c.close();
    }
  }

  /**
   * (g) A minority cut off for longer than the grace but shorter than the downing: the majority
   * replaces its instances; once the partition heals the minority is a member again and the copies
   * with the older epoch are gone within one reconcile interval (I2), through {@link ChaosRunner}.
   */
  private static void partitionShorterThanDownAfter(ChaosCluster c, ChaosRunner r)
      throws Exception {
    c.awaitMembersUp(Duration.ofSeconds(90));
    c.awaitTwice(Duration.ofSeconds(90), "before the partition");
    int i = busiestHost(c, 1);
    Map<String, Long> old = pidsOn(c, c.host(i));
    long nodePid = c.node(i).pid();
    Duration d = GRACE.plusSeconds(7);
    long t0 = System.nanoTime();
    r.apply(FaultPlan.Fault.partition(List.of(i), d));
    assertClean(r, "partition shorter than down-after");
    assertEquals(nodePid, c.node(i).pid(), c.host(i) + " not downed by a partition of " + d);
    long gone = old.values().stream().filter(pid -> !alive(pid)).count();
    System.out.printf(
        "chaos-it (g) partition %s from the rest for %d ms: stayed a member; %d of its %d"
            + " instance(s) replaced and stopped after healing, I1 and I2 held %d ms after the"
            + " cut%n",
        c.host(i), d.toMillis(), gone, old.size(), (System.nanoTime() - t0) / 1000000);
  }

  /**
   * (h) A minority cut off past down-after: keep-majority downs it, it stops its instances and
   * exits 3 while still cut off, I1 holds on the majority within grace + down-after + slack; healed
   * and restarted on its data directory it rejoins empty, and I2 and I1 hold.
   */
  private static void partitionLongerThanDownAfter(ChaosCluster c, ChaosRunner r) throws Exception {
    c.awaitMembersUp(Duration.ofSeconds(90));
    c.awaitTwice(Duration.ofSeconds(90), "before the partition");
    // Not the first seed: scenario (a) already restarts that one next to a running cluster.
    int i = busiestHost(c, 1);
    String host = c.host(i);
    Map<String, Long> old = pidsOn(c, host);
    assertFalse(old.isEmpty(), host + " runs instances");
    long nodePid = c.node(i).pid();
    Set<Integer> rest = new TreeSet<>();
    for (int n = 0; n < c.size(); n++) {
      if (n != i) {
        rest.add(n);
      }
    }
    long t0 = System.nanoTime();
    c.partition(Set.of(i), rest);
    long[] exitedAt = {0};
    long[] i1At = {0};
    Duration within = r.i1Deadline();
    LocalNode.await(
        within,
        host + " fenced itself and I1 holds on the majority",
        () -> {
          if (exitedAt[0] == 0 && !c.node(i).isAlive()) {
            exitedAt[0] = System.nanoTime();
          }
          if (i1At[0] == 0) {
            Observation o = c.observe();
            if (c.complete(o) && Invariants.twice(o).isEmpty()) {
              i1At[0] = System.nanoTime();
            }
          }
          return exitedAt[0] != 0 && i1At[0] != 0;
        });
    int code = c.node(i).awaitExit(Duration.ofSeconds(1));
    assertEquals(3, code, "the downed minority node exits 3");
    assertTrue(c.node(i).readLog().contains("fenced"), "the fencing line is logged");
    assertFalse(alive(nodePid));
    for (Map.Entry<String, Long> e : old.entrySet()) {
      assertFalse(alive(e.getValue()), "fenced: its instance " + e + " stopped");
    }
    assertTrue(
        c.processes().stream().noneMatch(p -> p.host().equals(host)),
        "no instance process of " + host + " in /proc");
    long th = System.nanoTime();
    assertEquals(Set.of(i), c.heal());
    assertEquals(ChaosCluster.PauseOutcome.DOWNED_AND_RESTARTED, c.rejoin(i));
    c.awaitMembersUp(Duration.ofSeconds(60));
    long rejoined = System.nanoTime();
    // Sites whose entity moved answer once their shard has a home; then I2 within a reconcile.
    c.awaitTwice(Duration.ofSeconds(120), "after the partition healed");
    LocalNode.await(ChaosCluster.RECONCILE.plus(ChaosRunner.I2_SLACK), "I2", c::noStaleCopies);
    long i2At = System.nanoTime();
    System.out.printf(
        "chaos-it (h) partition {%s} | %s: %s exited 3 %d ms after the cut (%d instance(s)"
            + " stopped, none in /proc), I1 on the majority %d ms after the cut (deadline %d s);"
            + " healed, restarted and Up again in %d ms; I2 and I1 held %d ms after healing%n",
        host,
        rest.stream().map(c::host).toList(),
        host,
        (exitedAt[0] - t0) / 1000000,
        old.size(),
        (i1At[0] - t0) / 1000000,
        within.toSeconds(),
        (rejoined - th) / 1000000,
        (i2At - th) / 1000000);
  }
}
