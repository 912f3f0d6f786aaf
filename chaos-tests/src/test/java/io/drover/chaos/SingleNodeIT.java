package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real node in its own JVM running the example app as real processes: two ready instances, an
 * instance SIGKILLed and replaced, the node SIGKILLed and started again with no orphans left, bad
 * input refused with nothing changed, and a clean SIGTERM that stops the instances first.
 */
class SingleNodeIT {

  @TempDir Path tmp;

  private LocalNode node;
  private final Set<Long> instancePids = new HashSet<>();

  @AfterEach
  void cleanUp() throws InterruptedException {
    if (node != null) {
      node.kill();
    }
    for (long pid : instancePids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
  }

  private String upload(Path appDir) throws IOException, InterruptedException {
    return node.uploadRevision(appDir, tmp);
  }

  private static String helloSpec(String revision, int instances) {
    return "{\"revision\":\""
        + revision
        + "\",\"command\":[\"java\",\"-Xmx32m\",\"-XX:TieredStopAtLevel=1\",\"Hello.java\"],"
        + "\"instances\":"
        + instances
        + ",\"health\":{\"http\":\"/healthz\"}}";
  }

  private List<JsonNode> readyInstances(String site) throws IOException, InterruptedException {
    List<JsonNode> ready = new ArrayList<>();
    for (JsonNode i : node.json("/sites/" + site + "/instances")) {
      if ("ready".equals(i.get("state").asText())) {
        ready.add(i);
      }
    }
    ready.forEach(i -> instancePids.add(i.get("pid").asLong()));
    return ready;
  }

  private List<JsonNode> awaitReady(String site, int count, Duration within)
      throws InterruptedException {
    AtomicReference<List<JsonNode>> seen = new AtomicReference<>();
    LocalNode.await(
        within,
        count + " ready instances of " + site,
        () -> {
          seen.set(readyInstances(site));
          return seen.get().size() == count;
        });
    return seen.get();
  }

  private static String fetch(int port) throws IOException, InterruptedException {
    return LocalNode.HTTP
        .send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString())
        .body();
  }

  private static boolean alive(long pid) {
    return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  @Test
  void runsTwiceSurvivesCrashesAndItsOwnRestart() throws Exception {
    node = new LocalNode(tmp.resolve("data")).start("--no-example");
    String rev = upload(LocalNode.examples().resolve("hello"));

    HttpResponse<String> created =
        node.send("PUT", "/sites/hello", HttpRequest.BodyPublishers.ofString(helloSpec(rev, 2)));
    assertEquals(201, created.statusCode(), created.body());

    List<JsonNode> ready = awaitReady("hello", 2, Duration.ofSeconds(120));
    Set<Integer> ports = new HashSet<>();
    for (JsonNode i : ready) {
      int port = i.get("port").asInt();
      ports.add(port);
      assertTrue(fetch(port).startsWith("hello from " + i.get("id").asText()), "answers HTTP");
    }
    assertEquals(2, ports.size(), "distinct ports");
    JsonNode site = node.json("/sites/hello");
    assertEquals(1, site.at("/status/distinctHosts").asInt());
    assertTrue(site.at("/status/degraded").asBoolean(), "one host is degraded: " + site);

    // An instance dies: the agent restarts it on the same port with a new pid.
    JsonNode victim = ready.get(0);
    long oldPid = victim.get("pid").asLong();
    String victimId = victim.get("id").asText();
    ProcessHandle.of(oldPid).orElseThrow().destroyForcibly();
    LocalNode.await(
        Duration.ofSeconds(90),
        "instance " + victimId + " ready again with a new pid",
        () ->
            readyInstances("hello").stream()
                .anyMatch(
                    i ->
                        i.get("id").asText().equals(victimId)
                            && i.get("pid").asLong() != oldPid
                            && i.get("restarts").asInt() >= 1));

    // The node dies with its instances still running; started again, it kills them and the
    // site comes back with fresh instances.
    List<Long> before = readyInstances("hello").stream().map(i -> i.get("pid").asLong()).toList();
    node.kill();
    assertTrue(before.stream().anyMatch(SingleNodeIT::alive), "instances outlive the JVM");
    node.start("--no-example");
    LocalNode.await(
        Duration.ofSeconds(60),
        "orphans from the previous incarnation gone",
        () -> before.stream().noneMatch(SingleNodeIT::alive));
    List<JsonNode> after = awaitReady("hello", 2, Duration.ofSeconds(120));
    for (JsonNode i : after) {
      assertFalse(before.contains(i.get("pid").asLong()), "fresh process");
      assertTrue(fetch(i.get("port").asInt()).startsWith("hello from"));
    }

    // Logs, metrics, scaling and deleting over HTTP.
    String firstId = after.get(0).get("id").asText();
    HttpResponse<String> logs = node.get("/sites/hello/instances/" + firstId + "/logs?tail=5");
    assertEquals(200, logs.statusCode(), logs.body());
    assertTrue(logs.body().contains("listening on port"), logs.body());
    assertProblem(node.get("/sites/hello/instances/" + firstId + "/logs?tail=0"), 400, "tail");
    LocalNode.await(
        Duration.ofSeconds(30),
        "metrics count 2 ready instances",
        () ->
            LocalNode.HTTP
                .send(
                    HttpRequest.newBuilder(
                            URI.create("http://127.0.0.1:" + node.httpPort + "/metrics"))
                        .header("Authorization", "Bearer " + node.adminToken())
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body()
                .contains("drover_instances{state=\"ready\"} 2.0"));
    HttpResponse<String> scaled =
        node.send(
            "POST", "/sites/hello/scale", HttpRequest.BodyPublishers.ofString("{\"instances\":3}"));
    assertEquals(200, scaled.statusCode(), scaled.body());
    List<JsonNode> three = awaitReady("hello", 3, Duration.ofSeconds(120));
    assertProblem(
        node.send(
            "POST", "/sites/hello/scale", HttpRequest.BodyPublishers.ofString("{\"instances\":1}")),
        400,
        "at least 2");
    assertEquals(
        3, node.json("/sites/hello").at("/spec/instances").asInt(), "refusal changed nothing");
    List<Long> deleted = three.stream().map(i -> i.get("pid").asLong()).toList();
    assertEquals(
        204, node.send("DELETE", "/sites/hello", HttpRequest.BodyPublishers.noBody()).statusCode());
    LocalNode.await(
        Duration.ofSeconds(60),
        "instances of the deleted site stopped",
        () -> deleted.stream().noneMatch(SingleNodeIT::alive));
    assertProblem(node.get("/sites/hello"), 404, "hello");
    assertEquals(0, node.json("/sites").size());

    // Created again, then SIGTERM stops the node cleanly, its instances first.
    assertEquals(
        201,
        node.send("PUT", "/sites/hello", HttpRequest.BodyPublishers.ofString(helloSpec(rev, 2)))
            .statusCode());
    List<Long> last =
        awaitReady("hello", 2, Duration.ofSeconds(120)).stream()
            .map(i -> i.get("pid").asLong())
            .toList();
    node.terminate(Duration.ofSeconds(60));
    assertTrue(last.stream().noneMatch(SingleNodeIT::alive), "instances stopped with the node");
  }

  @Test
  void refusesBadInputAndChangesNothing() throws Exception {
    node = new LocalNode(tmp.resolve("data")).start("--no-example");
    String rev = upload(LocalNode.examples().resolve("hello"));
    assertEquals(rev, upload(LocalNode.examples().resolve("hello")), "same bytes, same id");

    assertProblem(
        node.send("PUT", "/sites/hello", HttpRequest.BodyPublishers.ofString(helloSpec(rev, 1))),
        400,
        "at least 2");
    assertProblem(
        node.send(
            "PUT",
            "/sites/hello",
            HttpRequest.BodyPublishers.ofString(helloSpec("ab".repeat(32), 2))),
        400,
        "not uploaded");
    assertProblem(
        node.send("PUT", "/sites/hello", HttpRequest.BodyPublishers.ofString("{\"revision\": ")),
        400,
        "not valid JSON");
    assertProblem(
        node.send(
            "PUT",
            "/sites/hello",
            HttpRequest.BodyPublishers.ofString(
                helloSpec(rev, 2).replace("\"instances\"", "\"instnces\""))),
        400,
        "instnces");
    assertProblem(
        node.send("PUT", "/sites/Bad_Name", HttpRequest.BodyPublishers.ofString(helloSpec(rev, 2))),
        400,
        "name");
    assertProblem(node.get("/sites/hello"), 404, "hello");
    assertEquals(0, node.json("/sites").size(), "no site was created");

    assertProblem(
        node.send("POST", "/revisions", HttpRequest.BodyPublishers.ofString("not a tarball")),
        400,
        "gzip");
    assertEquals(1, node.json("/revisions").size(), "no revision was stored");
    assertProblem(node.get("/nothing-here"), 404, "");
  }

  private static void assertProblem(HttpResponse<String> r, int status, String mentions)
      throws IOException {
    assertEquals(status, r.statusCode(), r.body());
    assertEquals(
        "application/problem+json",
        r.headers().firstValue("Content-Type").orElse("").split(";")[0]);
    JsonNode p = Json.MAPPER.readTree(r.body());
    assertEquals(status, p.get("status").asInt());
    assertTrue(
        p.get("detail").asText().contains(mentions),
        "detail should mention '" + mentions + "': " + p.get("detail").asText());
    assertNotEquals("", p.get("detail").asText());
  }

  @Test
  void startsTheExampleSiteByItselfAndDrainingTheOnlyHostKeepsItRunning() throws Exception {
    node = new LocalNode(tmp.resolve("data")).start();
    List<JsonNode> ready = awaitReady("hello", 2, Duration.ofSeconds(120));
    assertEquals(2, ready.size());
    LocalNode.await(
        Duration.ofSeconds(30),
        "the launcher prints how to reach the example",
        () -> node.readLog().contains("curl http://127.0.0.1:"));

    // The one host, registered, with its two hello instances.
    AtomicReference<JsonNode> hosts = new AtomicReference<>();
    LocalNode.await(
        Duration.ofSeconds(30),
        "GET /hosts lists it-host, registered, with 2 instances",
        () -> {
          hosts.set(node.json("/hosts"));
          return hosts.get().size() == 1
              && hosts.get().get(0).get("address").isTextual()
              && hosts.get().get(0).get("instances").size() == 2;
        });
    JsonNode host = hosts.get().get(0);
    assertEquals("it-host", host.get("name").asText());
    assertEquals("default", host.get("pool").asText());
    assertTrue(host.get("reachable").asBoolean(), host.toString());
    assertFalse(host.get("cordoned").asBoolean());
    assertFalse(host.get("incarnation").asText().isEmpty());
    assertEquals("hello", host.at("/instances/0/site").asText());
    assertEquals(200, node.get("/hosts/it-host").statusCode());
    List<Long> pids = ready.stream().map(i -> i.get("pid").asLong()).sorted().toList();

    // Draining the only host: nowhere to move to, so both keep running and the site says why.
    HttpResponse<String> drained =
        node.send("POST", "/hosts/it-host/drain", HttpRequest.BodyPublishers.noBody());
    assertEquals(200, drained.statusCode(), drained.body());
    JsonNode d = Json.MAPPER.readTree(drained.body());
    assertTrue(d.get("draining").asBoolean() && d.get("cordoned").asBoolean(), d.toString());
    LocalNode.await(
        Duration.ofSeconds(30),
        "the site says why its instances stay on the draining host",
        () -> node.json("/sites/hello").at("/status/problems").toString().contains("draining"));
    assertEquals(
        pids,
        awaitReady("hello", 2, Duration.ofSeconds(30)).stream()
            .map(i -> i.get("pid").asLong())
            .sorted()
            .toList(),
        "both instances keep running");
    assertEquals(2, node.json("/sites/hello").at("/spec/instances").asInt());

    HttpResponse<String> uncordoned =
        node.send("POST", "/hosts/it-host/uncordon", HttpRequest.BodyPublishers.noBody());
    assertEquals(200, uncordoned.statusCode(), uncordoned.body());
    assertFalse(Json.MAPPER.readTree(uncordoned.body()).get("draining").asBoolean());
    LocalNode.await(
        Duration.ofSeconds(30),
        "the drain problem is gone",
        () -> !node.json("/sites/hello").at("/status/problems").toString().contains("draining"));
    assertEquals(
        pids,
        readyInstances("hello").stream().map(i -> i.get("pid").asLong()).sorted().toList(),
        "the same two processes ran through drain and uncordon");

    assertProblem(node.get("/hosts/nope"), 404, "GET /api/v1/hosts");
    assertProblem(
        node.send("POST", "/hosts/nope/drain", HttpRequest.BodyPublishers.noBody()), 404, "nope");
  }
}
