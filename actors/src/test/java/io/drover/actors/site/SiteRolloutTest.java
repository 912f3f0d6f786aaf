package io.drover.actors.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.drover.actors.agent.InstanceState;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.site.SiteEntity.Placed;
import io.drover.actors.site.SiteEntity.RolloutEnded;
import io.drover.actors.site.SiteEntity.RolloutStarted;
import io.drover.actors.site.SiteEntity.State;
import io.drover.actors.site.SiteRollout.Progress;
import io.drover.actors.site.SiteRollout.Step;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The pure part of a deploy on one site: start, per-host progress, end. */
class SiteRolloutTest {

  private static final String REV1 = "a".repeat(64);
  private static final String REV2 = "b".repeat(64);

  private static SiteSpec spec(String revision, int instances) {
    return SiteSpecs.withDefaults(
        new SiteSpec(revision, List.of("./run"), instances, null, null, null, null));
  }

  private static Placed placed(String host, long epoch, long generation) {
    return new Placed("web-" + epoch, host, epoch, generation, false);
  }

  /** Generation 1 runs REV1, generation 2 (current) runs REV2, deploy d1 holds the site. */
  private static State deploying(Placed... placements) {
    Map<String, Placed> m = new HashMap<>();
    for (Placed p : placements) {
      m.put(p.instanceId(), p);
    }
    return new State(
        spec(REV2, 2),
        2,
        10,
        m,
        Map.of(1L, spec(REV1, 2), 2L, spec(REV2, 2)),
        List.of(REV2, REV1),
        new SiteRollout.Active("d1", spec(REV1, 2), Set.of("h1", "h2")),
        null);
  }

  private static InstanceStatus status(
      Placed p, InstanceState state, int restarts, Integer exit, String message) {
    return new InstanceStatus(
        p.instanceId(),
        "web",
        p.host(),
        42,
        8000,
        state,
        "rev",
        p.epoch(),
        restarts,
        exit,
        message,
        1);
  }

  private static Progress progressOf(
      State s, String host, int maxStartFailures, Map<String, InstanceStatus> seen) {
    List<Progress> all =
        SiteRollout.progress(s, List.of(host), maxStartFailures, p -> seen.get(p.instanceId()));
    assertEquals(1, all.size());
    return all.get(0);
  }

  @Test
  void startTakesTheTargetUnderANewGenerationAndHoldsEveryHostToReplace() {
    State s =
        new State(
            spec(REV1, 2),
            1,
            3,
            Map.of("web-1", placed("h1", 1, 1), "web-2", placed("h2", 2, 1)),
            Map.of(1L, spec(REV1, 2)),
            List.of(REV1));
    RolloutStarted e = SiteRollout.start(s, "d1", REV2);
    assertEquals("d1", e.deployId());
    assertEquals(REV2, e.spec().revision());
    assertEquals(2, e.generation());
    assertEquals(Set.of("h1", "h2"), e.held());
    assertEquals(REV1, e.previous().revision());

    RolloutStarted same = SiteRollout.start(s, "d2", REV1);
    assertEquals(1, same.generation(), "the same revision needs no new generation");
    assertEquals(Set.of(), same.held(), "nothing to replace");
  }

  @Test
  void aHostWhoseNewCopiesAreAllReadyAndOldOnesGoneIsDone() {
    Placed n1 = placed("h1", 5, 2);
    Placed n2 = placed("h1", 6, 2);
    State s = deploying(n1, n2, placed("h2", 2, 1));
    Progress p =
        progressOf(
            s,
            "h1",
            3,
            Map.of(
                n1.instanceId(), status(n1, InstanceState.READY, 0, null, null),
                n2.instanceId(), status(n2, InstanceState.READY, 0, null, null)));
    assertEquals(new Progress("h1", Step.DONE, 2, 0, null), p);
  }

  @Test
  void aHostWithoutInstancesOfTheSiteIsDone() {
    assertEquals(
        new Progress("h9", Step.DONE, 0, 0, null),
        progressOf(deploying(placed("h1", 1, 1)), "h9", 3, Map.of()));
  }

  @Test
  void anOldCopyStillThereKeepsTheHostReplacing() {
    Placed n = placed("h1", 5, 2);
    Placed o = placed("h1", 1, 1);
    Progress p =
        progressOf(
            deploying(o, n),
            "h1",
            3,
            Map.of(
                n.instanceId(), status(n, InstanceState.READY, 0, null, null),
                o.instanceId(), status(o, InstanceState.READY, 0, null, null)));
    assertEquals(new Progress("h1", Step.REPLACING, 1, 0, null), p);
  }

  @Test
  void lostPlacementsDoNotCount() {
    Placed lost = new Placed("web-1", "h1", 1, 1, true);
    Placed n = placed("h1", 5, 2);
    Progress p =
        progressOf(
            deploying(lost, n),
            "h1",
            3,
            Map.of(n.instanceId(), status(n, InstanceState.READY, 0, null, null)));
    assertEquals(Step.DONE, p.step());
  }

  @Test
  void fetchingAndBuildingAreReported() {
    Placed n = placed("h1", 5, 2);
    Placed o = placed("h1", 1, 1);
    State s = deploying(o, n);
    assertEquals(
        Step.FETCHING,
        progressOf(
                s,
                "h1",
                3,
                Map.of(n.instanceId(), status(n, InstanceState.FETCHING, 0, null, null)))
            .step());
    assertEquals(
        Step.BUILDING,
        progressOf(
                s,
                "h1",
                3,
                Map.of(n.instanceId(), status(n, InstanceState.BUILDING, 0, null, null)))
            .step());
    assertEquals(
        Step.REPLACING,
        progressOf(
                s,
                "h1",
                3,
                Map.of(n.instanceId(), status(n, InstanceState.STARTING, 0, null, null)))
            .step());
    assertEquals(
        Step.REPLACING, progressOf(s, "h1", 3, Map.of()).step(), "not reported yet: replacing");
    assertEquals(
        0,
        progressOf(
                s,
                "h1",
                3,
                Map.of(n.instanceId(), status(n, InstanceState.STARTING, 0, null, null)))
            .restarting(),
        "starting for the first time: not restarting");
  }

  @Test
  void aNewCopyThatFailedToBecomeReadyOftenEnoughFailsTheHostWithExitAndMessage() {
    Placed n = placed("h1", 5, 2);
    Placed o = placed("h1", 1, 1);
    State s = deploying(o, n);
    Map<String, InstanceStatus> twice =
        Map.of(
            n.instanceId(), status(n, InstanceState.BACKOFF, 2, 3, "Traceback: ImportError"),
            o.instanceId(), status(o, InstanceState.READY, 0, null, null));
    assertEquals(Step.REPLACING, progressOf(s, "h1", 3, twice).step(), "2 of 3: not yet");
    assertEquals(1, progressOf(s, "h1", 3, twice).restarting(), "restarted, not ready: counted");
    Progress failed = progressOf(s, "h1", 2, twice);
    assertEquals(Step.FAILED, failed.step());
    assertEquals(
        "instance web-5 failed to become ready 2 times: exit 3: Traceback: ImportError",
        failed.reason());

    Progress once =
        progressOf(
            s, "h1", 1, Map.of(n.instanceId(), status(n, InstanceState.BACKOFF, 1, null, null)));
    assertEquals("instance web-5 failed to become ready 1 time", once.reason());
  }

  @Test
  void progressCoversEachAskedHostSorted() {
    State s = deploying(placed("h2", 2, 1), placed("h1", 5, 2));
    List<Progress> all = SiteRollout.progress(s, List.of("h2", "h1"), 3, p -> null);
    assertEquals(List.of("h1", "h2"), all.stream().map(Progress::host).toList());
  }

  @Test
  void aSuccessfulEndKeepsTheTargetAndHoldsNothing() {
    State s = deploying(placed("h1", 5, 2), placed("h2", 6, 2));
    RolloutEnded e = SiteRollout.end(s, "d1", true, Set.of("h1", "h2"), "2 hosts done");
    assertEquals("succeeded", e.outcome());
    assertNull(e.spec(), "the current spec stays");
    assertEquals(2, e.generation());
    assertEquals(Set.of(), e.held());
  }

  @Test
  void anUnsuccessfulEndGoesBackAndKeepsTheFinishedHostsOnTheTarget() {
    // h1 finished (runs the target), h2 still runs the old revision, h3 finished but the deploy
    // did not see it finish
    State s = deploying(placed("h1", 5, 2), placed("h2", 2, 1), placed("h3", 7, 2));
    RolloutEnded e = SiteRollout.end(s, "d1", false, Set.of("h1", "h2"), "aborted by ops");
    assertEquals("ended", e.outcome());
    assertEquals(REV1, e.spec().revision(), "back to the previous revision");
    assertEquals(2, e.spec().instances(), "at the current instance count");
    assertEquals(3, e.generation(), "a new generation: instances must change");
    assertEquals(
        Set.of("h1"), e.held(), "only done hosts that run the target keep it, held until next");
    assertEquals("aborted by ops", e.why());
  }

  @Test
  void anEndWithoutADeployHoldingTheSiteChangesNothing() {
    State s =
        new State(
            spec(REV1, 1),
            1,
            2,
            Map.of("web-1", placed("h1", 1, 1)),
            Map.of(1L, spec(REV1, 1)),
            List.of(REV1));
    RolloutEnded e = SiteRollout.end(s, "d1", false, Set.of("h1"), "x");
    assertNull(e.spec());
    assertEquals(Set.of(), e.held());
  }
}
