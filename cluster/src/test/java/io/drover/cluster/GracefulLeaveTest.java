package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.InstanceState;
import io.drover.actors.agent.InstanceStatus;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class GracefulLeaveTest {

  private static final ActorTestKit testKit = ActorTestKit.create("GracefulLeaveTest");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** An agent that runs {@code running} instances, one fewer after each question. */
  private static Behavior<HostAgent.Command> shrinkingAgent(AtomicInteger running) {
    return Behaviors.receive(HostAgent.Command.class)
        .onMessage(
            HostAgent.GetInstances.class,
            g -> {
              int n = Math.max(0, running.getAndDecrement());
              InstanceStatus one =
                  new InstanceStatus(
                      "s-1", "s", "h", 1, 1, InstanceState.READY, "r", 1, 0, null, null, 0);
              g.replyTo().tell(new HostAgent.Instances(java.util.Collections.nCopies(n, one)));
              return Behaviors.same();
            })
        .build();
  }

  @Test
  void awaitEmptyCompletesOnceTheAgentRunsNothing() throws Exception {
    ActorRef<HostAgent.Command> agent = testKit.spawn(shrinkingAgent(new AtomicInteger(2)));
    int remaining =
        GracefulLeave.awaitEmpty(agent, Duration.ofSeconds(20), testKit.system())
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertEquals(0, remaining);
  }

  @Test
  void awaitEmptyGivesUpAtTheDeadlineWithWhatStillRuns() throws Exception {
    ActorRef<HostAgent.Command> agent =
        testKit.spawn(
            Behaviors.receive(HostAgent.Command.class)
                .onMessage(
                    HostAgent.GetInstances.class,
                    g -> {
                      g.replyTo()
                          .tell(
                              new HostAgent.Instances(
                                  List.of(
                                      new InstanceStatus(
                                          "s-1",
                                          "s",
                                          "h",
                                          1,
                                          1,
                                          InstanceState.READY,
                                          "r",
                                          1,
                                          0,
                                          null,
                                          null,
                                          0))));
                      return Behaviors.same();
                    })
                .build());
    int remaining =
        GracefulLeave.awaitEmpty(agent, Duration.ofSeconds(1), testKit.system())
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertEquals(1, remaining);
  }
}
