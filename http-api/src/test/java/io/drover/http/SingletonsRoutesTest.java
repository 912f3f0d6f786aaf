package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.actors.common.SingletonInfo;
import io.drover.actors.common.Singletons;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The route alone: answering, silent, failing and switched-off singletons, sorted by name, always
 * 200.
 */
class SingletonsRoutesTest {

  private final ActorTestKit kit = ActorTestKit.create();

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  @Test
  void listsAnsweringSilentFailingAndOffSingletons() throws Exception {
    Singletons s = Singletons.get(kit.system());
    s.host("h1");
    ActorRef<ActorRef<SingletonInfo>> answering =
        kit.spawn(
            Singletons.track(
                "b-answering",
                Behaviors.receive(
                    (ctx, replyTo) -> {
                      replyTo.tell(
                          Singletons.get(ctx.getSystem())
                              .describe(
                                  "b-answering",
                                  SingletonInfo.RUNNING,
                                  Singletons.details().put("n", 2)));
                      return Behaviors.same();
                    })));
    s.register("b-answering", answering, r -> r);
    s.register("a-silent", kit.<ActorRef<SingletonInfo>>spawn(Behaviors.ignore()), r -> r);
    s.registerOff("c-off", "off", Singletons.details().put("targets", 0));

    JsonNode list = get(new SingletonsRoutes(s, kit.system().scheduler(), Duration.ofMillis(500)));
    assertEquals(3, list.size(), list.toString());
    assertEquals("a-silent", list.get(0).get("name").asText());
    assertEquals("unavailable", list.get(0).get("state").asText());
    assertTrue(list.get(0).get("reason").asText().startsWith("no answer within"), list.toString());
    assertEquals(0, list.get(0).get("details").size());

    JsonNode b = list.get(1);
    assertEquals("running", b.get("state").asText());
    assertEquals("h1", b.get("host").asText());
    assertEquals(kit.system().address().toString(), b.get("address").asText());
    assertEquals(2, b.at("/details/n").asInt());
    assertTrue(b.hasNonNull("since"), b.toString());

    assertEquals("off", list.get(2).get("state").asText());
    assertTrue(list.get(2).get("address").isNull());
  }

  @Test
  void aDescriberThatThrowsIsUnavailableNotA500() throws Exception {
    Singletons s = Singletons.get(kit.system());
    s.register(
        "failing",
        kit.<String>spawn(Behaviors.ignore()),
        (ActorRef<SingletonInfo> r) -> {
          throw new IllegalStateException("boom");
        });
    JsonNode list = get(new SingletonsRoutes(s, kit.system().scheduler(), Duration.ofSeconds(1)));
    assertEquals("unavailable", list.get(0).get("state").asText(), list.toString());
    assertTrue(list.get(0).get("reason").asText().contains("boom"), list.toString());
  }

  private JsonNode get(SingletonsRoutes routes) throws Exception {
    HttpResponse resp =
        routes
            .route()
            .seal()
            .handler(kit.system())
            .apply(HttpRequest.create("/singletons"))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertEquals(200, resp.status().intValue());
    String text =
        resp.entity()
            .toStrict(5000, Materializer.matFromSystem(kit.system()))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .getData()
            .utf8String();
    return Json.MAPPER.readTree(text).get("singletons");
  }
}
