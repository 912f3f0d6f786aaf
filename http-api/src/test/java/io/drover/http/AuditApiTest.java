package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.actors.revision.TarGz;
import io.drover.http.auth.Caller;
import io.drover.http.auth.Role;
import java.io.ByteArrayInputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The audit trail on a real node: writes made by a caller (put on the request as authentication
 * will) are read back from {@code GET /api/v1/audit}, newest first, with since, limit and target;
 * uploads still stream; the records survive a restart.
 */
class AuditApiTest {

  @TempDir Path tmp;
  private TestNode node;
  private ServerBinding binding;
  private int port;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws Exception {
    unbind();
    if (node != null) {
      node.close();
    }
  }

  private void unbind() throws Exception {
    if (binding != null) {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
      binding = null;
    }
  }

  /**
   * Test credentials: the token {@code t:<name>:<role>} is the caller {@code name} with {@code
   * role}; requests go through the node's real authentication.
   */
  static final io.drover.http.auth.Credentials CALLERS =
      token -> {
        String[] p = token.split(":");
        if (p.length != 3 || !p[0].equals("t")) {
          return java.util.Optional.empty();
        }
        return Role.parse(p[2]).map(r -> new Caller(p[1], r));
      };

  private static TestNode startNode(Path data) throws Exception {
    return TestNode.start(data, Map.of(), CALLERS);
  }

  private void bindWithCallers() {
    port = node.httpPort;
  }

  private TestNode.Reply send(String caller, String method, String path, String type, byte[] body)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60));
    if (caller != null) {
      b.header("Authorization", "Bearer t:" + caller);
    }
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    }
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new TestNode.Reply(r.statusCode(), r.body());
  }

  private TestNode.Reply json(String caller, String method, String path, String body)
      throws Exception {
    return send(
        caller,
        method,
        path,
        "application/json",
        body == null ? null : body.getBytes(StandardCharsets.UTF_8));
  }

  private JsonNode audit(String query) throws Exception {
    TestNode.Reply r = node.call("GET", "/api/v1/audit" + query, null);
    assertEquals(200, r.status(), r.body());
    return Json.MAPPER.readTree(r.body());
  }

  private static List<String> paths(JsonNode list) {
    List<String> out = new ArrayList<>();
    list.forEach(e -> out.add(e.get("method").asText() + " " + e.get("path").asText()));
    return out;
  }

  private void awaitHostRegistered() throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (node.call("GET", "/api/v1/hosts/test-host", null).status() != 200) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("host test-host did not register within 30 s");
      }
      TimeUnit.MILLISECONDS.sleep(100);
    }
  }

  private static String q(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8);
  }

  @Test
  void writesAreRecordedAndReadBackNewestFirstAcrossARestart() throws Exception {
    Path data = tmp.resolve("node");
    node = startNode(data);
    bindWithCallers();
    awaitHostRegistered();

    // 1: cordon with a reason in the query
    TestNode.Reply cordon =
        json("ops:admin", "POST", "/api/v1/hosts/test-host/cordon?reason=" + q("disk swap"), null);
    assertEquals(200, cordon.status(), cordon.body());
    // 2: uncordon with a reason in a JSON body the route ignores
    assertEquals(
        200,
        json("ops:admin", "POST", "/api/v1/hosts/test-host/uncordon", "{\"reason\":\"done\"}")
            .status());
    // 3: a bad site with a secret in its body: the route still reads the body (and refuses it)
    TestNode.Reply bad =
        json(
            "ci:admin",
            "PUT",
            "/api/v1/sites/web",
            "{\"token\":\"drv_very_secret\",\"reason\":\"first try\"}");
    assertEquals(400, bad.status(), bad.body());
    assertTrue(bad.body().contains("token"), bad.body());
    // 4: a deployer may not delete a cronjob: refused (403) and recorded
    assertEquals(403, json("ci:deployer", "DELETE", "/api/v1/cronjobs/nope", null).status());
    // not recorded: a GET, and a write without a token (401)
    assertEquals(200, json("ci:deployer", "GET", "/api/v1/hosts", null).status());
    assertEquals(401, json(null, "DELETE", "/api/v1/cronjobs/anonymous", null).status());

    JsonNode all = audit("");
    assertEquals(
        List.of(
            "DELETE /api/v1/cronjobs/nope",
            "PUT /api/v1/sites/web",
            "POST /api/v1/hosts/test-host/uncordon",
            "POST /api/v1/hosts/test-host/cordon"),
        paths(all));
    JsonNode first = all.get(3);
    assertEquals("ops", first.get("caller").asText());
    assertEquals("admin", first.get("role").asText());
    assertEquals("host test-host", first.get("target").asText());
    assertEquals("ok", first.get("outcome").asText());
    assertEquals(200, first.get("status").asInt());
    assertEquals("disk swap", first.get("reason").asText());
    assertEquals("test-host", first.get("node").asText());
    assertEquals("done", all.get(2).get("reason").asText());
    JsonNode site = all.get(1);
    assertEquals("site web", site.get("target").asText());
    assertEquals("refused", site.get("outcome").asText());
    assertEquals(400, site.get("status").asInt());
    assertEquals("first try", site.get("reason").asText());
    assertEquals("admin", site.get("role").asText());
    assertTrue(all.get(0).get("reason").isNull());
    assertEquals(403, all.get(0).get("status").asInt());
    assertEquals("deployer", all.get(0).get("role").asText());
    assertEquals("cronjob nope", all.get(0).get("target").asText());
    assertFalse(all.toString().contains("drv_very_secret"), all.toString());
    List<String> keys = new ArrayList<>();
    first.fieldNames().forEachRemaining(keys::add);
    assertEquals(
        List.of(
            "time", "caller", "role", "method", "path", "target", "outcome", "status", "reason",
            "node"),
        keys);

    // limit, since (the third newest's time), target
    assertEquals(paths(all).subList(0, 2), paths(audit("?limit=2")));
    String thirdTime = all.get(2).get("time").asText();
    List<String> sinceThird = paths(audit("?since=" + q(thirdTime)));
    assertTrue(sinceThird.containsAll(paths(all).subList(0, 3)), sinceThird.toString());
    assertEquals(paths(all), paths(audit("?since=1h")));
    assertEquals(List.of(), paths(audit("?since=" + q("2999-01-01T00:00:00Z"))));
    assertEquals(
        List.of("POST /api/v1/hosts/test-host/uncordon", "POST /api/v1/hosts/test-host/cordon"),
        paths(audit("?target=host")));
    assertEquals(List.of("PUT /api/v1/sites/web"), paths(audit("?target=" + q("site web"))));

    // bad parameters say what to fix
    for (String badQuery : List.of("?limit=0", "?limit=1001", "?limit=x", "?since=yesterday")) {
      TestNode.Reply r = node.call("GET", "/api/v1/audit" + badQuery, null);
      assertEquals(400, r.status(), badQuery);
      assertTrue(r.body().contains("\"detail\""), r.body());
    }

    // durable: a new node on the same data directory reads the same records
    unbind();
    node.close();
    node = null;
    node = startNode(data);
    assertEquals(paths(all), paths(audit("")));
  }

  @Test
  void largeBodiesAreStreamedToTheRouteAndStillRecorded() throws Exception {
    node = startNode(tmp.resolve("node"));
    bindWithCallers();

    // an 8 MB upload (random, so it stays 8 MB gzipped) is stored and recorded
    Path dir = Files.createDirectories(tmp.resolve("big"));
    byte[] noise = new byte[8 * 1024 * 1024];
    new Random(7).nextBytes(noise);
    Files.write(dir.resolve("blob.bin"), noise);
    Files.writeString(dir.resolve("run"), "#!/bin/sh\nexec sleep 1000\n");
    Path archive = tmp.resolve("big.tar.gz");
    TarGz.pack(dir, archive);
    TestNode.Reply up =
        send(
            "ci:deployer",
            "POST",
            "/api/v1/revisions?reason=" + q("big release"),
            "application/gzip",
            Files.readAllBytes(archive));
    assertEquals(201, up.status(), up.body());

    // a JSON body over 64 KiB is not buffered for the trail: the route answers it as always
    String huge = "{\"reason\":\"" + "x".repeat(100 * 1024) + "\"}";
    TestNode.Reply put = json("ci:admin", "PUT", "/api/v1/sites/huge", huge);
    assertEquals(400, put.status(), put.body());

    // a chunked JSON body (no length) is not buffered either
    HttpRequest chunked =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/api/v1/deploys/d-x/abort"))
            .header("Authorization", "Bearer t:ci:deployer")
            .header("Content-Type", "application/json")
            .POST(
                HttpRequest.BodyPublishers.ofInputStream(
                    () ->
                        new ByteArrayInputStream(
                            "{\"reason\":\"stop\"}".getBytes(StandardCharsets.UTF_8))))
            .build();
    int abort = client.send(chunked, HttpResponse.BodyHandlers.ofString()).statusCode();
    assertEquals(404, abort);

    JsonNode all = audit("");
    assertEquals(
        List.of(
            "POST /api/v1/deploys/d-x/abort", "PUT /api/v1/sites/huge", "POST /api/v1/revisions"),
        paths(all));
    String revision = Json.MAPPER.readTree(up.body()).get("id").asText();
    assertEquals("revision " + revision, all.get(2).get("target").asText());
    assertEquals(201, all.get(2).get("status").asInt());
    assertEquals("big release", all.get(2).get("reason").asText());
    assertTrue(all.get(1).get("reason").isNull());
    assertTrue(all.get(0).get("reason").isNull());
    assertEquals("deploy d-x", all.get(0).get("target").asText());
    assertEquals("refused", all.get(0).get("outcome").asText());
  }
}
