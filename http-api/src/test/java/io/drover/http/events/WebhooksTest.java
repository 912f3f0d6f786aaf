package io.drover.http.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.actors.deploy.Step;
import io.drover.http.Json;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** Webhooks POST to a real local HTTP server, retry failures with backoff, and skip other steps. */
class WebhooksTest extends AllDirectives {

  private final ActorTestKit kit = ActorTestKit.create();
  private final BlockingQueue<String> received = new LinkedBlockingQueue<>();
  private final AtomicInteger attempts = new AtomicInteger();
  private ServerBinding binding;

  @AfterEach
  void stop() throws Exception {
    if (binding != null) {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    kit.shutdownTestKit();
  }

  /** A receiver that answers {@code failing} for its first {@code failures} POSTs. */
  private URI receiver(int failures, int failing) throws Exception {
    Route route =
        post(
            () ->
                entity(
                    org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller.entityToString(),
                    body -> {
                      if (attempts.incrementAndGet() <= failures) {
                        return complete(HttpResponse.create().withStatus(failing));
                      }
                      received.add(body);
                      return complete(StatusCodes.OK);
                    }));
    binding =
        Http.get(kit.system())
            .newServerAt("127.0.0.1", 0)
            .bind(route)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return URI.create("http://127.0.0.1:" + binding.localAddress().getPort() + "/hooks/secret");
  }

  private static EventSettings settings(URI url) {
    return new EventSettings(
        List.of(url),
        8,
        Duration.ofMillis(100),
        Duration.ofSeconds(1),
        Duration.ofSeconds(5),
        100,
        1,
        10,
        Duration.ofSeconds(15));
  }

  @Test
  void postsStartHostFailureAndEndAndNothingElse() throws Exception {
    ActorRef<Webhooks.Command> hooks = kit.spawn(Webhooks.create(settings(receiver(0, 500))));
    hooks.tell(
        new Webhooks.StepPublished(
            new Step("d-1", 1, 0, "deploy-started", null, null, "running", "3 hosts")));
    hooks.tell(
        new Webhooks.StepPublished(
            new Step("d-1", 2, 1, "host-started", "h1", null, "replacing", null)));
    hooks.tell(
        new Webhooks.StepPublished(
            new Step("d-1", 3, 2, "host-failed", "h1", "web", "failed", "exit 1")));
    hooks.tell(
        new Webhooks.StepPublished(
            new Step("d-1", 4, 3, "deploy-ended", null, null, "failed", "host h1 failed")));
    JsonNode started = Json.MAPPER.readTree(received.poll(30, TimeUnit.SECONDS));
    assertEquals("d-1", started.get("deploy").asText());
    assertEquals("deploy-started", started.get("event").asText());
    assertEquals("running", started.get("state").asText());
    assertEquals("1970-01-01T00:00:00Z", started.get("at").asText());
    JsonNode failed = Json.MAPPER.readTree(received.poll(30, TimeUnit.SECONDS));
    assertEquals("host-failed", failed.get("event").asText());
    assertEquals("h1", failed.get("host").asText());
    assertEquals("web", failed.get("site").asText());
    assertEquals("exit 1", failed.get("reason").asText());
    JsonNode ended = Json.MAPPER.readTree(received.poll(30, TimeUnit.SECONDS));
    assertEquals("deploy-ended", ended.get("event").asText());
    assertEquals("failed", ended.get("state").asText());
    assertNull(received.poll(500, TimeUnit.MILLISECONDS), "host-started is not posted");
  }

  @Test
  void aReceiverFailingTwiceGetsThePostOnTheThirdAttempt() throws Exception {
    ActorRef<Webhooks.Command> hooks = kit.spawn(Webhooks.create(settings(receiver(2, 503))));
    hooks.tell(
        new Webhooks.StepPublished(
            new Step("d-2", 9, 5, "deploy-ended", null, null, "succeeded", null)));
    String body = received.poll(30, TimeUnit.SECONDS);
    assertNotNull(body, "delivered within 30 s");
    assertEquals("d-2", Json.MAPPER.readTree(body).get("deploy").asText());
    assertEquals(3, attempts.get());
  }

  @Test
  void aClientErrorIsNotRetried() throws Exception {
    ActorRef<Webhooks.Command> hooks = kit.spawn(Webhooks.create(settings(receiver(1, 404))));
    hooks.tell(
        new Webhooks.StepPublished(
            new Step("d-3", 1, 5, "deploy-started", null, null, "running", null)));
    hooks.tell(
        new Webhooks.StepPublished(
            new Step("d-3", 2, 6, "deploy-ended", null, null, "succeeded", null)));
    String body = received.poll(30, TimeUnit.SECONDS);
    assertEquals("deploy-ended", Json.MAPPER.readTree(body).get("event").asText());
    assertEquals(2, attempts.get(), "the 404 was not tried again");
  }
}
