package io.drover.actors.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.drover.actors.deploy.DeployEntity.Command;
import io.drover.actors.deploy.DeployEntity.Event;
import io.drover.actors.deploy.DeployEntity.Outcome;
import io.drover.actors.deploy.DeployEntity.Reply;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.site.SiteEntity;
import io.drover.actors.site.SiteRollout;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The deploy entity against fake sites, queue and revert target: it persists each step, releases
 * hosts in the seeded order up to {@code parallel}, ends, reverts and settles, and drives its hosts
 * in flight again after a restart.
 */
class DeployEntityTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "DeployEntityTest",
          EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AtomicInteger counter = new AtomicInteger();
  private static final String REV = "a".repeat(64);
  private static final String PREV1 = "b".repeat(64);
  private static final String PREV2 = "c".repeat(64);
  private static final String SEED = "seed42";
  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Several ticks: long enough for a wrong release to show. */
  private static final Duration QUIET = Duration.ofMillis(400);

  /** Site s1 runs on h1..h3, s2 on h2..h4: h2 and h3 carry both. */
  private static final Map<String, List<String>> SITE_HOSTS =
      Map.of("s1", List.of("h1", "h2", "h3"), "s2", List.of("h2", "h3", "h4"));

  private static final Map<String, String> PREVIOUS = Map.of("s1", PREV1, "s2", PREV2);

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private String id;
  private TestProbe<DeployFakes.Seen> begins;
  private TestProbe<DeployFakes.Seen> releases;
  private TestProbe<DeployFakes.Seen> ends;
  private TestProbe<DeployDirectory.Command> queued;
  private TestProbe<DeployEntity.Create> creates;
  private TestProbe<HostDirectory.Command> directory;
  private TestProbe<DeployEntity.ForcedAbort> forcedAborts;
  private EventSourcedBehaviorTestKit<Command, Event, DeployState> kit;

  /** host -> site -> where that site's progress for the host goes (the latest release). */
  private final Map<String, Map<String, ActorRef<SiteEntity.HostProgress>>> released =
      new HashMap<>();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    id = "dep" + counter.incrementAndGet();
    begins = testKit.createTestProbe();
    releases = testKit.createTestProbe();
    ends = testKit.createTestProbe();
    queued = testKit.createTestProbe();
    creates = testKit.createTestProbe();
    directory = testKit.createTestProbe();
    Map<String, RecipientRef<SiteEntity.Command>> sites = new HashMap<>();
    for (String site : SITE_HOSTS.keySet()) {
      sites.put(
          site,
          testKit.spawn(
              DeployFakes.site(
                  site,
                  PREVIOUS.get(site),
                  SITE_HOSTS.get(site),
                  begins.ref(),
                  releases.ref(),
                  ends.ref())));
    }
    ActorRef<DeployDirectory.Command> queue = testKit.spawn(DeployFakes.queue(queued.ref()));
    forcedAborts = testKit.createTestProbe();
    ActorRef<Command> deploys =
        testKit.spawn(DeployFakes.deploys(creates.ref(), forcedAborts.ref()));
    DeployEntity.Deps deps =
        new DeployEntity.Deps(
            sites::get,
            revertId -> deploys,
            queue,
            directory.ref(),
            clock::get,
            Duration.ofMillis(50),
            Duration.ofSeconds(3));
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), DeployEntity.create(id, deps));
  }

  // ---- helpers

  private DeploySpec spec(int parallel, int canaryPerPool, List<String> sites) {
    Map<String, String> revisions = new HashMap<>();
    for (String site : sites) {
      revisions.put(site, REV);
    }
    return new DeploySpec(
        id,
        sites,
        revisions,
        REV,
        parallel,
        10,
        canaryPerPool,
        0,
        600_000,
        3_600_000,
        true,
        3,
        SEED,
        "test",
        "alice",
        false,
        null,
        clock.get());
  }

  private CommandResultWithReply<Command, Event, DeployState, Reply> create(DeploySpec spec) {
    return kit.runCommand(r -> new DeployEntity.Create(spec, r));
  }

  /** The hosts in the order the deploy must take them. */
  private static List<String> expectedOrder(int canaryPerPool) {
    Set<String> hosts = new TreeSet<>();
    SITE_HOSTS.values().forEach(hosts::addAll);
    List<DeployOrder.HostRef> refs = new ArrayList<>();
    for (String h : hosts) {
      refs.add(new DeployOrder.HostRef(h, "default"));
    }
    List<String> order = new ArrayList<>();
    for (DeployOrder.Slot slot : DeployOrder.order(refs, SEED, canaryPerPool)) {
      order.add(slot.host());
    }
    return order;
  }

  private static List<String> sitesOf(String host) {
    List<String> sites = new ArrayList<>();
    for (Map.Entry<String, List<String>> e : new java.util.TreeMap<>(SITE_HOSTS).entrySet()) {
      if (e.getValue().contains(host)) {
        sites.add(e.getKey());
      }
    }
    return sites;
  }

  /** Creates the deploy, lets it go and waits until it runs. */
  private DeployState started(DeploySpec spec) {
    assertEquals(Outcome.CREATED, create(spec).reply().outcome());
    queued.expectMessageClass(DeployDirectory.Enqueue.class, WAIT);
    kit.runCommand(DeployEntity.Go.INSTANCE);
    awaitState(s -> s.status() == DeployStatus.RUNNING, "running");
    return kit.getState();
  }

  private void awaitState(java.util.function.Predicate<DeployState> p, String what) {
    TestProbe<Object> waiter = testKit.createTestProbe();
    waiter.awaitAssert(
        WAIT,
        () -> {
          DeployState s = kit.getState();
          assertTrue(p.test(s), () -> "not " + what + ": " + s.status() + " " + s.hosts());
          return null;
        });
  }

  private List<Object> events() {
    return kit.persistenceTestKit().persistedInStorage("deploy|" + id);
  }

  /**
   * Waits until every site of each of {@code hosts} was told to release it, failing if a host
   * outside {@code hosts} is released meanwhile.
   */
  private void expectReleased(List<String> hosts) {
    Map<String, Set<String>> missing = new HashMap<>();
    for (String host : hosts) {
      missing.put(host, new TreeSet<>(sitesOf(host)));
    }
    while (missing.values().stream().anyMatch(m -> !m.isEmpty())) {
      DeployFakes.Seen seen = releases.receiveMessage(WAIT);
      SiteEntity.ReleaseHosts r = (SiteEntity.ReleaseHosts) seen.command();
      assertEquals(id, r.deployId());
      for (String host : r.hosts()) {
        assertTrue(hosts.contains(host), "released " + host + " while expecting only " + hosts);
        assertTrue(sitesOf(host).contains(seen.site()), seen.site() + " released " + host);
        missing.get(host).remove(seen.site());
        released.computeIfAbsent(host, h -> new HashMap<>()).put(seen.site(), r.progressTo());
      }
    }
  }

  private void report(String host, String site, SiteRollout.Step step, String reason) {
    released
        .get(host)
        .get(site)
        .tell(new SiteEntity.HostProgress(id, site, host, step, 1, 0, reason));
  }

  /** Every site of {@code host} reports it done. */
  private void done(String host) {
    for (String site : sitesOf(host)) {
      report(host, site, SiteRollout.Step.DONE, null);
    }
  }

  private Map<String, HostState> hostStates() {
    Map<String, HostState> states = new HashMap<>();
    for (DeployState.HostRow h : kit.getState().hosts()) {
      states.put(h.host(), h.state());
    }
    return states;
  }

  private <T> List<T> persisted(Class<T> type) {
    List<T> out = new ArrayList<>();
    for (Object e : events()) {
      if (type.isInstance(e)) {
        out.add(type.cast(e));
      }
    }
    return out;
  }

  /** Both sites got EndRollout; returns them by site. */
  private Map<String, SiteEntity.EndRollout> expectEndRollouts() {
    Map<String, SiteEntity.EndRollout> got = new HashMap<>();
    while (got.size() < SITE_HOSTS.size()) {
      DeployFakes.Seen seen = ends.receiveMessage(WAIT);
      SiteEntity.EndRollout e = (SiteEntity.EndRollout) seen.command();
      assertEquals(id, e.deployId());
      got.put(seen.site(), e);
    }
    return got;
  }

  private void expectQueueUpdated(DeployStatus status) {
    queued.fishForMessage(
        WAIT,
        m ->
            m instanceof DeployDirectory.Update u && u.summary().state() == status
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore());
  }

  private void awaitSettled() {
    awaitState(DeployState::settled, "settled");
    List<Object> all = events();
    assertTrue(all.get(all.size() - 1) instanceof DeployEntity.Settled, all.toString());
    assertEquals(1, persisted(DeployEntity.Settled.class).size());
  }

  // ---- cases

  @Test
  void createIsPersistedEnqueuedAndIdempotent() {
    DeploySpec spec = spec(2, 0, List.of("s1", "s2"));
    CommandResultWithReply<Command, Event, DeployState, Reply> first = create(spec);
    assertEquals(Outcome.CREATED, first.reply().outcome());
    assertEquals(List.of(new DeployEntity.Requested(spec)), first.events());
    assertEquals(DeployStatus.QUEUED, first.state().status());
    DeployDirectory.Enqueue enqueue =
        queued.expectMessageClass(DeployDirectory.Enqueue.class, WAIT);
    assertEquals(id, enqueue.summary().id());
    assertEquals(DeployStatus.QUEUED, enqueue.summary().state());
    assertFalse(enqueue.front());

    CommandResultWithReply<Command, Event, DeployState, Reply> again = create(spec);
    assertEquals(Outcome.CREATED, again.reply().outcome());
    assertTrue(again.hasNoEvents());

    DeploySpec otherSites = spec(2, 0, List.of("s1"));
    CommandResultWithReply<Command, Event, DeployState, Reply> conflict = create(otherSites);
    assertEquals(Outcome.CONFLICT, conflict.reply().outcome());
    assertTrue(conflict.hasNoEvents());

    Map<String, String> otherRevisions = Map.of("s1", PREV1, "s2", PREV1);
    DeploySpec otherRevision =
        new DeploySpec(
            id,
            spec.sites(),
            otherRevisions,
            PREV1,
            2,
            10,
            0,
            0,
            600_000,
            3_600_000,
            true,
            3,
            SEED,
            "test",
            "alice",
            false,
            null,
            clock.get());
    CommandResultWithReply<Command, Event, DeployState, Reply> conflict2 = create(otherRevision);
    assertEquals(Outcome.CONFLICT, conflict2.reply().outcome());
    assertTrue(conflict2.hasNoEvents());
    assertEquals(1, events().size());
    assertEquals(spec, kit.getState().spec());
  }

  @Test
  void goBeginsEverySiteAndReleasesCanariesFirstThenUpToParallel() {
    DeployState s = started(spec(2, 1, List.of("s1", "s2")));
    Map<String, SiteEntity.BeginRollout> begun = new HashMap<>();
    while (begun.size() < 2) {
      DeployFakes.Seen seen = begins.receiveMessage(WAIT);
      SiteEntity.BeginRollout b = (SiteEntity.BeginRollout) seen.command();
      assertEquals(id, b.deployId());
      assertEquals(REV, b.revision());
      begun.put(seen.site(), b);
    }
    assertEquals(Set.of("s1", "s2"), begun.keySet());

    List<String> order = expectedOrder(1);
    List<String> hosts = s.hosts().stream().map(DeployState.HostRow::host).toList();
    assertEquals(order, hosts);
    assertTrue(s.hosts().get(0).canary());
    assertEquals(1, s.hosts().stream().filter(DeployState.HostRow::canary).count());
    assertEquals(PREVIOUS, s.previous());
    assertEquals(Set.copyOf(sitesOf("h2")), Set.copyOf(s.hostSites().get("h2")));
    DeployEntity.Started started = persisted(DeployEntity.Started.class).get(0);
    assertEquals(order, started.hosts().stream().map(DeployState.HostRow::host).toList());

    // the canary alone, although parallel is 2
    expectReleased(List.of(order.get(0)));
    releases.expectNoMessage(QUIET);
    Map<String, HostState> states = hostStates();
    assertTrue(states.get(order.get(0)).inProgress());
    for (String h : order.subList(1, 4)) {
      assertEquals(HostState.PENDING, states.get(h), h);
    }

    done(order.get(0));
    // no bake: the next two, and no more
    expectReleased(order.subList(1, 3));
    releases.expectNoMessage(QUIET);
    states = hostStates();
    assertEquals(HostState.DONE, states.get(order.get(0)));
    assertTrue(states.get(order.get(1)).inProgress());
    assertTrue(states.get(order.get(2)).inProgress());
    assertEquals(HostState.PENDING, states.get(order.get(3)));
    assertEquals(DeployStatus.RUNNING, kit.getState().status());
  }

  @Test
  void everyHostDoneEndsSucceededAndSettles() {
    started(spec(2, 0, List.of("s1", "s2")));
    List<String> order = expectedOrder(0);
    expectReleased(order.subList(0, 2));

    // one site of a two-site host is not enough
    String first = order.get(0);
    List<String> firstSites = sitesOf(first);
    report(first, firstSites.get(0), SiteRollout.Step.DONE, null);
    if (firstSites.size() > 1) {
      releases.expectNoMessage(QUIET);
      assertTrue(hostStates().get(first).inProgress());
      report(first, firstSites.get(1), SiteRollout.Step.DONE, null);
    }
    expectReleased(List.of(order.get(2)));
    done(order.get(1));
    expectReleased(List.of(order.get(3)));
    done(order.get(2));
    done(order.get(3));

    awaitState(st -> st.status() == DeployStatus.SUCCEEDED, "succeeded");
    assertEquals(4, persisted(DeployEntity.HostDone.class).size());
    List<String> doneOrder =
        persisted(DeployEntity.HostDone.class).stream().map(DeployEntity.HostDone::host).toList();
    assertEquals(first, doneOrder.get(0));
    DeployEntity.Ended ended = persisted(DeployEntity.Ended.class).get(0);
    assertEquals(DeployStatus.SUCCEEDED, ended.status());
    assertNull(ended.revertId());

    Map<String, SiteEntity.EndRollout> endRollouts = expectEndRollouts();
    for (SiteEntity.EndRollout e : endRollouts.values()) {
      assertTrue(e.succeeded());
      assertEquals(new TreeSet<>(order), new TreeSet<>(e.done()));
    }
    expectQueueUpdated(DeployStatus.SUCCEEDED);
    awaitSettled();
    creates.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void aFailedHostFailsTheDeployAndStartsItsRevert() {
    started(spec(2, 0, List.of("s1", "s2")));
    List<String> order = expectedOrder(0);
    expectReleased(order.subList(0, 2));
    String bad = order.get(0);
    report(bad, sitesOf(bad).get(0), SiteRollout.Step.FAILED, "boom");

    awaitState(st -> st.status() == DeployStatus.FAILED, "failed");
    DeployEntity.HostFailed failed = persisted(DeployEntity.HostFailed.class).get(0);
    assertEquals(bad, failed.host());
    assertTrue(failed.reason().contains("boom"), failed.reason());
    DeployEntity.Ended ended = persisted(DeployEntity.Ended.class).get(0);
    assertEquals(DeployStatus.FAILED, ended.status());
    assertEquals(id + "-revert", ended.revertId());
    assertTrue(ended.reason().contains("boom"), ended.reason());
    assertEquals(id + "-revert", kit.getState().revertedBy());
    // nothing else released after the failure
    assertEquals(HostState.FAILED, hostStates().get(bad));
    assertEquals(HostState.SKIPPED, hostStates().get(order.get(3)));

    DeployEntity.Create revert = creates.receiveMessage(WAIT);
    DeploySpec r = revert.spec();
    assertEquals(id + "-revert", r.id());
    assertEquals(SEED, r.seed());
    assertEquals(id, r.revertOf());
    assertEquals(PREVIOUS, r.revisions());
    assertEquals(List.of("s1", "s2"), r.sites());
    assertNull(r.revision()); // the sites go back to different revisions
    assertFalse(r.autoRevert());

    for (SiteEntity.EndRollout e : expectEndRollouts().values()) {
      assertFalse(e.succeeded());
      assertFalse(e.done().contains(bad));
    }
    expectQueueUpdated(DeployStatus.FAILED);
    awaitSettled();
    releases.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void pauseHoldsNewHostsResumeGoesOnAbortSkipsTheRest() {
    started(spec(1, 0, List.of("s1", "s2")));
    List<String> order = expectedOrder(0);
    expectReleased(List.of(order.get(0)));

    Reply paused = kit.<Reply>runCommand(r -> new DeployEntity.Pause("bob", "look", r)).reply();
    assertEquals(Outcome.OK, paused.outcome());
    assertEquals(DeployStatus.PAUSED, kit.getState().status());
    assertEquals(1, persisted(DeployEntity.Paused.class).size());

    // the host in progress finishes; no new host starts
    done(order.get(0));
    awaitState(st -> st.host(order.get(0)).state() == HostState.DONE, "first host done");
    releases.expectNoMessage(QUIET);
    assertEquals(HostState.PENDING, hostStates().get(order.get(1)));
    assertEquals(DeployStatus.PAUSED, kit.getState().status());

    Reply resumed = kit.<Reply>runCommand(r -> new DeployEntity.Resume("bob", r)).reply();
    assertEquals(Outcome.OK, resumed.outcome());
    expectReleased(List.of(order.get(1)));
    releases.expectNoMessage(QUIET);
    assertEquals(DeployStatus.RUNNING, kit.getState().status());

    Reply aborted = kit.<Reply>runCommand(r -> new DeployEntity.Abort("bob", "enough", r)).reply();
    assertEquals(Outcome.OK, aborted.outcome());
    DeployState s = kit.getState();
    assertEquals(DeployStatus.ABORTED, s.status());
    DeployEntity.Ended ended = persisted(DeployEntity.Ended.class).get(0);
    assertEquals(DeployStatus.ABORTED, ended.status());
    assertEquals("bob", ended.by());
    assertNull(ended.revertId());
    Map<String, HostState> states = hostStates();
    assertEquals(HostState.DONE, states.get(order.get(0)));
    for (String h : order.subList(1, 4)) {
      assertEquals(HostState.SKIPPED, states.get(h), h);
    }

    for (SiteEntity.EndRollout e : expectEndRollouts().values()) {
      assertFalse(e.succeeded());
      assertEquals(List.of(order.get(0)), e.done());
    }
    expectQueueUpdated(DeployStatus.ABORTED);
    awaitSettled();
    creates.expectNoMessage(Duration.ofMillis(100));
    // a second abort changes nothing
    Reply again = kit.<Reply>runCommand(r -> new DeployEntity.Abort("bob", null, r)).reply();
    assertEquals(Outcome.CONFLICT, again.outcome());
  }

  /**
   * Force, both sides: the running deploy ends aborted naming the forcing one and tells it; the
   * forcing one records whom it aborted (once), and says so in its view and steps.
   */
  @Test
  void aForcedAbortIsRecordedOnBothSides() {
    started(spec(1, 0, List.of("s1")));
    kit.runCommand(new DeployEntity.Forced("d-forcer"));
    awaitState(st -> st.status() == DeployStatus.ABORTED, "aborted");
    assertTrue(kit.getState().endReason().contains("d-forcer was started with force"));
    assertEquals("d-forcer", DeployView.of(kit.getState()).abortedBy(), "the forcing deploy");
    assertEquals(
        id, forcedAborts.expectMessageClass(DeployEntity.ForcedAbort.class, WAIT).aborted());
    // an ended deploy forced again tells nobody
    kit.runCommand(new DeployEntity.Forced("d-forcer"));
    forcedAborts.expectNoMessage(QUIET);

    // the forcing side (this entity standing in for it): recorded once
    kit.runCommand(new DeployEntity.ForcedAbort("d-old"));
    kit.runCommand(new DeployEntity.ForcedAbort("d-old"));
    assertEquals(List.of("d-old"), kit.getState().aborted());
    assertEquals(1, persisted(DeployEntity.AbortedByForce.class).size());
    assertEquals(List.of("d-old"), DeployView.of(kit.getState()).aborted());
    Step last = kit.getState().steps().get(kit.getState().steps().size() - 1);
    assertEquals("forced-abort", last.type());
    assertTrue(last.reason().contains("d-old"), last.reason());
  }

  @Test
  void afterARestartItDrivesItsHostsInFlightAgainAndFinishes() {
    started(spec(2, 0, List.of("s1", "s2")));
    List<String> order = expectedOrder(0);
    expectReleased(order.subList(0, 2));
    done(order.get(0));
    expectReleased(List.of(order.get(2)));
    awaitState(st -> st.host(order.get(0)).state() == HostState.DONE, "first host done");
    int eventsBefore = events().size();
    DeployState before = kit.getState();

    DeployState recovered = kit.restart().state();
    assertEquals(before.hosts(), recovered.hosts());
    assertEquals(DeployStatus.RUNNING, recovered.status());

    // the hosts in flight are released again, to the new incarnation
    expectReleased(order.subList(1, 3));
    releases.expectNoMessage(QUIET);
    assertEquals(eventsBefore, events().size());

    done(order.get(1));
    expectReleased(List.of(order.get(3)));
    done(order.get(2));
    done(order.get(3));
    awaitState(st -> st.status() == DeployStatus.SUCCEEDED, "succeeded");
    assertEquals(4, persisted(DeployEntity.HostDone.class).size());
    assertEquals(
        1,
        persisted(DeployEntity.HostStarted.class).stream()
            .filter(h -> h.host().equals(order.get(1)))
            .count());
    for (SiteEntity.EndRollout e : expectEndRollouts().values()) {
      assertTrue(e.succeeded());
    }
    awaitSettled();
  }

  @Test
  void canariesBakeOnTheClockBeforeTheRestGoes() {
    DeploySpec base = spec(2, 1, List.of("s1", "s2"));
    DeploySpec spec =
        new DeploySpec(
            base.id(),
            base.sites(),
            base.revisions(),
            base.revision(),
            base.parallel(),
            base.perPool(),
            1,
            60_000,
            base.hostDeadlineMillis(),
            base.deployDeadlineMillis(),
            base.autoRevert(),
            base.maxStartFailures(),
            base.seed(),
            base.reason(),
            base.by(),
            false,
            null,
            base.requestedAt());
    started(spec);
    List<String> order = expectedOrder(1);
    expectReleased(List.of(order.get(0)));
    done(order.get(0));
    awaitState(st -> st.bakeUntil() > 0, "baking");
    assertEquals(clock.get() + 60_000, kit.getState().bakeUntil());
    assertEquals(1, persisted(DeployEntity.BakeStarted.class).size());
    releases.expectNoMessage(QUIET);
    assertEquals(HostState.PENDING, hostStates().get(order.get(1)));

    clock.addAndGet(60_001);
    // the baked canary may be asked again (re-sync after a long silence); the next two start
    Map<String, Set<String>> missing = new HashMap<>();
    for (String host : order.subList(1, 3)) {
      missing.put(host, new TreeSet<>(sitesOf(host)));
    }
    while (missing.values().stream().anyMatch(m -> !m.isEmpty())) {
      DeployFakes.Seen seen = releases.receiveMessage(WAIT);
      for (String host : ((SiteEntity.ReleaseHosts) seen.command()).hosts()) {
        assertTrue(!host.equals(order.get(3)), "released " + host + " beyond parallel");
        if (missing.containsKey(host)) {
          missing.get(host).remove(seen.site());
        }
      }
    }
    assertEquals(HostState.PENDING, hostStates().get(order.get(3)));
  }
}
