package io.drover.actors.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.deploy.DeployEntity.BakeStarted;
import io.drover.actors.deploy.DeployEntity.Ended;
import io.drover.actors.deploy.DeployEntity.HostDone;
import io.drover.actors.deploy.DeployEntity.HostFailed;
import io.drover.actors.deploy.DeployEntity.HostProgressed;
import io.drover.actors.deploy.DeployEntity.HostSkipped;
import io.drover.actors.deploy.DeployEntity.HostStarted;
import io.drover.actors.deploy.DeployEntity.Paused;
import io.drover.actors.deploy.DeployEntity.Requested;
import io.drover.actors.deploy.DeployEntity.Resumed;
import io.drover.actors.deploy.DeployEntity.RevertLinked;
import io.drover.actors.deploy.DeployEntity.Settled;
import io.drover.actors.deploy.DeployEntity.Started;
import io.drover.actors.deploy.DeployState.HostRow;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeployStateTest {

  private static final long T0 = 1_000_000;

  private static DeployState started() {
    DeploySpec spec = DeployPlannerTest.spec(2, 2, 1, 10_000);
    return DeployState.empty()
        .apply(new Requested(spec))
        .apply(
            new Started(
                T0,
                Map.of("web", "rev1"),
                List.of(
                    new HostRow("c1", "a", true, HostState.PENDING, null, 0, 0, 0),
                    DeployPlannerTest.pending("h1", "a"),
                    DeployPlannerTest.pending("h2", "b")),
                Map.of("c1", List.of("web"), "h1", List.of("web"), "h2", List.of("web"))));
  }

  private static void assertNumberedWithoutGaps(DeployState s) {
    for (int i = 0; i < s.steps().size(); i++) {
      assertEquals(i + 1, s.steps().get(i).seq(), "step " + i + " of " + s.steps());
      assertEquals("d1", s.steps().get(i).deploy());
    }
  }

  @Test
  void emptyStateDoesNotExist() {
    assertFalse(DeployState.empty().exists());
    assertEquals(DeployStatus.QUEUED, DeployState.empty().status());
  }

  @Test
  void aWholeDeployNumbersItsStepsFromOneWithoutGaps() {
    DeployState s = started();
    assertEquals(DeployStatus.RUNNING, s.status());
    assertEquals(T0, s.startedAt());
    assertEquals(Map.of("web", "rev1"), s.previous());
    s =
        s.apply(new HostStarted("c1", T0 + 1))
            .apply(new HostProgressed("c1", HostState.FETCHING, 0, "web", T0 + 2))
            .apply(new HostProgressed("c1", HostState.REPLACING, 1, "web", T0 + 3))
            .apply(new HostDone("c1", T0 + 4))
            .apply(new BakeStarted(T0 + 4, T0 + 10_004))
            .apply(new RevertLinked("ignored-for-steps"))
            .apply(new HostStarted("h1", T0 + 20_000))
            .apply(new HostSkipped("h2", HostState.VANISHED, "gone", T0 + 20_001))
            .apply(new HostFailed("h1", "exit 1", T0 + 20_002))
            .apply(new Ended(DeployStatus.FAILED, "host h1 failed", "drover", T0 + 20_003, null))
            .apply(new Settled(T0 + 20_004));
    assertNumberedWithoutGaps(s);
    assertEquals(
        List.of(
            "deploy-queued",
            "deploy-started",
            "host-started",
            "host-progress",
            "instance-replaced",
            "host-done",
            "canary-baking",
            "host-started",
            "host-vanished",
            "host-failed",
            "deploy-ended"),
        s.steps().stream().map(Step::type).toList());
    assertTrue(s.settled());
    assertEquals(DeployStatus.FAILED, s.status());
    assertNull(s.abortedBy(), "only an aborted deploy names who aborted it");
    HostRow c1 = s.host("c1");
    assertEquals(HostState.DONE, c1.state());
    assertEquals(1, c1.replaced(), "the replaced count is kept through HostDone");
    assertEquals(T0 + 1, c1.startedAt());
    assertEquals(T0 + 4, c1.endedAt());
    assertEquals("exit 1", s.host("h1").reason());
    assertEquals(HostState.VANISHED, s.host("h2").state());
    assertEquals("gone", s.host("h2").reason());
  }

  @Test
  void hostProgressKeepsTheStartTime() {
    DeployState s =
        started()
            .apply(new HostStarted("h1", T0 + 5))
            .apply(new HostProgressed("h1", HostState.BUILDING, 0, "web", T0 + 50));
    assertEquals(T0 + 5, s.host("h1").startedAt());
    assertEquals(HostState.BUILDING, s.host("h1").state());
    assertEquals("building", s.steps().get(s.steps().size() - 1).state());
  }

  @Test
  void endedMarksPendingAndInFlightHostsSkippedAndKeepsFinishedOnes() {
    DeployState s =
        started()
            .apply(new HostStarted("c1", T0 + 1))
            .apply(new HostDone("c1", T0 + 2))
            .apply(new HostStarted("h1", T0 + 3))
            .apply(new Ended(DeployStatus.ABORTED, "stop", "ops", T0 + 4, null));
    assertEquals(DeployStatus.ABORTED, s.status());
    assertEquals(HostState.DONE, s.host("c1").state());
    assertEquals(
        HostState.SKIPPED, s.host("h1").state(), "every host ends: one in flight is skipped (I5)");
    assertEquals(T0 + 3, s.host("h1").startedAt(), "and keeps when it started");
    assertEquals(HostState.SKIPPED, s.host("h2").state());
    assertEquals("the deploy ended first", s.host("h2").reason());
    assertEquals(T0 + 4, s.host("h2").endedAt());
    assertEquals(T0 + 4, s.endedAt());
    assertEquals("stop", s.endReason());
    assertEquals("ops", s.endedBy());
    assertEquals("ops", s.abortedBy(), "who aborted it, read from the Ended event");
    assertEquals("ops", DeployView.of(s).abortedBy());
    assertNull(s.revertedBy());
    Step last = s.steps().get(s.steps().size() - 1);
    assertEquals("deploy-ended", last.type());
    assertEquals("aborted", last.state());
  }

  @Test
  void endedWithARevertLinksIt() {
    DeployState s =
        started().apply(new Ended(DeployStatus.FAILED, "x", "drover", T0 + 1, "d1-revert"));
    assertEquals("d1-revert", s.revertedBy());
    DeployState linked =
        started()
            .apply(new Ended(DeployStatus.SUCCEEDED, "ok", "drover", T0 + 1, null))
            .apply(new RevertLinked("d1-revert"));
    assertEquals("d1-revert", linked.revertedBy());
    assertEquals(DeployStatus.SUCCEEDED, linked.status());
  }

  @Test
  void resumedAddsThePausedTimeAndShiftsTheBake() {
    DeployState s =
        started()
            .apply(new BakeStarted(T0 + 100, T0 + 10_100))
            .apply(new Paused("ops", "look", T0 + 1_000));
    assertEquals(DeployStatus.PAUSED, s.status());
    assertEquals(T0 + 1_000, s.pausedAt());
    s = s.apply(new Resumed("ops", T0 + 4_000));
    assertEquals(DeployStatus.RUNNING, s.status());
    assertEquals(0, s.pausedAt());
    assertEquals(3_000, s.pausedMillis());
    assertEquals(T0 + 13_100, s.bakeUntil(), "the bake does not run while paused");

    s = s.apply(new Paused("ops", null, T0 + 5_000)).apply(new Resumed("ops", T0 + 5_500));
    assertEquals(3_500, s.pausedMillis(), "pauses add up");
    assertEquals(T0 + 13_600, s.bakeUntil());
    assertNumberedWithoutGaps(s);
  }

  @Test
  void resumedWithoutABakeLeavesItUnset() {
    DeployState s =
        started().apply(new Paused("ops", null, T0 + 10)).apply(new Resumed("ops", T0 + 20));
    assertEquals(0, s.bakeUntil());
    assertEquals(10, s.pausedMillis());
  }

  @Test
  void theStepCapKeepsTheFirstStepAndTheNewest() {
    DeployState s = started();
    int extra = DeployState.MAX_STEPS + 10;
    for (int i = 0; i < extra; i++) {
      s = s.apply(new HostProgressed("h1", HostState.REPLACING, i, "web", T0 + i));
    }
    long total = 2 + extra;
    List<Step> steps = s.steps();
    assertEquals(DeployState.MAX_STEPS, steps.size());
    assertEquals(1, steps.get(0).seq());
    assertEquals("deploy-queued", steps.get(0).type(), "the first step is kept");
    assertEquals(total, steps.get(steps.size() - 1).seq(), "numbering goes on");
    for (int i = 2; i < steps.size(); i++) {
      assertEquals(steps.get(i - 1).seq() + 1, steps.get(i).seq(), "newest steps contiguous");
    }
    assertEquals(total - DeployState.MAX_STEPS + 2, steps.get(1).seq());
    s = s.apply(new Ended(DeployStatus.SUCCEEDED, "ok", "drover", T0, null));
    assertEquals(DeployState.MAX_STEPS, s.steps().size());
    assertEquals(total + 1, s.steps().get(s.steps().size() - 1).seq());
  }
}
