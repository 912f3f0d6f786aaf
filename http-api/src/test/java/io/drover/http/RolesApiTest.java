package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.actors.revision.TarGz;
import io.drover.http.auth.Caller;
import io.drover.http.auth.Credentials;
import io.drover.http.auth.Role;
import io.drover.http.auth.TokenHash;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every route of the API asked by no token, an unknown token, a viewer, a deployer and an admin:
 * 401 without a valid token, 403 when the role is not enough (both problem+json), anything else
 * otherwise; and a refused request changes nothing (sites, hosts, deploys, cronjobs, revisions).
 *
 * <p>Viewer and deployer tokens are real: created with {@code POST /api/v1/tokens} by the admin and
 * checked by the node's token cache (the metrics tests use fixed test credentials).
 */
class RolesApiTest {

  private static final String VIEWER = "viewer-token-0123456789";
  private static final String DEPLOYER = "deployer-token-0123456789";
  private static final Map<String, Caller> TEST_TOKENS =
      Map.of(
          TokenHash.of(VIEWER), new Caller("ci-viewer", Role.VIEWER),
          TokenHash.of(DEPLOYER), new Caller("ci-deployer", Role.DEPLOYER));

  /** Looks a token up by its hash, as the token registry does. */
  static final Credentials FIXED = t -> Optional.ofNullable(TEST_TOKENS.get(TokenHash.of(t)));

  @TempDir Path tmp;
  private TestNode node;
  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  /** Who asks: a token (null for none) and the role it has (null when it is not valid). */
  private record Who(String label, String token, Role role) {}

  /**
   * One request of the table.
   *
   * @param needed the role it needs; null when public
   * @param stream an event stream: opened and closed, not read
   */
  private record Row(
      String method, String path, Supplier<byte[]> body, String type, Role needed, boolean stream) {
    String describe() {
      return method + " " + path;
    }
  }

  private record Answer(int status, String contentType, String wwwAuthenticate, String body) {}

  /**
   * A real token from the registry, returned once by {@code POST /api/v1/tokens}; waits (bounded)
   * until this node's token cache knows it.
   */
  private String createToken(String name, String role) throws Exception {
    Answer created =
        send(
            node.adminToken,
            "POST",
            "/api/v1/tokens",
            ("{\"name\":\"" + name + "\",\"role\":\"" + role + "\",\"ttl\":\"1h\"}")
                .getBytes(StandardCharsets.UTF_8),
            "application/json");
    assertEquals(201, created.status(), created.body());
    String token = Json.MAPPER.readTree(created.body()).get("token").asText();
    TestNode.await(
        Duration.ofSeconds(20),
        "token " + name + " accepted by the node's token cache",
        () -> send(token, "GET", "/api/v1/hosts", null, null).status() == 200);
    return token;
  }

  private Answer send(String token, String method, String path, byte[] body, String type)
      throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
            .timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", type).method(method, HttpRequest.BodyPublishers.ofByteArray(body));
    }
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Answer(
        r.statusCode(),
        r.headers().firstValue("Content-Type").orElse(""),
        r.headers().firstValue("WWW-Authenticate").orElse(""),
        r.body());
  }

  private Answer openStream(String token, String path) throws Exception {
    Map<String, String> headers = new HashMap<>();
    if (token != null) {
      headers.put("Authorization", "Bearer " + token);
    }
    try (SseClient c = SseClient.open(node.httpPort, path, headers)) {
      return new Answer(c.status, c.contentType, "", c.body == null ? "" : c.body);
    }
  }

  private byte[] archive(String content) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("app-" + content));
    Files.writeString(dir.resolve("run.sh"), "exec sleep 1000 # " + content + "\n");
    Path out = tmp.resolve(content + ".tar.gz");
    TarGz.pack(dir, out);
    return Files.readAllBytes(out);
  }

  private JsonNode adminGet(String path) throws Exception {
    Answer a = send(node.adminToken, "GET", "/api/v1" + path, null, null);
    assertEquals(200, a.status(), path + ": " + a.body());
    return Json.MAPPER.readTree(a.body());
  }

  /**
   * What a refused request must not change: names, specs (but their revisions once a deploy
   * exists), cordons, deploy outcomes, revisions.
   */
  private Map<String, String> state() throws Exception {
    Map<String, String> s = new TreeMap<>();
    boolean moving = false;
    for (JsonNode d : adminGet("/deploys").path("deploys")) {
      String state = d.path("state").asText();
      // a deploy moves on its own; what a request could do to it is pause, abort or revert it
      boolean byRequest = List.of("paused", "aborted", "reverted").contains(state);
      // a deploy (even a paused or an aborted one, going back) changes its sites' revisions
      moving = true;
      s.put(
          "deploy " + d.path("id").asText(),
          (byRequest ? state : "moving") + " revertedBy=" + d.path("revertedBy"));
    }
    for (JsonNode site : adminGet("/sites")) {
      JsonNode spec = site.path("spec").deepCopy();
      if (moving && spec instanceof com.fasterxml.jackson.databind.node.ObjectNode o) {
        o.remove("revision");
      }
      s.put("site " + site.path("name").asText(), spec.toString());
    }
    for (JsonNode h : adminGet("/hosts")) {
      s.put(
          "host " + h.path("name").asText(),
          "cordoned=" + h.path("cordoned") + " draining=" + h.path("draining"));
    }
    for (JsonNode c : adminGet("/cronjobs").path("cronjobs")) {
      s.put("cronjob " + c.path("name").asText(), c.path("spec").toString());
    }
    for (JsonNode r : adminGet("/revisions")) {
      s.put("revision " + r.path("id").asText(), "");
    }
    return s;
  }

  /**
   * The state once the lists have caught up with the last allowed request (the deploy list follows
   * its deploys a moment later): unchanged over reads for at least 300 ms, within 20 s.
   */
  private Map<String, String> settledState() throws Exception {
    java.util.concurrent.atomic.AtomicReference<Map<String, String>> last =
        new java.util.concurrent.atomic.AtomicReference<>(state());
    long[] since = {System.nanoTime()};
    TestNode.await(
        Duration.ofSeconds(20),
        "the state to stay the same for 300 ms",
        () -> {
          Map<String, String> now = state();
          if (!now.equals(last.get())) {
            last.set(now);
            since[0] = System.nanoTime();
            return false;
          }
          return System.nanoTime() - since[0] >= Duration.ofMillis(300).toNanos();
        });
    return last.get();
  }

  private static Supplier<byte[]> json(Supplier<String> s) {
    return () -> s.get().getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void everyRouteAnswers401WithoutAValidToken403ForALowRoleAndChangesNothingWhenRefused()
      throws Exception {
    node = TestNode.start(tmp.resolve("node"), Map.of());
    String viewer = createToken("ci-viewer", "viewer");
    String deployer = createToken("ci-deployer", "deployer");
    String rev = uploadedId(node.upload(archive("base")));
    byte[] fresh = archive("fresh");
    AtomicReference<String> freshRev = new AtomicReference<>(rev);
    AtomicReference<String> deploy = new AtomicReference<>("nope");
    String site = "{\"revision\":\"" + rev + "\",\"command\":[\"sh\",\"run.sh\"],\"instances\":2}";
    assertEquals(
        201,
        send(node.adminToken, "PUT", "/api/v1/sites/web", site.getBytes(), "application/json")
            .status());
    String cron =
        "{\"schedule\":\"@every 1h\",\"revision\":\"" + rev + "\",\"command\":[\"true\"]}";
    assertEquals(
        201,
        send(node.adminToken, "PUT", "/api/v1/cronjobs/job", cron.getBytes(), "application/json")
            .status());

    List<Row> rows = new ArrayList<>();
    String j = "application/json";
    // reads
    rows.add(new Row("GET", "/api/v1/health", null, null, null, false));
    for (String p :
        List.of(
            "/metrics",
            "/api/v1/sites",
            "/api/v1/sites/web",
            "/api/v1/sites/web/instances",
            "/api/v1/sites/web/instances/nope/logs?tail=5",
            "/api/v1/hosts",
            "/api/v1/hosts/test-host",
            "/api/v1/deploys",
            "/api/v1/deploys/nope",
            "/api/v1/deploys/nope/events",
            "/api/v1/revisions",
            "/api/v1/revisions/" + rev,
            "/api/v1/revisions/" + rev + "/archive",
            "/api/v1/cronjobs",
            "/api/v1/cronjobs/job",
            "/api/v1/cronjobs/job/runs",
            "/api/v1/cronjobs/job/runs/nope/logs",
            "/api/v1/cluster/members",
            "/api/v1/singletons",
            "/api/v1/audit",
            "/api/v1/whoami",
            "/api/v1/no/such/route")) {
      rows.add(new Row("GET", p, null, null, Role.VIEWER, false));
    }
    rows.add(new Row("GET", "/api/v1/events", null, null, Role.VIEWER, true));
    // deployer
    rows.add(
        new Row(
            "POST", "/api/v1/revisions", () -> fresh, "application/gzip", Role.DEPLOYER, false));
    rows.add(
        new Row(
            "POST",
            "/api/v1/sites/web/scale",
            json(() -> "{\"instances\":3}"),
            j,
            Role.DEPLOYER,
            false));
    rows.add(new Row("POST", "/api/v1/cronjobs/job/trigger", null, null, Role.DEPLOYER, false));
    rows.add(
        new Row(
            "POST",
            "/api/v1/deploys",
            // one deploy, by the deployer; the admin's names no revision (400), so no second
            json(
                () ->
                    "{\"sites\":[\"web\"],\"revision\":\""
                        + (deploy.get().equals("nope") ? freshRev.get() : "0".repeat(64))
                        + "\"}"),
            j,
            Role.DEPLOYER,
            false));
    for (String action : List.of("pause", "resume", "abort", "revert")) {
      rows.add(
          new Row("POST", "/api/v1/deploys/{deploy}/" + action, null, null, Role.DEPLOYER, false));
    }
    // admin
    rows.add(new Row("PUT", "/api/v1/sites/web2", json(() -> site), j, Role.ADMIN, false));
    rows.add(new Row("PUT", "/api/v1/cronjobs/job2", json(() -> cron), j, Role.ADMIN, false));
    rows.add(
        new Row(
            "POST",
            "/api/v1/revisions/" + rev + "/fetch?from=127.0.0.1:1",
            null,
            null,
            Role.ADMIN,
            false));
    rows.add(new Row("POST", "/api/v1/hosts/test-host/cordon", null, null, Role.ADMIN, false));
    rows.add(new Row("POST", "/api/v1/hosts/test-host/uncordon", null, null, Role.ADMIN, false));
    rows.add(new Row("POST", "/api/v1/cluster/join", json(() -> "{}"), j, Role.ADMIN, false));
    rows.add(new Row("POST", "/api/v1/cluster/leave", json(() -> "{}"), j, Role.ADMIN, false));
    rows.add(new Row("GET", "/api/v1/tokens", null, null, Role.ADMIN, false));
    rows.add(
        new Row(
            "POST",
            "/api/v1/tokens",
            json(() -> "{\"name\":\"x\",\"role\":\"admin\"}"),
            j,
            Role.ADMIN,
            false));
    rows.add(new Row("DELETE", "/api/v1/tokens/x", null, null, Role.ADMIN, false));
    rows.add(new Row("POST", "/api/v1/no/such/route", null, null, Role.ADMIN, false));
    rows.add(new Row("PATCH", "/api/v1/sites/web", json(() -> "{}"), j, Role.ADMIN, false));
    rows.add(new Row("POST", "/api/v1/hosts/test-host/drain", null, null, Role.ADMIN, false));
    rows.add(new Row("DELETE", "/api/v1/cronjobs/job", null, null, Role.ADMIN, false));
    rows.add(new Row("DELETE", "/api/v1/sites/web", null, null, Role.ADMIN, false));

    List<Who> callers =
        List.of(
            new Who("no token", null, null),
            new Who("unknown token", "drv_not-a-token-0123456789", null),
            new Who("viewer", viewer, Role.VIEWER),
            new Who("deployer", deployer, Role.DEPLOYER),
            new Who("admin", node.adminToken, Role.ADMIN));

    List<String> problems = new ArrayList<>();
    for (Row row : rows) {
      for (Who who : callers) {
        String path = row.path().replace("{deploy}", deploy.get());
        String what = who.label() + " " + row.method() + " " + path;
        boolean allowed =
            row.needed() == null || who.role() != null && who.role().allows(row.needed());
        Map<String, String> before = allowed ? null : settledState();
        Answer a =
            row.stream()
                ? openStream(who.token(), path)
                : send(
                    who.token(),
                    row.method(),
                    path,
                    row.body() == null ? null : row.body().get(),
                    row.type());
        if (allowed) {
          if (a.status() == 401 || a.status() == 403) {
            problems.add(what + ": allowed but answered " + a.status() + " " + a.body());
          }
          if (row.path().equals("/api/v1/revisions") && a.status() == 201) {
            freshRev.set(uploadedId(a));
          }
          if (row.path().equals("/api/v1/deploys")
              && row.method().equals("POST")
              && a.status() == 201
              && deploy.get().equals("nope")) {
            deploy.set(Json.MAPPER.readTree(a.body()).path("id").asText());
          }
          continue;
        }
        int expected = who.role() == null ? 401 : 403;
        if (a.status() != expected) {
          problems.add(what + ": expected " + expected + ", got " + a.status() + " " + a.body());
          continue;
        }
        if (!a.contentType().startsWith("application/problem+json")) {
          problems.add(what + ": not problem+json: " + a.contentType());
        }
        if (expected == 401
            && !row.stream()
            && !a.wwwAuthenticate().equals("Bearer realm=\"drover\"")) {
          problems.add(what + ": WWW-Authenticate '" + a.wwwAuthenticate() + "'");
        }
        if (expected == 403
            && !(a.body().contains("needs role " + row.needed().wire())
                && a.body().contains("has role " + who.role().wire()))) {
          problems.add(what + ": 403 does not name both roles: " + a.body());
        }
        Map<String, String> after = state();
        if (!after.equals(before)) {
          problems.add(what + ": refused but changed " + before + " -> " + after);
        }
      }
    }
    if (!problems.isEmpty()) {
      fail(problems.size() + " problems:\n" + String.join("\n", problems));
    }

    // the deployer's deploy says who started and aborted it
    assertNotEquals("nope", deploy.get(), "the deployer started a deploy");
    JsonNode d = adminGet("/deploys/" + deploy.get());
    assertEquals("ci-deployer", d.path("startedBy").asText(), d.toString());
    assertEquals("aborted", d.path("state").asText(), d.toString());
    assertEquals("ci-deployer", d.path("abortedBy").asText(), d.toString());
    assertEquals("ci-deployer", d.path("endedBy").asText(), d.toString());
  }

  @Test
  void metricsAreOpenOnlyWhenConfigured() throws Exception {
    node = TestNode.start(tmp.resolve("open"), Map.of("drover.http.open-metrics", "on"), FIXED);
    Answer open = send(null, "GET", "/metrics", null, null);
    assertEquals(200, open.status(), open.body());
    assertTrue(open.body().contains("drover_"), "a scrape");
    assertEquals(401, send(null, "GET", "/api/v1/sites", null, null).status(), "the API is not");
    assertEquals(401, send(null, "POST", "/metrics", null, null).status(), "only GET is open");
    assertEquals(200, send(null, "GET", "/api/v1/health", null, null).status());
  }

  @Test
  void metricsNeedAViewerByDefault() throws Exception {
    node = TestNode.start(tmp.resolve("closed"), Map.of(), FIXED);
    Answer closed = send(null, "GET", "/metrics", null, null);
    assertEquals(401, closed.status(), closed.body());
    assertEquals(200, send(VIEWER, "GET", "/metrics", null, null).status());
    assertEquals(200, send(null, "GET", "/api/v1/health", null, null).status(), "health is public");
  }

  private static String uploadedId(TestNode.Reply r) throws Exception {
    assertTrue(r.status() / 100 == 2, r.body());
    return Json.MAPPER.readTree(r.body()).get("id").asText();
  }

  private static String uploadedId(Answer a) throws Exception {
    return Json.MAPPER.readTree(a.body()).get("id").asText();
  }
}
