package io.drover.actors.host;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.drover.actors.host.HostEntity.Command;
import io.drover.actors.host.HostEntity.Event;
import io.drover.actors.host.HostEntity.Outcome;
import io.drover.actors.host.HostEntity.Reply;
import io.drover.actors.host.HostEntity.State;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HostEntityTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "HostEntityTest",
          EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AtomicInteger counter = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String ADDRESS = "pekko://drover@127.0.0.1:2552";

  private String name;
  private EventSourcedBehaviorTestKit<Command, Event, State> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    name = "host" + counter.incrementAndGet();
    kit = EventSourcedBehaviorTestKit.create(testKit.system(), HostEntity.create(name));
  }

  private CommandResultWithReply<Command, Event, State, Reply> register(String incarnation) {
    return kit.runCommand(
        r -> new HostEntity.Register("web", Map.of("zone", "a"), incarnation, ADDRESS, r));
  }

  @Test
  void unknownHostIsNotFoundAndCannotBeCordoned() {
    Reply got = kit.<Reply>runCommand(HostEntity.Get::new).reply();
    assertEquals(Outcome.NOT_FOUND, got.outcome());
    assertTrue(got.message().contains(name) && got.message().contains("GET /api/v1/hosts"));
    assertNull(got.host());
    for (var cmd :
        List.<java.util.function.Function<org.apache.pekko.actor.typed.ActorRef<Reply>, Command>>of(
            HostEntity.Cordon::new, HostEntity.Drain::new, HostEntity.Uncordon::new)) {
      var result = kit.<Reply>runCommand(cmd::apply);
      assertEquals(Outcome.NOT_FOUND, result.reply().outcome());
      assertTrue(result.hasNoEvents());
    }
  }

  @Test
  void registerIsIdempotentAndANewIncarnationIsRecorded() {
    var first = register("inc-1");
    assertEquals(Outcome.OK, first.reply().outcome());
    HostEntity.HostRegistered registered = first.eventOfType(HostEntity.HostRegistered.class);
    assertEquals("inc-1", registered.incarnation());
    HostRecord record = first.reply().host();
    assertEquals(name, record.name());
    assertEquals("web", record.pool());
    assertEquals(Map.of("zone", "a"), record.labels());
    assertEquals(ADDRESS, record.address());
    assertFalse(record.cordoned());
    assertEquals(1, record.version());

    var again = register("inc-1");
    assertTrue(again.hasNoEvents(), "same incarnation: nothing new");
    assertEquals(record, again.reply().host());

    var next = register("inc-2");
    HostEntity.HostIncarnated inc = next.eventOfType(HostEntity.HostIncarnated.class);
    assertEquals("inc-2", inc.incarnation());
    assertEquals("inc-2", next.reply().host().incarnation());
    assertEquals(2, next.reply().host().version());
  }

  @Test
  void registerWithoutPoolOrIncarnationIsInvalid() {
    var noPool =
        kit.<Reply>runCommand(r -> new HostEntity.Register(" ", Map.of(), "inc", ADDRESS, r));
    assertEquals(Outcome.INVALID, noPool.reply().outcome());
    assertTrue(noPool.hasNoEvents());
    var noInc =
        kit.<Reply>runCommand(r -> new HostEntity.Register("web", Map.of(), null, ADDRESS, r));
    assertEquals(Outcome.INVALID, noInc.reply().outcome());
    assertTrue(noInc.hasNoEvents());
  }

  @Test
  void cordonDrainAndUncordon() {
    register("inc-1");
    var cordoned = kit.<Reply>runCommand(HostEntity.Cordon::new);
    assertEquals(List.of(HostEntity.HostCordoned.INSTANCE), cordoned.events());
    assertTrue(cordoned.reply().host().cordoned());
    assertFalse(cordoned.reply().host().draining());
    assertTrue(kit.<Reply>runCommand(HostEntity.Cordon::new).hasNoEvents(), "idempotent");

    var draining = kit.<Reply>runCommand(HostEntity.Drain::new);
    assertEquals(List.of(HostEntity.HostDrainStarted.INSTANCE), draining.events());
    assertTrue(draining.reply().host().cordoned());
    assertTrue(draining.reply().host().draining());
    assertTrue(kit.<Reply>runCommand(HostEntity.Drain::new).hasNoEvents(), "idempotent");
    assertTrue(
        kit.<Reply>runCommand(HostEntity.Cordon::new).reply().host().draining(),
        "cordon does not end a drain");

    var uncordoned = kit.<Reply>runCommand(HostEntity.Uncordon::new);
    assertEquals(List.of(HostEntity.HostUncordoned.INSTANCE), uncordoned.events());
    assertFalse(uncordoned.reply().host().cordoned());
    assertFalse(uncordoned.reply().host().draining(), "uncordon ends the drain");
    assertTrue(kit.<Reply>runCommand(HostEntity.Uncordon::new).hasNoEvents(), "idempotent");
  }

  @Test
  void drainSurvivesANewIncarnationAndRecovery() {
    register("inc-1");
    kit.<Reply>runCommand(HostEntity.Drain::new);
    var next = register("inc-2");
    assertTrue(next.reply().host().draining(), "a restarted host is still draining");

    State before = kit.getState();
    State after = kit.restart().state();
    assertEquals(before, after);
    HostRecord got = kit.<Reply>runCommand(HostEntity.Get::new).reply().host();
    assertEquals("inc-2", got.incarnation());
    assertTrue(got.cordoned() && got.draining());
    assertEquals(3, got.version());
  }

  @Test
  void everyChangeIsPublishedOnTheTopic() {
    TestProbe<HostRecord> subscriber = testKit.createTestProbe();
    HostTopic.get(testKit.system()).topic().tell(Topic.subscribe(subscriber.ref()));
    register("inc-1");
    kit.<Reply>runCommand(HostEntity.Cordon::new);
    HostRecord published =
        assertInstanceOf(
            HostRecord.class,
            subscriber
                .fishForMessage(
                    WAIT,
                    r ->
                        r.name().equals(name) && r.cordoned()
                            ? FishingOutcomes.complete()
                            : FishingOutcomes.continueAndIgnore())
                .get(0));
    assertEquals(2, published.version());
  }
}
