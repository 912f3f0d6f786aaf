package io.drover.actors.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.agent.HostAgent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostDirectoryTest {

  private static final Duration WAIT = Duration.ofSeconds(10);

  /** Each test gets its own system, hence its own receptionist. */
  private ActorTestKit testKit;

  @BeforeEach
  void setUp() {
    testKit = ActorTestKit.create("HostDirectoryTest");
  }

  @AfterEach
  void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A fake agent that describes itself, after ignoring the first {@code silent} questions. */
  private static Behavior<HostAgent.Command> fakeAgent(String name, String pool, int silent) {
    AtomicInteger asked = new AtomicInteger();
    return Behaviors.receive(HostAgent.Command.class)
        .onMessage(
            HostAgent.Describe.class,
            d -> {
              if (asked.incrementAndGet() > silent) {
                d.replyTo().tell(new HostInfo(name, pool, Map.of(), "inc-1", null));
              }
              return Behaviors.same();
            })
        .build();
  }

  private static List<String> names(HostDirectory.Hosts hosts) {
    return hosts.hosts().stream().map(HostInfo::name).toList();
  }

  private static HostDirectory.Hosts awaitHosts(
      TestProbe<HostDirectory.Hosts> probe, List<String> expected) {
    return (HostDirectory.Hosts)
        probe
            .fishForMessage(
                WAIT,
                h ->
                    names(h).equals(expected)
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore())
            .get(0);
  }

  @Test
  void subscribersSeeAgentsComeAndGo() {
    ActorRef<HostDirectory.Command> directory = testKit.spawn(HostDirectory.create());
    TestProbe<HostDirectory.Hosts> subscriber = testKit.createTestProbe();
    directory.tell(new HostDirectory.Subscribe(subscriber.ref()));
    assertEquals(List.of(), names(subscriber.expectMessageClass(HostDirectory.Hosts.class, WAIT)));

    ActorRef<HostAgent.Command> b = testKit.spawn(fakeAgent("b", "web", 0));
    ActorRef<HostAgent.Command> a = testKit.spawn(fakeAgent("a", "default", 0));
    testKit.system().receptionist().tell(Receptionist.register(HostAgent.SERVICE_KEY, b));
    testKit.system().receptionist().tell(Receptionist.register(HostAgent.SERVICE_KEY, a));

    HostDirectory.Hosts both = awaitHosts(subscriber, List.of("a", "b"));
    assertEquals(a, both.hosts().get(0).agent(), "the agent ref comes from the receptionist");
    assertEquals("web", both.hosts().get(1).pool());

    TestProbe<HostDirectory.Hosts> asker = testKit.createTestProbe();
    directory.tell(new HostDirectory.GetHosts(asker.ref()));
    assertEquals(List.of("a", "b"), names(asker.expectMessageClass(HostDirectory.Hosts.class)));

    testKit.system().receptionist().tell(Receptionist.deregister(HostAgent.SERVICE_KEY, a));
    assertEquals(Set.of("a"), awaitHosts(subscriber, List.of("b")).departed(), "a departed");
    testKit.stop(b);
    assertEquals(Set.of("a", "b"), awaitHosts(subscriber, List.of()).departed());

    // a host that comes back (a new incarnation) has not departed any more
    ActorRef<HostAgent.Command> again = testKit.spawn(fakeAgent("a", "default", 0));
    testKit.system().receptionist().tell(Receptionist.register(HostAgent.SERVICE_KEY, again));
    assertEquals(Set.of("b"), awaitHosts(subscriber, List.of("a")).departed());
  }

  /** A fake agent that answers GetInstances with {@code instances} copies of nothing. */
  private static Behavior<HostAgent.Command> countingAgent(String name, int instances) {
    return Behaviors.receive(HostAgent.Command.class)
        .onMessage(
            HostAgent.Describe.class,
            d -> {
              d.replyTo().tell(new HostInfo(name, "p", Map.of(), "inc-1", null));
              return Behaviors.same();
            })
        .onMessage(
            HostAgent.GetInstances.class,
            g -> {
              List<io.drover.actors.agent.InstanceStatus> none = new java.util.ArrayList<>();
              for (int i = 0; i < instances; i++) {
                none.add(
                    new io.drover.actors.agent.InstanceStatus(
                        "s-" + i,
                        "s",
                        name,
                        0,
                        0,
                        io.drover.actors.agent.InstanceState.READY,
                        "r",
                        i,
                        0,
                        null,
                        null,
                        0));
              }
              g.replyTo().tell(new HostAgent.Instances(none));
              return Behaviors.same();
            })
        .build();
  }

  private static HostDirectory.Hosts awaitLoad(
      TestProbe<HostDirectory.Hosts> probe, Map<String, Integer> expected) {
    return awaitHosts(probe, h -> h.load().equals(expected));
  }

  @Test
  void loadComesFromOneAskThenFromPublicationsOfTheCurrentIncarnation() {
    ActorRef<HostDirectory.Command> directory = testKit.spawn(HostDirectory.create());
    TestProbe<HostDirectory.Hosts> subscriber = testKit.createTestProbe();
    directory.tell(new HostDirectory.Subscribe(subscriber.ref()));
    ActorRef<HostAgent.Command> a = testKit.spawn(countingAgent("a", 2));
    testKit.system().receptionist().tell(Receptionist.register(HostAgent.SERVICE_KEY, a));
    awaitLoad(subscriber, Map.of("a", 2));

    HostLoadTopic topic = HostLoadTopic.get(testKit.system());
    topic.publish(new HostLoad("a", "old-incarnation", 9));
    topic.publish(new HostLoad("nobody", "inc-1", 9));
    topic.publish(new HostLoad("a", "inc-1", 3));
    HostDirectory.Hosts three = awaitLoad(subscriber, Map.of("a", 3));
    assertEquals(List.of("a"), names(three));

    // a burst of load changes is coalesced: far fewer snapshots than changes, the last one wins
    for (int i = 4; i <= 50; i++) {
      topic.publish(new HostLoad("a", "inc-1", i));
    }
    AtomicInteger snapshots = new AtomicInteger();
    awaitHosts(subscriber, h -> snapshots.incrementAndGet() > 0 && h.load().get("a") == 50);
    assertTrue(snapshots.get() <= 5, "47 changes in a burst, snapshots: " + snapshots.get());
    subscriber.expectNoMessage(Duration.ofMillis(500));
  }

  @Test
  void aSilentAgentIsAskedAgain() {
    ActorRef<HostDirectory.Command> directory = testKit.spawn(HostDirectory.create());
    TestProbe<HostDirectory.Hosts> subscriber = testKit.createTestProbe();
    directory.tell(new HostDirectory.Subscribe(subscriber.ref()));
    ActorRef<HostAgent.Command> slow = testKit.spawn(fakeAgent("slow", "default", 1));
    testKit.system().receptionist().tell(Receptionist.register(HostAgent.SERVICE_KEY, slow));
    awaitHosts(subscriber, List.of("slow"));
  }

  private static HostRecord record(String name, boolean cordoned, boolean draining, long version) {
    return new HostRecord(
        name, "default", Map.of(), "inc-1", "addr", cordoned, draining, Instant.EPOCH, version);
  }

  /** A fake host entity that answers Get with whatever {@code current} holds. */
  private static Behavior<HostEntity.Command> fakeEntity(
      java.util.concurrent.atomic.AtomicReference<HostRecord> current) {
    return Behaviors.receive(HostEntity.Command.class)
        .onMessage(
            HostEntity.Get.class,
            g -> {
              HostRecord r = current.get();
              g.replyTo()
                  .tell(
                      r == null
                          ? new HostEntity.Reply(HostEntity.Outcome.NOT_FOUND, "unknown", null)
                          : new HostEntity.Reply(HostEntity.Outcome.OK, null, r));
              return Behaviors.same();
            })
        .build();
  }

  private static HostDirectory.Hosts awaitHosts(
      TestProbe<HostDirectory.Hosts> probe, Predicate<HostDirectory.Hosts> until) {
    return (HostDirectory.Hosts)
        probe
            .fishForMessage(
                WAIT,
                h ->
                    until.test(h)
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore())
            .get(0);
  }

  @Test
  void aCordonedHostIsUnschedulableUntilUncordoned() {
    var record = new java.util.concurrent.atomic.AtomicReference<>(record("a", true, false, 2));
    ActorRef<HostEntity.Command> entityA = testKit.spawn(fakeEntity(record));
    ActorRef<HostDirectory.Command> directory =
        testKit.spawn(
            HostDirectory.create(
                name -> {
                  if (!name.equals("a")) {
                    throw new IllegalStateException("only a is known");
                  }
                  return entityA;
                }));
    TestProbe<HostDirectory.Hosts> subscriber = testKit.createTestProbe();
    directory.tell(new HostDirectory.Subscribe(subscriber.ref()));
    ActorRef<HostAgent.Command> a = testKit.spawn(fakeAgent("a", "default", 0));
    testKit.system().receptionist().tell(Receptionist.register(HostAgent.SERVICE_KEY, a));

    // asked from the entity when the host is first seen: nobody published anything
    HostDirectory.Hosts cordoned = awaitHosts(subscriber, h -> !h.unschedulable().isEmpty());
    assertEquals(List.of("a"), names(cordoned));
    assertEquals(Set.of("a"), cordoned.unschedulable());
    assertEquals(Set.of(), cordoned.draining(), "cordoned only: its instances stay");
    assertEquals(false, cordoned.schedulable("a"));

    // later changes arrive on the topic
    var topic = HostTopic.get(testKit.system()).topic();
    topic.tell(Topic.publish(record("a", false, false, 3)));
    HostDirectory.Hosts uncordoned = awaitHosts(subscriber, h -> h.unschedulable().isEmpty());
    assertEquals(true, uncordoned.schedulable("a"));

    topic.tell(Topic.publish(record("a", true, true, 4)));
    HostDirectory.Hosts draining = awaitHosts(subscriber, h -> !h.draining().isEmpty());
    assertEquals(Set.of("a"), draining.unschedulable(), "draining implies unschedulable");

    // an older copy (out of order) changes nothing
    topic.tell(Topic.publish(record("a", false, false, 3)));
    TestProbe<HostDirectory.Records> records = testKit.createTestProbe();
    records.awaitAssert(
        WAIT,
        () -> {
          directory.tell(new HostDirectory.GetRecords(records.ref()));
          assertEquals(List.of(record("a", true, true, 4)), records.receiveMessage(WAIT).records());
          return null;
        });
    TestProbe<HostDirectory.Hosts> asker = testKit.createTestProbe();
    directory.tell(new HostDirectory.GetHosts(asker.ref()));
    assertEquals(Set.of("a"), asker.receiveMessage(WAIT).draining());
  }

  @Test
  void aDirectoryWithoutEntitiesStillFollowsTheTopic() {
    ActorRef<HostDirectory.Command> directory = testKit.spawn(HostDirectory.create());
    TestProbe<HostDirectory.Hosts> subscriber = testKit.createTestProbe();
    directory.tell(new HostDirectory.Subscribe(subscriber.ref()));
    subscriber.expectMessageClass(HostDirectory.Hosts.class, WAIT);
    TestProbe<HostDirectory.Hosts> asker = testKit.createTestProbe();
    asker.awaitAssert(
        WAIT,
        () -> {
          // the subscription travels to the topic asynchronously: publish until it is seen
          HostTopic.get(testKit.system()).topic().tell(Topic.publish(record("z", true, false, 1)));
          directory.tell(new HostDirectory.GetHosts(asker.ref()));
          assertEquals(Set.of("z"), asker.receiveMessage(WAIT).unschedulable());
          return null;
        });
  }

  /**
   * On a cluster node no record is asked before the node is Up (the host shard region would only
   * buffer it, warning every retry interval); once Up, each host seen meanwhile is asked once.
   */
  @Test
  void recordsAreAskedOnlyOnceTheNodeIsUp() {
    ActorTestKit clustered =
        ActorTestKit.create(
            "HostDirectoryUpTest",
            com.typesafe.config.ConfigFactory.parseString(
                    "pekko.actor.provider = cluster\n"
                        + "pekko.remote.artery.canonical.hostname = 127.0.0.1\n"
                        + "pekko.remote.artery.canonical.port = 0\n")
                .withFallback(com.typesafe.config.ConfigFactory.load()));
    try {
      TestProbe<HostEntity.Command> entity = clustered.createTestProbe();
      ActorRef<HostDirectory.Command> directory =
          clustered.spawn(HostDirectory.create(name -> entity.ref()));
      TestProbe<HostDirectory.Hosts> subscriber = clustered.createTestProbe();
      directory.tell(new HostDirectory.Subscribe(subscriber.ref()));
      ActorRef<HostAgent.Command> a = clustered.spawn(fakeAgent("a", "default", 0));
      clustered.system().receptionist().tell(Receptionist.register(HostAgent.SERVICE_KEY, a));
      awaitHosts(subscriber, List.of("a"));
      entity.expectNoMessage(Duration.ofSeconds(1));

      org.apache.pekko.cluster.typed.Cluster cluster =
          org.apache.pekko.cluster.typed.Cluster.get(clustered.system());
      cluster
          .manager()
          .tell(org.apache.pekko.cluster.typed.Join.create(cluster.selfMember().address()));
      HostEntity.Get get = entity.expectMessageClass(HostEntity.Get.class, WAIT);
      get.replyTo()
          .tell(new HostEntity.Reply(HostEntity.Outcome.OK, null, record("a", true, false, 1)));
      assertEquals(
          Set.of("a"), awaitHosts(subscriber, h -> !h.unschedulable().isEmpty()).unschedulable());
      entity.expectNoMessage(Duration.ofMillis(500));
    } finally {
      clustered.shutdownTestKit();
    }
  }
}
