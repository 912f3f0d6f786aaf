package io.drover.actors.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.InstanceState;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import io.drover.actors.site.SiteEntity.Command;
import io.drover.actors.site.SiteEntity.Event;
import io.drover.actors.site.SiteEntity.Outcome;
import io.drover.actors.site.SiteEntity.Reply;
import io.drover.actors.site.SiteEntity.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A deploy drives a site host by host: held hosts keep their revision, released ones roll. */
class SiteRolloutEntityTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "SiteRolloutEntityTest",
          EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AtomicInteger counter = new AtomicInteger();
  private static final String REV1 = "a".repeat(64);
  private static final String REV2 = "b".repeat(64);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private String name;
  private EventSourcedBehaviorTestKit<Command, Event, State> kit;
  private ActorRef<HostDirectory.Hosts> hostsAdapter;
  private final Map<String, TestProbe<HostAgent.Command>> agents = new java.util.TreeMap<>();
  private TestProbe<SiteEntity.HostProgress> progress;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    name = "roll" + counter.incrementAndGet();
    TestProbe<HostDirectory.Command> directory = testKit.createTestProbe();
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            SiteEntity.create(
                name,
                directory.ref(),
                new SiteSettings(Duration.ofSeconds(5), Duration.ofHours(1)),
                clock::get,
                () -> false));
    hostsAdapter = directory.expectMessageClass(HostDirectory.Subscribe.class, WAIT).subscriber();
    List<HostInfo> hosts = new ArrayList<>();
    for (String h : List.of("h1", "h2", "h3")) {
      TestProbe<HostAgent.Command> agent = testKit.createTestProbe();
      agents.put(h, agent);
      hosts.add(new HostInfo(h, "default", Map.of(), "1", agent.ref()));
    }
    hostsAdapter.tell(new HostDirectory.Hosts(hosts, Set.of(), Set.of()));
    progress = testKit.createTestProbe();
  }

  private static SiteSpec spec(String revision, int instances) {
    return new SiteSpec(revision, List.of("./run"), instances, null, null, null, null);
  }

  /** Reports every placement of the site as its host would: ready unless {@code notReady}. */
  private void reportAll(Predicate<SiteEntity.Placed> notReady, int restarts) {
    State s = kit.getState();
    for (String h : agents.keySet()) {
      List<InstanceStatus> list = new ArrayList<>();
      for (SiteEntity.Placed p : s.sortedPlacements()) {
        if (p.host().equals(h)) {
          SiteSpec spec = s.specs().get(p.generation());
          boolean ready = !notReady.test(p);
          list.add(
              new InstanceStatus(
                  p.instanceId(),
                  name,
                  h,
                  42,
                  8000,
                  ready ? InstanceState.READY : InstanceState.BACKOFF,
                  spec.revision(),
                  p.epoch(),
                  ready ? 0 : restarts,
                  ready ? null : 1,
                  ready ? null : "boom",
                  1));
        }
      }
      reportTo.tell(new HostAgent.SiteReport(h, name, list));
    }
  }

  private ActorRef<HostAgent.SiteReport> reportTo;

  private void awaitState(Predicate<State> condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.test(kit.getState())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; state " + kit.getState());
      }
      testKit.createTestProbe().expectNoMessage(Duration.ofMillis(20));
    }
  }

  private static long onHost(State s, String host, String revision) {
    return s.placements().values().stream()
        .filter(p -> p.host().equals(host) && !p.lost())
        .filter(p -> s.specs().get(p.generation()).revision().equals(revision))
        .count();
  }

  private SiteEntity.HostProgress progressOf(String host, SiteRollout.Step step) {
    return (SiteEntity.HostProgress)
        progress
            .fishForMessage(
                WAIT,
                m ->
                    m.host().equals(host) && m.step() == step
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore())
            .get(0);
  }

  private void twoReadyOn(String... hosts) {
    kit.<Reply>runCommand(r -> new SiteEntity.Put(spec(REV1, 2), r));
    awaitState(s -> s.placements().size() == 2, "two placements");
    String someHost = kit.getState().sortedPlacements().get(0).host();
    reportTo = agents.get(someHost).expectMessageClass(HostAgent.Assign.class, WAIT).reportTo();
    reportAll(p -> false, 0);
  }

  @Test
  void heldHostsKeepTheirRevisionAndReleasedOnesRollInPlace() {
    twoReadyOn();
    State before = kit.getState();
    List<String> used =
        before.sortedPlacements().stream().map(SiteEntity.Placed::host).sorted().toList();

    var begun =
        kit.<SiteEntity.RolloutReply>runCommand(r -> new SiteEntity.BeginRollout("d1", REV2, r));
    assertEquals(Outcome.OK, begun.reply().outcome());
    assertEquals(REV1, begun.reply().previousRevision());
    assertEquals(used, begun.reply().hosts(), "the hosts with an instance of another revision");
    assertInstanceOf(SiteEntity.RolloutStarted.class, begun.events().get(0));
    assertEquals(1, begun.events().size(), "nothing replaced before a host is released");
    assertEquals(REV2, kit.getState().spec().revision());

    var again =
        kit.<SiteEntity.RolloutReply>runCommand(r -> new SiteEntity.BeginRollout("d1", REV2, r));
    assertTrue(again.hasNoEvents(), "idempotent per deploy");
    var other =
        kit.<SiteEntity.RolloutReply>runCommand(r -> new SiteEntity.BeginRollout("d2", REV1, r));
    assertEquals(Outcome.CONFLICT, other.reply().outcome());
    var put = kit.<Reply>runCommand(r -> new SiteEntity.Put(spec(REV1, 2), r));
    assertEquals(Outcome.CONFLICT, put.reply().outcome(), "no spec change during a deploy");

    String first = used.get(0);
    String second = used.get(1);
    kit.runCommand(new SiteEntity.ReleaseHosts("d1", List.of(first), 3, progress.ref()));
    awaitState(s -> onHost(s, first, REV2) == 1, "a new instance on the released host");
    assertEquals(1, onHost(kit.getState(), first, REV1), "the old one stays until it is ready");
    assertEquals(0, onHost(kit.getState(), second, REV2), "the held host is untouched");
    progressOf(first, SiteRollout.Step.REPLACING);

    reportAll(p -> false, 0);
    awaitState(s -> onHost(s, first, REV1) == 0, "the old instance removed once the new is ready");
    SiteEntity.HostProgress done = progressOf(first, SiteRollout.Step.DONE);
    assertEquals(1, done.replaced());
    assertEquals(1, onHost(kit.getState(), second, REV1), "still held");

    kit.runCommand(new SiteEntity.ReleaseHosts("d1", List.of(second), 3, progress.ref()));
    awaitState(s -> onHost(s, second, REV2) == 1, "the second host rolls");
    reportAll(p -> false, 0);
    awaitState(s -> onHost(s, second, REV1) == 0, "the second host done");
    progressOf(second, SiteRollout.Step.DONE);

    var end =
        kit.<Reply>runCommand(
            r -> new SiteEntity.EndRollout("d1", true, List.of(first, second), "succeeded", r));
    assertEquals(Outcome.OK, end.reply().outcome());
    assertEquals(null, kit.getState().rollout());
    assertEquals(Set.of(), kit.getState().heldHosts());
    kit.restart();
    assertEquals(REV2, kit.getState().spec().revision(), "survives recovery");
  }

  /**
   * DESIGN "hosts that join mid-deploy get the target revision": a host joins while a deploy holds
   * the site, the site scales up and loses a held host; every new placement runs the target, the
   * held hosts keep theirs until released.
   */
  @Test
  void newPlacementsDuringADeployRunTheTargetOnAHostThatJoined() {
    twoReadyOn();
    List<String> used =
        kit.getState().sortedPlacements().stream().map(SiteEntity.Placed::host).sorted().toList();
    kit.<SiteEntity.RolloutReply>runCommand(r -> new SiteEntity.BeginRollout("d1", REV2, r));

    // h4 joins, and every other host already carries the site or is cordoned
    List<HostInfo> hosts = new ArrayList<>();
    for (String h : List.of("h1", "h2", "h3", "h4")) {
      agents.computeIfAbsent(h, k -> testKit.createTestProbe());
      hosts.add(new HostInfo(h, "default", Map.of(), "1", agents.get(h).ref()));
    }
    Set<String> spare = new java.util.TreeSet<>(List.of("h1", "h2", "h3"));
    spare.removeAll(used);
    hostsAdapter.tell(new HostDirectory.Hosts(hosts, Set.of(), spare));
    var scaled =
        kit.<Reply>runCommand(r -> new SiteEntity.Scale(3, clock.get() + WAIT.toMillis(), r));
    assertEquals(Outcome.OK, scaled.reply().outcome());
    awaitState(
        s -> onHost(s, "h4", REV2) == 1, "the new instance on the joined host, on the target");
    for (String h : used) {
      assertEquals(1, onHost(kit.getState(), h, REV1), "held host " + h + " keeps its revision");
      assertEquals(0, onHost(kit.getState(), h, REV2));
    }
  }

  @Test
  void aNewInstanceThatKeepsCrashingFailsItsHostAndAnAbortGoesBack() {
    twoReadyOn();
    List<String> used =
        kit.getState().sortedPlacements().stream().map(SiteEntity.Placed::host).sorted().toList();
    kit.<SiteEntity.RolloutReply>runCommand(r -> new SiteEntity.BeginRollout("d1", REV2, r));
    String first = used.get(0);
    kit.runCommand(new SiteEntity.ReleaseHosts("d1", List.of(first), 2, progress.ref()));
    awaitState(s -> onHost(s, first, REV2) == 1, "a new instance on the released host");
    reportAll(p -> kit.getState().specs().get(p.generation()).revision().equals(REV2), 2);
    SiteEntity.HostProgress failed = progressOf(first, SiteRollout.Step.FAILED);
    assertTrue(failed.reason().contains("exit 1"), failed.reason());
    assertTrue(failed.reason().contains("boom"), failed.reason());
    assertEquals(1, onHost(kit.getState(), first, REV1), "the old instance keeps serving");

    kit.<Reply>runCommand(r -> new SiteEntity.EndRollout("d1", false, List.of(), "host failed", r));
    assertEquals(REV1, kit.getState().spec().revision(), "back to the previous revision");
    awaitState(s -> onHost(s, first, REV2) == 0, "the crashing instance removed");
    assertEquals(1, onHost(kit.getState(), first, REV1));
    assertEquals(Set.of(), kit.getState().heldHosts());
  }

  @Test
  void hostsThatFinishedKeepTheTargetAfterAnAbortAndSaySo() {
    twoReadyOn();
    List<String> used =
        kit.getState().sortedPlacements().stream().map(SiteEntity.Placed::host).sorted().toList();
    kit.<SiteEntity.RolloutReply>runCommand(r -> new SiteEntity.BeginRollout("d1", REV2, r));
    String first = used.get(0);
    kit.runCommand(new SiteEntity.ReleaseHosts("d1", List.of(first), 3, progress.ref()));
    awaitState(s -> onHost(s, first, REV2) == 1, "a new instance");
    reportAll(p -> false, 0);
    progressOf(first, SiteRollout.Step.DONE);
    kit.<Reply>runCommand(
        r -> new SiteEntity.EndRollout("d1", false, List.of(first), "aborted by ops", r));
    State s = kit.getState();
    assertEquals(REV1, s.spec().revision());
    assertEquals(Set.of(first), s.heldHosts());
    assertEquals(1, onHost(s, first, REV2), "the finished host keeps the new revision");
    Reply view = kit.<Reply>runCommand(SiteEntity.Get::new).reply();
    assertTrue(
        view.site().status().problems().stream().anyMatch(p -> p.contains("aborted by ops")),
        view.site().status().problems().toString());
    // a revert deploy only has the held host to go through
    var revert =
        kit.<SiteEntity.RolloutReply>runCommand(r -> new SiteEntity.BeginRollout("d2", REV1, r));
    assertEquals(List.of(first), revert.reply().hosts());
  }
}
