package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.actors.revision.TarGz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.pekko.actor.PoisonPill;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Health tells the truth about the agent and the disk; what no site needs is deleted. */
class LifecycleTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private TestNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private byte[] archive(String content) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("app-" + content));
    Files.writeString(dir.resolve("run"), content);
    Path out = tmp.resolve(content + ".tar.gz");
    TarGz.pack(dir, out);
    return Files.readAllBytes(out);
  }

  @Test
  void healthIsUnavailableWhenTheAgentIsGone() throws Exception {
    node = TestNode.start(tmp.resolve("node"), Map.of());
    TestNode.Reply ok = node.call("GET", "/api/v1/health", null);
    assertEquals(200, ok.status(), ok.body());
    JsonNode body = JSON.readTree(ok.body());
    assertEquals("ok", body.get("status").asText());
    assertEquals("ok", body.get("agent").asText());
    assertTrue(body.get("disk").get("free").asLong() > 0, ok.body());
    assertEquals(1L << 30, body.get("disk").get("floor").asLong());
    assertTrue(body.has("uptimeSeconds") && body.has("member"), "old fields stay: " + ok.body());

    Adapter.toClassic(node.node.agent()).tell(PoisonPill.getInstance(), null);

    TestNode.await(
        Duration.ofSeconds(30),
        "health 503 once the agent is gone",
        () -> node.call("GET", "/api/v1/health", null).status() == 503);
    JsonNode down = JSON.readTree(node.call("GET", "/api/v1/health", null).body());
    assertEquals("unavailable", down.get("status").asText());
    assertEquals("not responding", down.get("agent").asText());
  }

  @Test
  void aCorruptRevisionMetadataFileIsSkippedAndUploadingAgainRepairsIt() throws Exception {
    node = TestNode.start(tmp.resolve("node"), Map.of());
    byte[] bytes = archive("repair");
    String id = JSON.readTree(node.upload(bytes).body()).get("id").asText();
    Files.writeString(tmp.resolve("node/revisions/" + id + ".json"), "");

    TestNode.Reply list = node.call("GET", "/api/v1/revisions", null);
    assertEquals(200, list.status(), list.body());
    assertEquals("[]", list.body().strip());
    assertEquals(404, node.call("GET", "/api/v1/revisions/" + id, null).status());

    TestNode.Reply again = node.upload(bytes);
    assertTrue(again.status() == 200 || again.status() == 201, again.body());
    assertEquals(200, node.call("GET", "/api/v1/revisions/" + id, null).status());
    assertEquals(
        id,
        JSON.readTree(node.call("GET", "/api/v1/revisions", null).body())
            .get(0)
            .get("id")
            .asText());
  }

  @Test
  void uploadsAreRefusedWith507UnderTheDiskFloor() throws Exception {
    node = TestNode.start(tmp.resolve("node"), Map.of("drover.disk.min-free", "1000000TiB"));
    TestNode.Reply upload = node.upload(archive("big-floor"));
    assertEquals(507, upload.status(), upload.body());
    assertTrue(upload.body().contains("drover.disk.min-free"), upload.body());
    assertEquals("[]", node.call("GET", "/api/v1/revisions", null).body().strip());
    TestNode.Reply health = node.call("GET", "/api/v1/health", null);
    assertEquals(200, health.status(), "a low disk degrades, it does not take the node out");
    JsonNode body = JSON.readTree(health.body());
    assertEquals("degraded", body.get("status").asText());
    assertTrue(body.get("disk").get("low").asBoolean());
  }

  @Test
  void anUnusedUploadIsDeletedAfterMinAgeAndTheRevisionASiteUsesIsKept() throws Exception {
    node =
        TestNode.start(
            tmp.resolve("node"),
            Map.of(
                "drover.revisions.min-age", "3s",
                "drover.revisions.keep-per-site", "1",
                "drover.retention.interval", "1s"));
    String used = JSON.readTree(node.upload(archive("used")).body()).get("id").asText();
    TestNode.Reply put =
        node.call(
            "PUT",
            "/api/v1/sites/keeper",
            "{\"revision\":\""
                + used
                + "\",\"command\":[\"sh\",\"-c\",\"exec sleep 300\"],\"instances\":2}");
    assertEquals(201, put.status(), put.body());
    String unused = JSON.readTree(node.upload(archive("unused")).body()).get("id").asText();
    assertEquals(200, node.call("GET", "/api/v1/revisions/" + unused, null).status());

    TestNode.await(
        Duration.ofSeconds(60),
        "the unused upload is deleted",
        () -> node.call("GET", "/api/v1/revisions/" + unused, null).status() == 404);
    assertEquals(200, node.call("GET", "/api/v1/revisions/" + used, null).status());
    assertTrue(
        Files.notExists(tmp.resolve("node/revisions/" + unused + ".tar.gz")), "archive gone");
  }
}
