package io.drover.http.cli.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class DeployProgressTest {

  static final ObjectMapper JSON = new ObjectMapper();

  /** Epoch ms of the deploy's start: the steps' times are offsets from it. */
  static final long T0 = Instant.parse("2026-12-01T12:00:00Z").toEpochMilli();

  /** {@code GET /deploys/d-1}: hosts in order, each "host:pool[:canary]", all pending. */
  static JsonNode deploy(String state, int parallel, int perPool, String... hosts) {
    ObjectNode d = JSON.createObjectNode();
    d.put("id", "d-1");
    d.put("state", state);
    d.put("parallel", parallel);
    d.put("perPool", perPool);
    d.put("createdAt", Instant.ofEpochMilli(T0 - 2_000).toString());
    ArrayNode hs = d.putArray("hosts");
    for (String h : hosts) {
      String[] p = h.split(":");
      ObjectNode row = hs.addObject();
      row.put("host", p[0]);
      row.put("pool", p[1]);
      row.put("state", "pending");
      row.put("canary", p.length > 2);
    }
    return d;
  }

  /** Builds steps with consecutive seqs. */
  static final class Steps {
    long seq;

    DeployStep step(long atSeconds, String type, String host, String state, String reason) {
      return new DeployStep("d-1", ++seq, T0 + atSeconds * 1000, type, host, null, state, reason);
    }

    DeployStep queued() {
      return new DeployStep("d-1", ++seq, T0 - 2_000, "deploy-queued", null, null, "queued", "why");
    }

    DeployStep started(int hosts) {
      return step(0, "deploy-started", null, "running", hosts + " hosts");
    }

    DeployStep hostStarted(long at, String host) {
      return step(at, "host-started", host, "replacing", null);
    }

    DeployStep done(long at, String host) {
      return step(at, "host-done", host, "done", null);
    }

    DeployStep ended(long at, String state, String reason) {
      return step(at, "deploy-ended", null, state, reason);
    }
  }

  private static void applyAll(DeployProgress p, DeployStep... steps) {
    for (DeployStep s : steps) {
      p.apply(s);
    }
  }

  @Test
  void aSuccessfulDeployCountsHostsInProgressDoneAndEnds() {
    DeployProgress p = DeployProgress.of(deploy("queued", 2, 2, "h1:a", "h2:a", "h3:b", "h4:b"));
    Steps s = new Steps();
    assertEquals("queued", p.state());
    assertEquals(4, p.total());
    applyAll(p, s.queued(), s.started(4), s.hostStarted(1, "h1"), s.hostStarted(1, "h2"));
    assertEquals("running", p.state());
    assertEquals(List.of("h1", "h2"), p.inProgress());
    assertEquals(0, p.done());
    assertEquals(Duration.ofSeconds(5), p.elapsed(T0 + 5_000));

    p.apply(s.step(3, "instance-replaced", "h1", "replacing", "1 replaced"));
    p.apply(s.done(11, "h1"));
    assertEquals(1, p.done());
    assertEquals(List.of("h2"), p.inProgress());
    applyAll(p, s.done(11, "h2"), s.hostStarted(11, "h3"), s.hostStarted(11, "h4"));
    applyAll(p, s.done(21, "h3"), s.done(21, "h4"), s.ended(21, "succeeded", null));
    assertTrue(p.ended());
    assertTrue(p.succeeded());
    assertEquals(4, p.done());
    assertEquals(List.of(), p.inProgress());
    assertEquals(Duration.ofSeconds(21), p.elapsed(T0 + 99_000), "elapsed stops at the end");
    assertEquals(Optional.empty(), p.eta(T0 + 21_000));
  }

  @Test
  void etaIsNoneUntilAHostIsDoneThenMeanTimesTheHostsLeftOverTheParallelism() {
    DeployProgress p =
        DeployProgress.of(deploy("queued", 2, 2, "h1:a", "h2:a", "h3:a", "h4:a", "h5:a", "h6:a"));
    Steps s = new Steps();
    applyAll(p, s.queued(), s.started(6), s.hostStarted(0, "h1"), s.hostStarted(0, "h2"));
    assertEquals(Optional.empty(), p.eta(T0 + 5_000), "no host done yet");

    // h1 took 10 s; h2 has run 10 s of its mean 10 s; h3 just started; 3 pending
    applyAll(p, s.done(10, "h1"), s.hostStarted(10, "h3"));
    // work left: h2 0 s + h3 10 s + 3 x 10 s = 40 s, over 2 lanes = 20 s
    assertEquals(Optional.of(Duration.ofSeconds(20)), p.eta(T0 + 10_000));
    // 4 s later: h2 0 + h3 6 + 30 = 36 s / 2 = 18 s
    assertEquals(Optional.of(Duration.ofSeconds(18)), p.eta(T0 + 14_000));
  }

  @Test
  void perPoolAndTheHostsLeftBoundTheLanes() {
    // parallel 10, but 1 per pool and 2 pools: 2 lanes
    DeployProgress p = DeployProgress.of(deploy("queued", 10, 1, "h1:a", "h2:a", "h3:b", "h4:b"));
    Steps s = new Steps();
    applyAll(p, s.queued(), s.started(4), s.hostStarted(0, "h1"), s.done(4, "h1"));
    // left: h2 (a), h3, h4 (b): lanes min(1,1) + min(1,2) = 2; 3 x 4 s / 2 = 6 s
    assertEquals(Optional.of(Duration.ofSeconds(6)), p.eta(T0 + 4_000));
    applyAll(p, s.hostStarted(4, "h2"), s.done(8, "h2"), s.hostStarted(8, "h3"), s.done(12, "h3"));
    // one host left: one lane; 4 s
    assertEquals(Optional.of(Duration.ofSeconds(4)), p.eta(T0 + 12_000));
  }

  @Test
  void aFailureIsKeptWithItsReasonAndTheDeployEndsFailedWithTheRestSkipped() {
    DeployProgress p = DeployProgress.of(deploy("queued", 1, 1, "h1:a", "h2:a", "h3:a"));
    Steps s = new Steps();
    applyAll(p, s.queued(), s.started(3), s.hostStarted(0, "h1"), s.done(2, "h1"));
    applyAll(p, s.hostStarted(2, "h2"));
    p.apply(s.step(5, "host-failed", "h2", "failed", "exit 1\nboom"));
    assertEquals(1, p.failures().size());
    assertEquals("h2", p.failures().get(0).name());
    assertEquals("exit 1\nboom", p.failures().get(0).reason());
    assertFalse(p.ended());
    p.apply(s.ended(5, "failed", "host h2 failed: exit 1"));
    assertEquals("failed", p.state());
    assertFalse(p.succeeded());
    assertEquals("host h2 failed: exit 1", p.endReason());
    assertEquals(1, p.done());
    assertEquals(1, p.skipped(), "h3, never reached, is skipped as the node marks it");
  }

  @Test
  void pauseAndResumeChangeTheStateAndBakingShowsUntilTheNextHostStarts() {
    DeployProgress p = DeployProgress.of(deploy("queued", 2, 2, "c1:a:canary", "h2:a", "h3:a"));
    Steps s = new Steps();
    applyAll(p, s.queued(), s.started(3), s.hostStarted(0, "c1"), s.done(2, "c1"));
    p.apply(s.step(2, "canary-baking", null, "running", "until 2026-12-01T12:00:12Z"));
    assertEquals("baking", p.state());
    assertEquals(T0 + 12_000, p.bakeUntil());
    // 2 hosts x 2 s over 2 lanes = 2 s, plus 8 s of bake left at 12:00:04
    assertEquals(Optional.of(Duration.ofSeconds(10)), p.eta(T0 + 4_000));

    p.apply(s.step(4, "deploy-paused", null, "paused", "looking at errors"));
    assertEquals("paused", p.state());
    p.apply(s.step(9, "deploy-resumed", null, "running", null));
    assertEquals("baking", p.state(), "still baking: the pause does not count");
    assertEquals(T0 + 17_000, p.bakeUntil(), "the bake is pushed back by the 5 s paused");

    p.apply(s.hostStarted(17, "h2"));
    assertEquals("running", p.state());
    assertEquals(0, p.bakeUntil());
  }

  @Test
  void abortAndRevertEndTheDeployWithHostsInFlightSkipped() {
    DeployProgress p = DeployProgress.of(deploy("queued", 2, 2, "h1:a", "h2:a"));
    Steps s = new Steps();
    applyAll(p, s.queued(), s.started(2), s.hostStarted(0, "h1"), s.done(1, "h1"));
    applyAll(p, s.hostStarted(1, "h2"), s.ended(2, "aborted", "errors up"));
    assertEquals("aborted", p.state());
    assertTrue(p.ended());
    assertEquals(1, p.skipped());
    assertEquals(List.of(), p.inProgress());
    assertFalse(p.apply(s.done(3, "h2")), "nothing changes after the end");
    assertEquals(1, p.done());

    DeployProgress r = DeployProgress.of(deploy("queued", 2, 2, "h1:a"));
    Steps t = new Steps();
    applyAll(r, t.queued(), t.started(1), t.ended(1, "reverted", "revert asked"));
    assertEquals("reverted", r.state());
    assertFalse(r.succeeded());
  }

  @Test
  void vanishedAndSkippedHostsAreFinishedButNotDone() {
    DeployProgress p = DeployProgress.of(deploy("queued", 3, 3, "h1:a", "h2:a", "h3:a"));
    Steps s = new Steps();
    applyAll(p, s.queued(), s.started(3), s.hostStarted(0, "h1"), s.hostStarted(0, "h2"));
    p.apply(s.step(3, "host-vanished", "h1", "vanished", "unreachable, then downed"));
    p.apply(s.step(3, "host-skipped", "h3", "skipped", "left the cluster"));
    assertEquals(1, p.vanished());
    assertEquals(1, p.skipped());
    assertEquals(List.of("h2"), p.inProgress());
    assertEquals(0, p.done());
    assertEquals(3, p.total());
  }

  @Test
  void duplicatesAndStepsForTerminalHostsChangeNothing() {
    DeployProgress p = DeployProgress.of(deploy("queued", 2, 2, "h1:a", "h2:a"));
    Steps s = new Steps();
    DeployStep started = s.started(2);
    applyAll(p, s.queued(), started, s.hostStarted(0, "h1"), s.done(2, "h1"));
    assertFalse(p.apply(started), "seq already applied");
    assertFalse(p.apply(s.hostStarted(3, "h1")), "h1 is done for this deploy");
    assertEquals(1, p.done());
  }

  @Test
  void aDeployStartedWhileQueuedLearnsItsTotalFromTheStepThenItsHostsByName() {
    ObjectNode queued = (ObjectNode) deploy("queued", 2, 2);
    DeployProgress p = DeployProgress.of(queued);
    Steps s = new Steps();
    assertEquals(0, p.total());
    applyAll(p, s.queued(), s.started(3));
    assertTrue(p.hostsUnknown());
    assertEquals(3, p.total(), "from '3 hosts'");
    p.apply(s.hostStarted(0, "h2"));
    p.learnHosts(deploy("running", 2, 2, "h1:a", "h2:a", "h3:a"));
    assertFalse(p.hostsUnknown());
    assertEquals(3, p.total());
    assertEquals(List.of("h2"), p.inProgress(), "what a step said is kept");
    assertEquals("h1", p.hosts().get(0).name(), "in deploy order");
  }

  @Test
  void aGapInTheReplayIsFilledFromASnapshotAndOlderStepsDoNotUndoIt() {
    DeployProgress p = DeployProgress.of(deploy("queued", 2, 2, "h1:a", "h2:a", "h3:a"));
    Steps s = new Steps();
    p.apply(s.queued());
    s.seq = 500; // the node dropped steps 2..500
    DeployStep next = s.done(30, "h1");
    assertTrue(p.gapBefore(next));
    ObjectNode snap = (ObjectNode) deploy("running", 2, 2, "h1:a", "h2:a", "h3:a");
    snap.put("startedAt", Instant.ofEpochMilli(T0).toString());
    ((ObjectNode) snap.get("hosts").get(0)).put("state", "done");
    ((ObjectNode) snap.get("hosts").get(0)).put("startedAt", Instant.ofEpochMilli(T0).toString());
    ((ObjectNode) snap.get("hosts").get(0))
        .put("endedAt", Instant.ofEpochMilli(T0 + 30_000).toString());
    ((ObjectNode) snap.get("hosts").get(1)).put("state", "failed");
    ((ObjectNode) snap.get("hosts").get(1)).put("reason", "exit 2");
    ((ObjectNode) snap.get("hosts").get(2)).put("state", "building");
    p.snapshot(snap);
    assertEquals("running", p.state());
    assertEquals(1, p.done());
    assertEquals("exit 2", p.failures().get(0).reason());
    assertEquals(List.of("h3"), p.inProgress());
    assertFalse(p.apply(next), "h1 was already done");
    assertFalse(p.apply(s.hostStarted(31, "h2")), "a failed host stays failed");
    assertFalse(p.gapBefore(s.done(40, "h3")));
  }
}
