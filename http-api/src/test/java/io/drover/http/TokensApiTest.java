package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/tokens} on a real one-node cluster: the registry is wired as the singleton {@code
 * tokens}, the node registered its credential for revision transfers ({@code node:test-host},
 * viewer, listed without expiry) and its fetcher carries it, and a token is created, listed and
 * revoked.
 */
class TokensApiTest {

  @TempDir Path tmp;
  private TestNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private static void await(Duration within, String what, Check check) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  private JsonNode tokens() throws Exception {
    TestNode.Reply r = node.call("GET", "/api/v1/tokens", null);
    assertEquals(200, r.status(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void tokensOnARealNode() throws Exception {
    node = TestNode.start(tmp.resolve("node"), Map.of());
    await(
        Duration.ofSeconds(30),
        "node credential registered and carried by the fetcher",
        () -> node.node.revisionFetcher().bearer().isPresent());
    JsonNode list = tokens();
    assertEquals(1, list.size(), list.toString());
    assertEquals("node:test-host", list.get(0).get("name").asText());
    assertEquals("viewer", list.get(0).get("role").asText());
    assertTrue(list.get(0).get("expires").isNull());

    TestNode.Reply created =
        node.call("POST", "/api/v1/tokens", "{\"name\":\"ci\",\"role\":\"admin\",\"ttl\":\"12h\"}");
    assertEquals(201, created.status(), created.body());
    String secret = Json.MAPPER.readTree(created.body()).get("token").asText();
    String listed = node.call("GET", "/api/v1/tokens", null).body();
    assertTrue(listed.contains("\"ci\""), listed);
    assertFalse(listed.contains(secret), listed);
    assertFalse(listed.contains(node.node.revisionFetcher().bearer().orElseThrow()), listed);

    assertEquals(204, node.call("DELETE", "/api/v1/tokens/ci", null).status());
    assertEquals(404, node.call("DELETE", "/api/v1/tokens/ci", null).status());
    assertEquals(1, tokens().size());

    TestNode.Reply singletons = node.call("GET", "/api/v1/singletons", null);
    assertTrue(singletons.body().contains("\"tokens\""), singletons.body());
  }
}
