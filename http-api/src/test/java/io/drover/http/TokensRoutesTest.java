package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.token.TokenRegistry;
import io.drover.http.auth.Caller;
import io.drover.http.auth.Role;
import io.drover.http.auth.TokenHash;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * {@code /api/v1/tokens} against a real registry (in-memory journal), the caller put on the request
 * as the authentication would: bodies and bounds refused with what to fix, 201 with the secret
 * once, 409 for a live name, a listing without hash or secret, 204 then 404 on delete, 503 while
 * the registry does not answer.
 */
class TokensRoutesTest {

  private static final ActorTestKit kit = ActorTestKit.create("TokensRoutesTest", config());
  private static final AtomicInteger counter = new AtomicInteger();

  private static com.typesafe.config.Config config() {
    try {
      Path snapshots = Files.createTempDirectory("tokens-routes-test");
      snapshots.toFile().deleteOnExit();
      return ConfigFactory.parseString(
              "pekko.actor.provider = local\n"
                  + "pekko.persistence.journal.plugin = \"pekko.persistence.journal.inmem\"\n"
                  + "pekko.persistence.snapshot-store.plugin ="
                  + " \"pekko.persistence.snapshot-store.local\"\n"
                  + "pekko.persistence.snapshot-store.local.dir = \""
                  + snapshots
                  + "\"\n"
                  + "pekko.loglevel = WARNING\n")
          .withFallback(ConfigFactory.load());
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private record Reply(int status, String contentType, String body) {
    JsonNode json() throws Exception {
      return Json.MAPPER.readTree(body);
    }
  }

  /**
   * The routes with {@code caller} on every request, as the authentication directive puts it, and
   * the server's error mapping.
   */
  private static final class AsCaller extends AllDirectives {
    Route wrap(Route inner, Caller caller, Duration askTimeout) {
      return handleExceptions(
          ApiErrors.exceptions(askTimeout),
          () -> mapRequest(r -> r.addAttribute(Caller.KEY, caller), () -> inner));
    }
  }

  private static Route routes(ActorRef<TokenRegistry.Command> registry, Duration askTimeout) {
    Route inner = new TokensRoutes(registry, new Asks(kit.scheduler(), askTimeout)).route();
    return new AsCaller().wrap(inner, new Caller("admin", Role.ADMIN), askTimeout);
  }

  private static ActorRef<TokenRegistry.Command> registry() {
    return kit.spawn(
        TokenRegistry.create(
            "routes-test-" + counter.incrementAndGet(), Clock.systemUTC(), t -> {}));
  }

  private static Reply call(Route route, String method, String path, String body) throws Exception {
    HttpRequest req = HttpRequest.create(path).withMethod(HttpMethods.lookup(method).orElseThrow());
    if (body != null) {
      req = req.withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    }
    HttpResponse resp =
        route
            .seal()
            .handler(kit.system())
            .apply(req)
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
    String text =
        resp.entity()
            .toStrict(5000, Materializer.matFromSystem(kit.system()))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .getData()
            .utf8String();
    return new Reply(resp.status().intValue(), resp.entity().getContentType().toString(), text);
  }

  private static void assertProblem(Reply r, int status, String mentions) {
    assertEquals(status, r.status(), r.body());
    assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
    assertTrue(r.body().contains(mentions), r.body());
  }

  @Test
  void badBodiesAreRefusedWithWhatToFixAndChangeNothing() throws Exception {
    Route route = routes(registry(), Duration.ofSeconds(5));
    assertProblem(call(route, "POST", "/tokens", ""), 400, "empty");
    assertProblem(call(route, "POST", "/tokens", "{\"name\":"), 400, "not valid JSON");
    assertProblem(
        call(route, "POST", "/tokens", "{\"name\":\"ci\",\"role\":\"viewer\",\"secret\":\"x\"}"),
        400,
        "unknown field 'secret'");
    assertProblem(
        call(route, "POST", "/tokens", "{\"name\":\"node:h1\",\"role\":\"viewer\"}"),
        400,
        "name 'node:h1' is not allowed");
    assertProblem(
        call(route, "POST", "/tokens", "{\"name\":\"ci\",\"role\":\"root\"}"),
        400,
        "one of viewer, deployer, admin");
    assertProblem(
        call(route, "POST", "/tokens", "{\"name\":\"ci\",\"role\":\"viewer\",\"ttl\":\"30s\"}"),
        400,
        "between 1m and 366d");
    assertProblem(
        call(route, "POST", "/tokens", "{\"name\":\"ci\",\"role\":\"viewer\",\"ttl\":\"367d\"}"),
        400,
        "between 1m and 366d");
    assertProblem(
        call(route, "POST", "/tokens", "{\"name\":\"ci\",\"role\":\"viewer\",\"ttl\":\"1 week\"}"),
        400,
        "not a duration");
    Reply all = call(route, "POST", "/tokens", "{\"name\":\"-\",\"role\":\"x\",\"ttl\":\"y\"}");
    assertProblem(all, 400, "3 problems");
    assertEquals("[]", call(route, "GET", "/tokens", null).body(), "nothing was created");
  }

  @Test
  void createListRevokeWithTheSecretOnlyInTheCreateReply() throws Exception {
    Route route = routes(registry(), Duration.ofSeconds(5));
    Instant before = Instant.now();
    Reply created =
        call(route, "POST", "/tokens", "{\"name\":\"ci\",\"role\":\"deployer\",\"ttl\":\"30d\"}");
    assertEquals(201, created.status(), created.body());
    JsonNode c = created.json();
    assertEquals("ci", c.get("name").asText());
    assertEquals("deployer", c.get("role").asText());
    String secret = c.get("token").asText();
    assertTrue(secret.startsWith(TokenHash.PREFIX), secret);
    Instant expires = Instant.parse(c.get("expires").asText());
    assertFalse(expires.isBefore(before.plus(Duration.ofDays(30))), expires.toString());
    assertTrue(expires.isBefore(Instant.now().plus(Duration.ofDays(30)).plusSeconds(1)));
    assertEquals(4, c.size(), c.toString());

    assertProblem(
        call(route, "POST", "/tokens", "{\"name\":\"ci\",\"role\":\"admin\"}"),
        409,
        "a token named 'ci' exists");

    Reply def = call(route, "POST", "/tokens", "{\"name\":\"viewer-1\",\"role\":\"viewer\"}");
    assertEquals(201, def.status(), def.body());
    Instant defExpires = Instant.parse(def.json().get("expires").asText());
    assertFalse(defExpires.isBefore(before.plus(Duration.ofDays(90))), "default ttl 90d");

    Reply list = call(route, "GET", "/tokens", null);
    assertEquals(200, list.status());
    assertFalse(list.body().contains(secret), "no secret in a listing");
    assertFalse(list.body().contains(TokenHash.of(secret)), "no hash in a listing");
    JsonNode tokens = list.json();
    assertEquals(2, tokens.size(), tokens.toString());
    JsonNode ci = tokens.get(0);
    assertEquals("ci", ci.get("name").asText());
    assertEquals("deployer", ci.get("role").asText());
    assertEquals("admin", ci.get("createdBy").asText());
    assertEquals(expires.toString(), ci.get("expires").asText());
    assertTrue(ci.has("created") && ci.has("lastUsed"), ci.toString());
    assertTrue(ci.get("lastUsed").isNull());
    assertEquals(6, ci.size(), ci.toString());

    Reply deleted = call(route, "DELETE", "/tokens/ci", null);
    assertEquals(204, deleted.status(), deleted.body());
    assertProblem(call(route, "DELETE", "/tokens/ci", null), 404, "no token named 'ci'");
    assertEquals(1, call(route, "GET", "/tokens", null).json().size());
    Reply again = call(route, "POST", "/tokens", "{\"name\":\"ci\",\"role\":\"admin\"}");
    assertEquals(201, again.status(), "a revoked name is free again");
    assertFalse(again.json().get("token").asText().equals(secret));
  }

  @Test
  void aSilentRegistryIs503() throws Exception {
    Route route =
        routes(kit.spawn(Behaviors.<TokenRegistry.Command>ignore()), Duration.ofMillis(300));
    assertProblem(call(route, "GET", "/tokens", null), 503, "did not answer");
    assertProblem(
        call(route, "POST", "/tokens", "{\"name\":\"ci\",\"role\":\"admin\"}"),
        503,
        "did not answer");
    assertProblem(call(route, "DELETE", "/tokens/ci", null), 503, "did not answer");
  }
}
