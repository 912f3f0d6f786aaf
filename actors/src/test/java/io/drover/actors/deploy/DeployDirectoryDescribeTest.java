package io.drover.actors.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.common.SingletonInfo;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The deploy directory answers Describe with its counts and running deploys, no events. */
class DeployDirectoryDescribeTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "DeployDirectoryDescribeTest",
          EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static DeployDirectory.Summary queued(String id, String site) {
    return new DeployDirectory.Summary(
        id, DeployStatus.QUEUED, List.of(site), "r1", null, "api", 1, 0, 0, null);
  }

  @Test
  void describeListsCountsQueueAndRunning() {
    TestProbe<DeployEntity.Command> deploys = testKit.createTestProbe();
    EventSourcedBehaviorTestKit<
            DeployDirectory.Command, DeployDirectory.Event, DeployDirectory.State>
        kit =
            EventSourcedBehaviorTestKit.create(
                testKit.system(), DeployDirectory.create(id -> deploys.ref(), Duration.ofHours(1)));
    kit.<Done>runCommand(r -> new DeployDirectory.Enqueue(queued("d-1", "web"), false, false, r));
    kit.<Done>runCommand(r -> new DeployDirectory.Enqueue(queued("d-2", "web"), false, false, r));
    var d = kit.<SingletonInfo>runCommand(DeployDirectory.Describe::new);
    assertTrue(d.hasNoEvents());
    assertEquals("deploy-directory", d.reply().name());
    JsonNode details = d.reply().details();
    assertEquals(2, details.get("deploys").asInt(), details.toString());
    assertEquals(1, details.get("queued").asInt(), "d-2 waits for d-1's site: " + details);
    assertEquals(1, details.get("running").size(), details.toString());
    assertEquals("d-1", details.get("running").get(0).asText());
  }
}
