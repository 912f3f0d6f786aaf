package io.drover.actors.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.actors.agent.HostAgent;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
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
    awaitHosts(subscriber, List.of("b"));
    testKit.stop(b);
    awaitHosts(subscriber, List.of());
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
}
