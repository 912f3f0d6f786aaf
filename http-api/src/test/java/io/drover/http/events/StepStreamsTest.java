package io.drover.http.events;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.deploy.DeployTopic;
import io.drover.actors.deploy.Step;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class StepStreamsTest {

  private final ActorTestKit kit = ActorTestKit.create();

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void aClientTooFarBehindIsCutOffWithAComment() throws Exception {
    StepStreams.Live live = StepStreams.subscribe(kit.system(), 3);
    TestSubscriber.Probe<ByteString> client =
        StepStreams.frames(live.source(), SseFrames::globalId, "test", Duration.ofSeconds(30), 3)
            .runWith(TestSink.create(kit.system()), kit.system());
    client.request(1);
    assertTrue(client.expectNext().utf8String().startsWith(": test"));
    // the client reads nothing more while far more steps than the buffers hold arrive
    for (int i = 1; i <= 500; i++) {
      DeployTopic.get(kit.system())
          .publish(new Step("d", i, i, "host-done", "h", null, "done", null));
    }
    live.done().handle((d, e) -> e).toCompletableFuture().get(30, TimeUnit.SECONDS);
    client.request(1000);
    String last = "";
    int events = 0;
    while (true) {
      var e = client.expectNextOrComplete();
      if (e.isLeft()) {
        break;
      }
      last = e.right().get().utf8String();
      events++;
    }
    assertTrue(last.startsWith(": dropped: this client fell more than 3 steps behind"), last);
    assertTrue(events < 500, "cut off before all steps: " + events);
  }
}
