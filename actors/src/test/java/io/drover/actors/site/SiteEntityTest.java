package io.drover.actors.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.InstanceState;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import io.drover.actors.revision.RevisionTopic;
import io.drover.actors.revision.RevisionWanted;
import io.drover.actors.site.SiteEntity.Command;
import io.drover.actors.site.SiteEntity.Event;
import io.drover.actors.site.SiteEntity.Outcome;
import io.drover.actors.site.SiteEntity.Reply;
import io.drover.actors.site.SiteEntity.State;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SiteEntityTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "SiteEntityTest",
          EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AtomicInteger counter = new AtomicInteger();
  private static final String REV1 = "a".repeat(64);
  private static final String REV2 = "b".repeat(64);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final AtomicLong clock = new AtomicLong(1_000_000);
  private final AtomicBoolean downed = new AtomicBoolean();
  private String name;
  private TestProbe<HostDirectory.Command> directory;
  private EventSourcedBehaviorTestKit<Command, Event, State> kit;
  private ActorRef<HostDirectory.Hosts> hostsAdapter;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    name = "hello" + counter.incrementAndGet();
    directory = testKit.createTestProbe();
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            SiteEntity.create(
                name,
                directory.ref(),
                new SiteSettings(Duration.ofSeconds(5), Duration.ofHours(1)),
                clock::get,
                downed::get));
    hostsAdapter = subscribed();
  }

  private ActorRef<HostDirectory.Hosts> subscribed() {
    return directory.expectMessageClass(HostDirectory.Subscribe.class, WAIT).subscriber();
  }

  private static SiteSpec spec(String revision, int instances) {
    return new SiteSpec(revision, List.of("./run"), instances, null, null, null, null);
  }

  private static HostInfo host(String name, TestProbe<HostAgent.Command> agent) {
    return new HostInfo(name, "default", Map.of(), "1", agent.ref());
  }

  private void hosts(HostInfo... hosts) {
    hostsAdapter.tell(new HostDirectory.Hosts(List.of(hosts), Set.of(), Set.of()));
  }

  private void hosts(Set<String> unreachable, HostInfo... hosts) {
    hostsAdapter.tell(new HostDirectory.Hosts(List.of(hosts), unreachable, Set.of()));
  }

  private void hosts(Set<String> cordoned, Set<String> draining, HostInfo... hosts) {
    hostsAdapter.tell(new HostDirectory.Hosts(List.of(hosts), Set.of(), cordoned, draining));
  }

  private CommandResultWithReply<Command, Event, State, Reply> put(SiteSpec spec) {
    return kit.runCommand(replyTo -> new SiteEntity.Put(spec, replyTo));
  }

  private Reply get() {
    return kit.<Reply>runCommand(SiteEntity.Get::new).reply();
  }

  private HostAgent.Assign assignTo(TestProbe<HostAgent.Command> agent) {
    return agent.expectMessageClass(HostAgent.Assign.class, WAIT);
  }

  /** Waits for an Assign that matches, skipping re-sends. */
  private HostAgent.Assign assignTo(
      TestProbe<HostAgent.Command> agent, Predicate<HostAgent.Assign> until) {
    return (HostAgent.Assign)
        agent
            .fishForMessage(
                WAIT,
                m ->
                    m instanceof HostAgent.Assign a && until.test(a)
                        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                            .continueAndIgnore())
            .get(0);
  }

  private static List<String> ids(HostAgent.Assign a) {
    return a.instances().stream().map(HostAgent.Assignment::instanceId).toList();
  }

  private InstanceStatus status(String host, String id, InstanceState state, String revision) {
    long epoch = Long.parseLong(id.substring(id.lastIndexOf('-') + 1));
    return new InstanceStatus(id, name, host, 42, 8000, state, revision, epoch, 0, null, null, 1);
  }

  private void report(HostAgent.Assign to, String host, InstanceStatus... statuses) {
    to.reportTo().tell(new HostAgent.SiteReport(host, name, List.of(statuses)));
  }

  private void awaitState(Predicate<State> condition, String what) {
    long deadline = System.nanoTime() + WAIT.toNanos();
    while (!condition.test(kit.getState())) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what + "; state " + kit.getState());
      }
      testKit.createTestProbe().expectNoMessage(Duration.ofMillis(50));
    }
  }

  @Test
  void createReplyCreatedAndPersistsSpec() {
    var result = put(spec(REV1, 2));
    assertEquals(Outcome.CREATED, result.reply().outcome());
    SiteEntity.SpecSet set = assertInstanceOf(SiteEntity.SpecSet.class, result.events().get(0));
    assertEquals(1, set.generation());
    assertEquals("default", set.spec().pool(), "defaults filled");
    assertEquals(1, result.events().size(), "no hosts known yet: nothing placed");
    assertEquals(name, result.reply().site().name());
  }

  @Test
  void unchangedSpecIsOkWithoutEvents() {
    put(spec(REV1, 2));
    var again = put(spec(REV1, 2));
    assertEquals(Outcome.OK, again.reply().outcome());
    assertTrue(again.hasNoEvents());
  }

  @Test
  void aPutPastItsDeadlineChangesNothing() {
    var late = kit.<Reply>runCommand(r -> new SiteEntity.Put(spec(REV1, 2), clock.get() - 1, r));
    assertEquals(Outcome.EXPIRED, late.reply().outcome());
    assertTrue(late.hasNoEvents());
    assertEquals(Outcome.NOT_FOUND, get().outcome(), "the site was not created");
    var inTime = kit.<Reply>runCommand(r -> new SiteEntity.Put(spec(REV1, 2), clock.get(), r));
    assertEquals(Outcome.CREATED, inTime.reply().outcome());
    var lateDelete = kit.<Reply>runCommand(r -> new SiteEntity.Delete(clock.get() - 1, r));
    assertEquals(Outcome.EXPIRED, lateDelete.reply().outcome());
    assertTrue(lateDelete.hasNoEvents());
    assertEquals(Outcome.OK, get().outcome(), "a late delete deletes nothing");
  }

  @Test
  void scaleChangesOnlyTheInstanceCountOfTheCurrentSpec() {
    assertEquals(
        Outcome.NOT_FOUND,
        kit.<Reply>runCommand(r -> new SiteEntity.Scale(3, 0, r)).reply().outcome());
    put(spec(REV1, 2));
    // a PUT acknowledged after the scale's caller last read the site: the scale keeps it
    put(spec(REV2, 2));
    var scaled = kit.<Reply>runCommand(r -> new SiteEntity.Scale(4, 0, r));
    assertEquals(Outcome.OK, scaled.reply().outcome());
    assertEquals(REV2, kit.getState().spec().revision(), "the concurrent PUT is kept");
    assertEquals(4, kit.getState().spec().instances());

    var invalid = kit.<Reply>runCommand(r -> new SiteEntity.Scale(1, 0, r));
    assertEquals(Outcome.INVALID, invalid.reply().outcome());
    assertTrue(invalid.hasNoEvents());
    var late = kit.<Reply>runCommand(r -> new SiteEntity.Scale(6, clock.get() - 1, r));
    assertEquals(Outcome.EXPIRED, late.reply().outcome());
    assertTrue(late.hasNoEvents());
    assertEquals(4, kit.getState().spec().instances());
  }

  @Test
  void revisionsInUseAndRecentSurviveRecovery() {
    put(spec(REV1, 2));
    put(spec(REV2, 2));
    put(spec(REV1, 3));
    kit.restart();
    SiteEntity.Revisions r =
        kit.<SiteEntity.Revisions>runCommand(SiteEntity.GetRevisions::new).reply();
    assertEquals(List.of(REV1, REV2), r.recent(), "newest first, each once");
    assertEquals(Set.of(REV1), r.inUse(), "no placements yet: the current spec only");
    kit.<Reply>runCommand(SiteEntity.Delete::new);
    SiteEntity.Revisions gone =
        kit.<SiteEntity.Revisions>runCommand(SiteEntity.GetRevisions::new).reply();
    assertEquals(List.of(), gone.recent());
    assertEquals(Set.of(), gone.inUse());
  }

  @Test
  void aNewRevisionIsAnnouncedToItsPoolOnceAndAgainOnRecovery() {
    TestProbe<RevisionWanted> wanted = testKit.createTestProbe();
    RevisionTopic.get(testKit.system()).subscribe(wanted.ref());
    put(spec(REV1, 2));
    assertEquals(new RevisionWanted(REV1, "default"), wanted.receiveMessage(WAIT));
    put(spec(REV1, 3));
    wanted.expectNoMessage(Duration.ofMillis(300));
    put(spec(REV2, 3));
    assertEquals(new RevisionWanted(REV2, "default"), wanted.receiveMessage(WAIT));
    kit.restart();
    assertEquals(
        new RevisionWanted(REV2, "default"),
        wanted.receiveMessage(WAIT),
        "a recovered site announces its revision again");
    SiteEntity.Revisions r =
        kit.<SiteEntity.Revisions>runCommand(SiteEntity.GetRevisions::new).reply();
    assertEquals("default", r.pool());
  }

  @Test
  void fewerThanTwoInstancesIsInvalid() {
    var result = put(spec(REV1, 1));
    assertEquals(Outcome.INVALID, result.reply().outcome());
    assertTrue(result.reply().message().contains("at least 2"));
    assertTrue(result.hasNoEvents());
  }

  @Test
  void getAndDeleteOnMissingSiteAreNotFound() {
    Reply got = get();
    assertEquals(Outcome.NOT_FOUND, got.outcome());
    assertEquals("site " + name + " does not exist", got.message());
    var deleted = kit.<Reply>runCommand(SiteEntity.Delete::new);
    assertEquals(Outcome.NOT_FOUND, deleted.reply().outcome());
    assertTrue(deleted.hasNoEvents());
  }

  @Test
  void instancesGoToTheHostsWithTheFewestInstancesOfAllSites() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    TestProbe<HostAgent.Command> c = testKit.createTestProbe();
    // other sites already run 3 instances on a and 3 on b; c runs none
    hostsAdapter.tell(
        new HostDirectory.Hosts(
            List.of(host("a", a), host("b", b), host("c", c)),
            Set.of(),
            Set.of(),
            Set.of(),
            Set.of(),
            Map.of("a", 3, "b", 3)));
    put(spec(REV1, 2));
    Set<String> hosts = new java.util.TreeSet<>();
    kit.getState().placements().values().forEach(p -> hosts.add(p.host()));
    assertEquals(Set.of("a", "c"), hosts, "c first (least loaded), then a (by name among equals)");
  }

  @Test
  void bothInstancesGoToTheOnlyHostAndTheSiteIsDegraded() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    hosts(host("a", a));
    var result = put(spec(REV1, 2));
    assertEquals(3, result.events().size());
    HostAgent.Assign assign = assignTo(a);
    assertEquals(List.of(name + "-1", name + "-2"), ids(assign));
    assertEquals(REV1, assign.instances().get(0).spec().revision());
    report(
        assign,
        "a",
        status("a", name + "-1", InstanceState.READY, REV1),
        status("a", name + "-2", InstanceState.READY, REV1));
    SiteEntity.SiteStatus st = get().site().status();
    assertEquals(2, st.ready());
    assertEquals(1, st.distinctHosts());
    assertTrue(st.degraded());
    assertTrue(
        st.problems()
            .contains(
                "runs on 1 distinct host: add hosts to pool default to survive a host failure"),
        st.problems().toString());
  }

  @Test
  void twoHostsGetOneEachAndTheSiteIsHealthyOnceReady() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    hosts(host("a", a), host("b", b));
    put(spec(REV1, 2));
    HostAgent.Assign toA = assignTo(a);
    HostAgent.Assign toB = assignTo(b);
    assertEquals(List.of(name + "-1"), ids(toA));
    assertEquals(List.of(name + "-2"), ids(toB));
    SiteEntity.SiteView before = get().site();
    assertEquals(0, before.status().ready());
    assertTrue(before.status().degraded());
    assertEquals(InstanceState.STARTING, before.instances().get(0).state());
    assertEquals(0, before.instances().get(0).pid());
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));
    SiteEntity.SiteStatus st = get().site().status();
    assertEquals(2, st.ready());
    assertEquals(2, st.distinctHosts());
    assertFalse(st.degraded());
    assertEquals(List.of(), st.problems());
  }

  @Test
  void recoveryKeepsSpecAndPlacements() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    hosts(host("a", a), host("b", b));
    put(spec(REV1, 2));
    State before = kit.getState();
    State after = kit.restart().state();
    assertEquals(before.spec(), after.spec());
    assertEquals(before.placements(), after.placements());
    assertEquals(3, after.nextEpoch());
    // the restarted entity subscribes again and re-assigns once it knows the hosts
    hostsAdapter = subscribed();
    hosts(host("a", a), host("b", b));
    assertEquals(List.of(name + "-1"), ids(assignTo(a, x -> true)));
  }

  @Test
  void deleteStopsEverythingAndForgetsTheSite() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    hosts(host("a", a));
    put(spec(REV1, 2));
    assignTo(a);
    var deleted = kit.<Reply>runCommand(SiteEntity.Delete::new);
    assertEquals(Outcome.OK, deleted.reply().outcome());
    assertEquals(List.of(SiteEntity.SiteDeleted.INSTANCE), deleted.events());
    assertEquals(List.of(), assignTo(a).instances());
    assertEquals(Outcome.NOT_FOUND, get().outcome());
    var again = put(spec(REV1, 2));
    assertEquals(Outcome.CREATED, again.reply().outcome());
    assertEquals(name + "-3", kit.getState().sortedPlacements().get(0).instanceId());
  }

  @Test
  void newRevisionRollsOneInstanceAtATime() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    hosts(host("a", a), host("b", b));
    put(spec(REV1, 2));
    HostAgent.Assign toA = assignTo(a);
    HostAgent.Assign toB = assignTo(b);
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));

    var changed = put(spec(REV2, 2));
    assertEquals(Outcome.OK, changed.reply().outcome());
    assertEquals(2, kit.getState().generation());
    SiteEntity.InstancePlaced surge =
        assertInstanceOf(SiteEntity.InstancePlaced.class, changed.events().get(1));
    assertEquals("a", surge.host(), "the surge copy goes next to the instance it replaces");
    assertEquals(2, changed.events().size(), "nothing removed before the new one is ready");
    HostAgent.Assign surgeAssign = assignTo(a, x -> x.instances().size() == 2);
    assertEquals(List.of(name + "-1", name + "-3"), ids(surgeAssign));
    assertEquals(REV1, surgeAssign.instances().get(0).spec().revision());
    assertEquals(REV2, surgeAssign.instances().get(1).spec().revision());

    report(
        toA,
        "a",
        status("a", name + "-1", InstanceState.READY, REV1),
        status("a", name + "-3", InstanceState.STARTING, REV2));
    assertEquals(3, kit.getState().placements().size(), "old one stays while the new one starts");

    report(
        toA,
        "a",
        status("a", name + "-1", InstanceState.READY, REV1),
        status("a", name + "-3", InstanceState.READY, REV2));
    awaitState(s -> !s.placements().containsKey(name + "-1"), "old instance on a removed");
    assertEquals(List.of(name + "-3"), ids(assignTo(a, x -> ids(x).equals(List.of(name + "-3")))));
    assertTrue(kit.getState().placements().containsKey(name + "-4"), "next surge copy placed");
    assertEquals("b", kit.getState().placements().get(name + "-4").host());
    assertTrue(kit.getState().placements().containsKey(name + "-2"));

    report(
        toB,
        "b",
        status("b", name + "-2", InstanceState.READY, REV1),
        status("b", name + "-4", InstanceState.READY, REV2));
    awaitState(s -> !s.placements().containsKey(name + "-2"), "old instance on b removed");
    assertEquals(2, kit.getState().placements().size());
    assertEquals(1, kit.getState().specs().size(), "the old generation's spec is forgotten");
    assertNull(kit.getState().specs().get(1L));
  }

  @Test
  void instanceMissingLongerThanTheGraceIsReplacedElsewhere() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    TestProbe<HostAgent.Command> c = testKit.createTestProbe();
    hosts(host("a", a), host("b", b));
    put(spec(REV1, 2));
    HostAgent.Assign toA = assignTo(a);
    HostAgent.Assign toB = assignTo(b);
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));

    hosts(host("b", b), host("c", c));
    get();
    assertEquals(2, kit.getState().placements().size(), "within the grace nothing moves");

    clock.addAndGet(6_000);
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));
    hosts(host("b", b), host("c", c));
    awaitState(s -> s.placements().containsKey(name + "-3"), "replacement placed");
    assertEquals("c", kit.getState().placements().get(name + "-3").host());
    assertTrue(kit.getState().placements().containsKey(name + "-1"), "kept until replaced");
    assertTrue(get().site().status().problems().stream().anyMatch(p -> p.contains("is gone")));

    HostAgent.Assign toC = assignTo(c);
    report(toC, "c", status("c", name + "-3", InstanceState.READY, REV1));
    awaitState(s -> !s.placements().containsKey(name + "-1"), "lost instance removed");
    SiteEntity.SiteStatus st = get().site().status();
    assertEquals(2, st.ready());
    assertEquals(2, st.distinctHosts());
    assertFalse(st.degraded());
  }

  @Test
  void aSiteOnADownedNodePlansNothingMore() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    TestProbe<HostAgent.Command> c = testKit.createTestProbe();
    hosts(host("a", a), host("b", b));
    put(spec(REV1, 2));
    HostAgent.Assign toB = assignTo(b);
    assignTo(a);
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));

    // this node is downed: survivors take the site over; the copy here must not act any more
    downed.set(true);
    clock.addAndGet(6_000);
    TestProbe<HostAgent.Command> bNow = testKit.createTestProbe();
    hosts(host("b", bNow), host("c", c));
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));
    get();
    // not even assignments: they could stop what the survivors' copy of the site placed
    bNow.expectNoMessage(Duration.ofMillis(300));
    c.expectNoMessage(Duration.ofMillis(300));
    assertEquals(
        Set.of(name + "-1", name + "-2"),
        kit.getState().placements().keySet(),
        "nothing lost, nothing placed");
    assertFalse(kit.getState().placements().get(name + "-1").lost());
  }

  @Test
  void unreachableHostKeepsItsInstanceThroughTheGraceAndTakesNoNewOne() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    TestProbe<HostAgent.Command> c = testKit.createTestProbe();
    hosts(host("a", a), host("b", b), host("c", c));
    put(spec(REV1, 2));
    HostAgent.Assign toA = assignTo(a);
    HostAgent.Assign toB = assignTo(b);
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));

    // b vanishes: a blip shorter than the grace costs nothing
    hosts(Set.of("b"), host("a", a), host("b", b), host("c", c));
    get();
    clock.addAndGet(3_000);
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    Reply during = get();
    assertEquals(2, kit.getState().placements().size(), "nothing placed within the grace");
    assertEquals(
        InstanceState.UNKNOWN,
        during.site().instances().stream()
            .filter(i -> i.id().equals(name + "-2"))
            .findFirst()
            .orElseThrow()
            .state());
    assertTrue(during.site().status().degraded(), "an unreachable copy is not ready");

    // past the grace: lost, replaced on c (never on the unreachable b)
    clock.addAndGet(3_000);
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    awaitState(s -> s.placements().containsKey(name + "-3"), "replacement placed");
    assertEquals("c", kit.getState().placements().get(name + "-3").host());
    assertTrue(kit.getState().placements().get(name + "-2").lost());
  }

  @Test
  void reappearingCopyWithTheOlderEpochStopsOnlyOnceItsReplacementIsReady() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    TestProbe<HostAgent.Command> c = testKit.createTestProbe();
    hosts(host("a", a), host("b", b), host("c", c));
    put(spec(REV1, 2));
    HostAgent.Assign toA = assignTo(a);
    HostAgent.Assign toB = assignTo(b);
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));

    hosts(Set.of("b"), host("a", a), host("b", b), host("c", c));
    get();
    clock.addAndGet(6_000);
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    awaitState(s -> s.placements().containsKey(name + "-3"), "replacement placed on c");
    HostAgent.Assign toC = assignTo(c, x -> ids(x).equals(List.of(name + "-3")));

    // b comes back while the replacement is still starting: both stay
    hosts(host("a", a), host("b", b), host("c", c));
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));
    report(toC, "c", status("c", name + "-3", InstanceState.STARTING, REV1));
    get();
    assertTrue(kit.getState().placements().containsKey(name + "-2"), "no ready replacement yet");
    assertTrue(kit.getState().placements().containsKey(name + "-3"), "the replacement stays");

    // the replacement is ready: the older epoch (on b) is the surplus and b is told to stop it
    report(toC, "c", status("c", name + "-3", InstanceState.READY, REV1));
    awaitState(s -> !s.placements().containsKey(name + "-2"), "older copy removed");
    assignTo(b, x -> x.instances().isEmpty());
    assertEquals(
        List.of(name + "-1", name + "-3"),
        kit.getState().sortedPlacements().stream().map(SiteEntity.Placed::instanceId).toList());
  }

  @Test
  void aPauseOfTheSiteItselfIsNotMistakenForMissingInstances() {
    TestProbe<HostDirectory.Command> dir = testKit.createTestProbe();
    String paused = name + "-paused";
    EventSourcedBehaviorTestKit<Command, Event, State> k =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            SiteEntity.create(
                paused,
                dir.ref(),
                new SiteSettings(Duration.ofSeconds(5), Duration.ofSeconds(1)),
                clock::get,
                () -> false));
    ActorRef<HostDirectory.Hosts> adapter =
        dir.expectMessageClass(HostDirectory.Subscribe.class, WAIT).subscriber();
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    adapter.tell(new HostDirectory.Hosts(List.of(host("a", a), host("b", b)), Set.of(), Set.of()));
    k.<Reply>runCommand(r -> new SiteEntity.Put(spec(REV1, 2), r));
    HostAgent.Assign toA = assignTo(a);
    assignTo(b);

    // the entity's node stood still for 20 s: then a's report comes in first
    clock.addAndGet(20_000);
    toA.reportTo()
        .tell(
            new HostAgent.SiteReport(
                "a",
                paused,
                List.of(
                    new InstanceStatus(
                        paused + "-1",
                        paused,
                        "a",
                        1,
                        1,
                        InstanceState.READY,
                        REV1,
                        1,
                        0,
                        null,
                        null,
                        1))));
    k.<Reply>runCommand(SiteEntity.Get::new);
    assertTrue(
        k.getState().placements().values().stream().noneMatch(SiteEntity.Placed::lost),
        "nothing declared lost: " + k.getState());
    assertEquals(2, k.getState().placements().size());
  }

  @Test
  void aDrainedHostsInstanceMovesAndStopsOnlyOnceItsReplacementIsReady() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    TestProbe<HostAgent.Command> c = testKit.createTestProbe();
    hosts(host("a", a), host("b", b), host("c", c));
    put(spec(REV1, 2));
    HostAgent.Assign toA = assignTo(a);
    HostAgent.Assign toB = assignTo(b);
    assertEquals(List.of(name + "-1"), ids(toA));
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));

    hosts(Set.of("a"), Set.of("a"), host("a", a), host("b", b), host("c", c));
    awaitState(s -> s.placements().containsKey(name + "-3"), "replacement placed");
    assertEquals("c", kit.getState().placements().get(name + "-3").host(), "never on a, b has one");
    HostAgent.Assign toC = assignTo(c, x -> ids(x).equals(List.of(name + "-3")));
    assertTrue(
        get().site().status().problems().stream()
            .anyMatch(p -> p.contains("host is draining") && p.contains("replacement")),
        get().site().status().problems().toString());

    report(toC, "c", status("c", name + "-3", InstanceState.STARTING, REV1));
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    get();
    assertTrue(kit.getState().placements().containsKey(name + "-1"), "kept while 3 starts");

    report(toC, "c", status("c", name + "-3", InstanceState.READY, REV1));
    awaitState(s -> !s.placements().containsKey(name + "-1"), "drained instance removed");
    assignTo(a, x -> x.instances().isEmpty());
    assertEquals(3, kit.getState().nextEpoch() - 1, "exactly one replacement");
    SiteEntity.SiteStatus st = get().site().status();
    assertEquals(2, st.ready());
    assertFalse(st.degraded());
  }

  @Test
  void aCordonedHostKeepsItsInstanceButTakesNoNewOne() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    hosts(host("a", a), host("b", b));
    put(spec(REV1, 2));
    HostAgent.Assign toA = assignTo(a);
    HostAgent.Assign toB = assignTo(b);
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));

    hosts(Set.of("a"), Set.of(), host("a", a), host("b", b));
    var scaled = put(spec(REV1, 3));
    SiteEntity.InstancePlaced added =
        assertInstanceOf(SiteEntity.InstancePlaced.class, scaled.events().get(1));
    assertEquals("b", added.host(), "the cordoned host takes no new instance");
    assertTrue(kit.getState().placements().containsKey(name + "-1"), "its instance stays");
    assertEquals("a", kit.getState().placements().get(name + "-1").host());
  }

  @Test
  void drainingTheOnlyHostKeepsEverythingRunningAndSaysWhy() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    hosts(host("a", a));
    put(spec(REV1, 2));
    HostAgent.Assign toA = assignTo(a);
    report(
        toA,
        "a",
        status("a", name + "-1", InstanceState.READY, REV1),
        status("a", name + "-2", InstanceState.READY, REV1));

    hosts(Set.of("a"), Set.of("a"), host("a", a));
    Reply r = get();
    // a drain that changes no plan sends no assignment (a new host list alone resends nothing)
    a.expectNoMessage(Duration.ofMillis(200));
    assertEquals(2, kit.getState().placements().size(), "nothing placed, nothing removed");
    assertEquals(2, r.site().status().ready());
    List<String> problems = r.site().status().problems();
    assertTrue(
        problems.stream().anyMatch(p -> p.contains("no schedulable host in pool default")),
        problems.toString());
    assertTrue(
        problems.stream().anyMatch(p -> p.contains("keeps running there")), problems.toString());

    hosts(host("a", a));
    assertEquals(
        List.of("runs on 1 distinct host: add hosts to pool default to survive a host failure"),
        get().site().status().problems(),
        "uncordon clears the drain problems");
  }

  @Test
  void instancesOfADepartedHostAreReplacedWithoutWaitingOutTheGrace() {
    TestProbe<HostAgent.Command> a = testKit.createTestProbe();
    TestProbe<HostAgent.Command> b = testKit.createTestProbe();
    TestProbe<HostAgent.Command> c = testKit.createTestProbe();
    hosts(host("a", a), host("b", b), host("c", c));
    put(spec(REV1, 2));
    HostAgent.Assign toA = assignTo(a);
    HostAgent.Assign toB = assignTo(b);
    report(toA, "a", status("a", name + "-1", InstanceState.READY, REV1));
    report(toB, "b", status("b", name + "-2", InstanceState.READY, REV1));
    get();

    // b's node was downed and removed: the directory saw its agent go; no clock moves
    hostsAdapter.tell(
        new HostDirectory.Hosts(
            List.of(host("a", a), host("c", c)), Set.of(), Set.of(), Set.of(), Set.of("b")));
    awaitState(s -> s.placements().containsKey(name + "-3"), "replacement placed at once");
    assertEquals("c", kit.getState().placements().get(name + "-3").host());
    assertTrue(
        get().site().status().problems().stream().anyMatch(p -> p.contains("left the cluster")));
  }
}
