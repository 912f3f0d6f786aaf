package io.drover.actors.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.deploy.DeployPlanner.Bake;
import io.drover.actors.deploy.DeployPlanner.Decision;
import io.drover.actors.deploy.DeployPlanner.End;
import io.drover.actors.deploy.DeployPlanner.FailHost;
import io.drover.actors.deploy.DeployPlanner.StartHosts;
import io.drover.actors.deploy.DeployPlanner.Wait;
import io.drover.actors.deploy.DeployState.HostRow;
import io.drover.actors.site.SiteRollout.Step;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeployPlannerTest {

  private static final long T0 = 1_000_000;
  private static final long MIN = 60_000;

  /** parallel, perPool, canaries per pool, bake, host deadline 5m, deploy deadline 60m. */
  static DeploySpec spec(int parallel, int perPool, int canaryPerPool, long bakeMillis) {
    return new DeploySpec(
        "d1",
        List.of("web"),
        Map.of("web", "rev2"),
        "rev2",
        parallel,
        perPool,
        canaryPerPool,
        bakeMillis,
        5 * MIN,
        60 * MIN,
        true,
        3,
        "seed",
        "test",
        "tester",
        false,
        null,
        T0);
  }

  static HostRow row(String host, String pool, boolean canary, HostState state, long startedAt) {
    return new HostRow(host, pool, canary, state, null, 0, startedAt, 0);
  }

  static HostRow pending(String host, String pool) {
    return row(host, pool, false, HostState.PENDING, 0);
  }

  static DeployState state(
      DeploySpec spec,
      DeployStatus status,
      List<HostRow> rows,
      long pausedAt,
      long pausedMillis,
      long bakeUntil) {
    return new DeployState(
        spec,
        status,
        Map.of("web", "rev1"),
        List.copyOf(rows),
        Map.of(),
        T0,
        0,
        null,
        null,
        pausedAt,
        pausedMillis,
        bakeUntil,
        null,
        false,
        List.of(),
        List.of());
  }

  static DeployState running(DeploySpec spec, List<HostRow> rows) {
    return state(spec, DeployStatus.RUNNING, rows, 0, 0, 0);
  }

  private static List<String> started(Decision d) {
    return assertInstanceOf(StartHosts.class, d).hosts();
  }

  /** Six hosts, pools a, b, a, b, a, b in deploy order, all pending. */
  private static List<HostRow> sixPending() {
    List<HostRow> rows = new ArrayList<>();
    for (int i = 1; i <= 6; i++) {
      rows.add(pending("h" + i, i % 2 == 1 ? "a" : "b"));
    }
    return rows;
  }

  @Test
  void startsUpToParallelHostsInDeployOrder() {
    assertEquals(
        List.of("h1", "h2", "h3"),
        started(DeployPlanner.next(running(spec(3, 10, 0, 0), sixPending()), T0)));
  }

  @Test
  void hostsInProgressCountAgainstParallel() {
    List<HostRow> rows = sixPending();
    rows.set(0, row("h1", "a", false, HostState.FETCHING, T0));
    rows.set(1, row("h2", "b", false, HostState.REPLACING, T0));
    rows.set(2, row("h3", "a", false, HostState.DONE, T0));
    assertEquals(List.of("h4"), started(DeployPlanner.next(running(spec(3, 10, 0, 0), rows), T0)));
    rows.set(3, row("h4", "b", false, HostState.BUILDING, T0));
    assertSame(Wait.INSTANCE, DeployPlanner.next(running(spec(3, 10, 0, 0), rows), T0));
  }

  @Test
  void perPoolLimitSkipsToTheNextPoolWithoutBreakingOrder() {
    // perPool 1: one of pool a and one of pool b, the first of each in deploy order
    assertEquals(
        List.of("h1", "h2"),
        started(DeployPlanner.next(running(spec(10, 1, 0, 0), sixPending()), T0)));
    // perPool 2 with a pool-a host already running: one more of a, two of b
    List<HostRow> rows = sixPending();
    rows.set(0, row("h1", "a", false, HostState.REPLACING, T0));
    assertEquals(
        List.of("h2", "h3", "h4"),
        started(DeployPlanner.next(running(spec(10, 2, 0, 0), rows), T0)));
  }

  @Test
  void parallelAndPerPoolTogetherNeverExceedEither() {
    List<HostRow> rows = new ArrayList<>();
    for (int i = 0; i < 40; i++) {
      rows.add(pending("h" + i, "p" + (i % 4)));
    }
    List<String> go = started(DeployPlanner.next(running(spec(7, 2, 0, 0), rows), T0));
    assertEquals(7, go.size());
    Map<String, Long> perPool =
        go.stream()
            .collect(
                java.util.stream.Collectors.groupingBy(
                    h -> "p" + (Integer.parseInt(h.substring(1)) % 4),
                    java.util.stream.Collectors.counting()));
    assertTrue(perPool.values().stream().allMatch(n -> n <= 2), perPool.toString());
  }

  @Test
  void canariesGoFirstAndAloneUntilTheyAreTerminal() {
    List<HostRow> rows = new ArrayList<>();
    rows.add(row("c1", "a", true, HostState.PENDING, 0));
    rows.add(row("c2", "b", true, HostState.PENDING, 0));
    rows.add(pending("h1", "a"));
    rows.add(pending("h2", "b"));
    DeploySpec spec = spec(10, 10, 1, 0);
    assertEquals(List.of("c1", "c2"), started(DeployPlanner.next(running(spec, rows), T0)));

    rows.set(0, row("c1", "a", true, HostState.DONE, T0));
    rows.set(1, row("c2", "b", true, HostState.REPLACING, T0));
    assertSame(
        Wait.INSTANCE,
        DeployPlanner.next(running(spec, rows), T0 + 1),
        "a canary still in progress: no other host starts");

    rows.set(1, row("c2", "b", true, HostState.SKIPPED, T0));
    assertEquals(
        List.of("h1", "h2"),
        started(DeployPlanner.next(running(spec, rows), T0 + 2)),
        "canaries terminal, no bake: the rest goes");
  }

  @Test
  void canariesThenBakeThenTheRest() {
    DeploySpec spec = spec(10, 10, 1, 30_000);
    List<HostRow> rows = new ArrayList<>();
    rows.add(row("c1", "a", true, HostState.DONE, T0));
    rows.add(pending("h1", "a"));
    rows.add(pending("h2", "a"));

    Bake bake = assertInstanceOf(Bake.class, DeployPlanner.next(running(spec, rows), T0 + 100));
    assertEquals(T0 + 100 + 30_000, bake.until());

    DeployState baking = state(spec, DeployStatus.RUNNING, rows, 0, 0, bake.until());
    assertSame(Wait.INSTANCE, DeployPlanner.next(baking, T0 + 100));
    assertSame(Wait.INSTANCE, DeployPlanner.next(baking, bake.until() - 1));
    assertEquals(List.of("h1", "h2"), started(DeployPlanner.next(baking, bake.until())));
  }

  @Test
  void noCanaryMeansNoBake() {
    DeploySpec spec = spec(10, 10, 0, 30_000);
    assertEquals(
        List.of("h1", "h2"),
        started(
            DeployPlanner.next(
                running(spec, List.of(pending("h1", "a"), pending("h2", "a"))), T0)));
  }

  @Test
  void pauseStopsNewHostsButDeadlinesAndFailuresStillDecide() {
    DeploySpec spec = spec(10, 10, 0, 0);
    List<HostRow> rows = new ArrayList<>();
    rows.add(row("h1", "a", false, HostState.REPLACING, T0));
    rows.add(pending("h2", "a"));
    DeployState paused = state(spec, DeployStatus.PAUSED, rows, T0 + 10, 0, 0);
    assertSame(Wait.INSTANCE, DeployPlanner.next(paused, T0 + 20), "no new host while paused");

    FailHost fail = assertInstanceOf(FailHost.class, DeployPlanner.next(paused, T0 + 5 * MIN + 1));
    assertEquals("h1", fail.host(), "the host deadline still counts while paused");
    assertTrue(fail.reason().contains("host deadline"), fail.reason());

    rows.set(0, row("h1", "a", false, HostState.FAILED, T0));
    End end =
        assertInstanceOf(
            End.class,
            DeployPlanner.next(state(spec, DeployStatus.PAUSED, rows, T0 + 10, 0, 0), T0 + 20));
    assertEquals(DeployStatus.FAILED, end.status());
  }

  @Test
  void aHostPastItsDeadlineFails() {
    DeploySpec spec = spec(10, 10, 0, 0);
    List<HostRow> rows = List.of(row("h1", "a", false, HostState.BUILDING, T0 + 1000));
    assertSame(
        Wait.INSTANCE, DeployPlanner.next(running(spec, rows), T0 + 1000 + 5 * MIN), "not yet");
    FailHost fail =
        assertInstanceOf(
            FailHost.class, DeployPlanner.next(running(spec, rows), T0 + 1000 + 5 * MIN + 1));
    assertEquals("h1", fail.host());
    assertTrue(fail.reason().contains("5m") && fail.reason().contains("building"), fail.reason());
  }

  @Test
  void theDeployDeadlineEndsItFailedAndPausedTimeDoesNotCount() {
    DeploySpec spec = spec(10, 10, 0, 0);
    // a pending host that cannot start (paused long ago and resumed): keep hosts out of the way
    List<HostRow> rows = List.of(row("h1", "a", false, HostState.DONE, T0), pending("h2", "a"));
    long deadline = T0 + 60 * MIN;
    assertInstanceOf(StartHosts.class, DeployPlanner.next(running(spec, rows), deadline));
    End end = assertInstanceOf(End.class, DeployPlanner.next(running(spec, rows), deadline + 1));
    assertEquals(DeployStatus.FAILED, end.status());
    assertTrue(end.reason().contains("deploy deadline"), end.reason());
    assertTrue(end.reason().contains("1 of 2 hosts done"), end.reason());

    // ten minutes paused before: the deadline moves by ten minutes
    DeployState resumed = state(spec, DeployStatus.RUNNING, rows, 0, 10 * MIN, 0);
    assertInstanceOf(StartHosts.class, DeployPlanner.next(resumed, deadline + 1));
    assertInstanceOf(End.class, DeployPlanner.next(resumed, deadline + 10 * MIN + 1));

    // paused now since 30 minutes in: the current pause does not count either
    DeployState paused = state(spec, DeployStatus.PAUSED, rows, T0 + 30 * MIN, 0, 0);
    assertSame(Wait.INSTANCE, DeployPlanner.next(paused, deadline + 20 * MIN));
    assertEquals(20 * MIN, DeployPlanner.pausedSoFar(paused, T0 + 50 * MIN));
  }

  @Test
  void aFailedHostEndsTheDeployFailedWithItsReason() {
    DeploySpec spec = spec(10, 10, 0, 0);
    List<HostRow> rows =
        List.of(
            new HostRow("h1", "a", false, HostState.FAILED, "exit 1: boom", 0, T0, T0 + 5),
            pending("h2", "a"));
    End end = assertInstanceOf(End.class, DeployPlanner.next(running(spec, rows), T0 + 10));
    assertEquals(DeployStatus.FAILED, end.status());
    assertEquals("host h1 failed: exit 1: boom", end.reason());
  }

  @Test
  void allTerminalSucceedsCountingSkippedAndVanished() {
    DeploySpec spec = spec(10, 10, 0, 0);
    List<HostRow> rows =
        List.of(
            row("h1", "a", false, HostState.DONE, T0),
            row("h2", "a", false, HostState.DONE, T0),
            row("h3", "a", false, HostState.SKIPPED, T0),
            row("h4", "b", false, HostState.VANISHED, T0));
    End end = assertInstanceOf(End.class, DeployPlanner.next(running(spec, rows), T0 + 10));
    assertEquals(DeployStatus.SUCCEEDED, end.status());
    assertEquals("2 hosts done, 1 skipped, 1 vanished", end.reason());
    assertEquals(List.of("h1", "h2"), DeployPlanner.doneHosts(running(spec, rows)));
  }

  @Test
  void anEndedOrQueuedDeployWaits() {
    DeploySpec spec = spec(10, 10, 0, 0);
    for (DeployStatus st :
        List.of(DeployStatus.QUEUED, DeployStatus.SUCCEEDED, DeployStatus.ABORTED)) {
      assertSame(
          Wait.INSTANCE,
          DeployPlanner.next(state(spec, st, sixPending(), 0, 0, 0), T0 + 100 * MIN),
          st.json());
    }
  }

  @Test
  void combineTakesTheLeastAdvancedStepOfTheHostsSites() {
    assertEquals(HostState.DONE, DeployPlanner.combine(List.of(Step.DONE, Step.DONE), 2));
    assertEquals(
        HostState.REPLACING,
        DeployPlanner.combine(List.of(Step.DONE), 2),
        "a site that did not report yet counts as replacing");
    assertEquals(HostState.REPLACING, DeployPlanner.combine(List.of(), 1));
    assertEquals(
        HostState.FAILED,
        DeployPlanner.combine(List.of(Step.DONE, Step.FETCHING, Step.FAILED), 3),
        "one failed site fails the host");
    assertEquals(
        HostState.FETCHING, DeployPlanner.combine(List.of(Step.BUILDING, Step.FETCHING), 2));
    assertEquals(
        HostState.FETCHING, DeployPlanner.combine(List.of(Step.FETCHING, Step.BUILDING), 2));
    assertEquals(
        HostState.BUILDING, DeployPlanner.combine(List.of(Step.REPLACING, Step.BUILDING), 2));
    assertEquals(
        HostState.BUILDING, DeployPlanner.combine(List.of(Step.BUILDING, Step.REPLACING), 2));
    assertEquals(HostState.REPLACING, DeployPlanner.combine(List.of(Step.DONE, Step.REPLACING), 2));
  }

  @Test
  void revertIdsStayShort() {
    assertEquals("d1-revert", DeployPlanner.revertId("d1"));
    String longId = "x".repeat(64);
    assertEquals(64, DeployPlanner.revertId(longId).length());
    assertTrue(DeployPlanner.revertId(longId).endsWith("-revert"));
  }
}
