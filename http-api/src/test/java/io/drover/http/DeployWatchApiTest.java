package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.actors.revision.TarGz;
import io.drover.http.cli.Api;
import io.drover.http.cli.watch.DeployWatch;
import io.drover.http.cli.watch.WatchSettings;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code drover deploy --watch} against a real node: 4 simulated hosts (instances are timers, so a
 * deploy takes about a second) and the node's real deploy, event stream and tokens.
 */
class DeployWatchApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private TestNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private void start(String startTime, List<String> failRevisions) throws Exception {
    Map<String, Object> extra = new HashMap<>();
    extra.put("drover.simulated.hosts", 4);
    extra.put("drover.simulated.pools", 1);
    extra.put("drover.simulated.start-time", startTime);
    extra.put("drover.simulated.fail-revisions", failRevisions);
    node = TestNode.start(tmp.resolve("node"), extra);
  }

  private byte[] archive(String content) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("app-" + content));
    Files.writeString(dir.resolve("run"), content);
    Path out = tmp.resolve(content + ".tar.gz");
    TarGz.pack(dir, out);
    return Files.readAllBytes(out);
  }

  private static String sha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private String upload(byte[] archive) throws Exception {
    TestNode.Reply r = node.upload(archive);
    assertTrue(r.status() == 201 || r.status() == 200, r.body());
    return JSON.readTree(r.body()).get("id").asText();
  }

  /** Site {@code web}: 4 instances on the simulated pool, ready on {@code rev}. */
  private void site(String rev) throws Exception {
    // all four simulated hosts known first: placed earlier, the instances share the hosts known
    // then (two per host) and the deploy has fewer hosts than the test counts
    TestNode.await(
        Duration.ofSeconds(60),
        "4 simulated hosts known",
        () -> {
          int n = 0;
          for (JsonNode h : JSON.readTree(node.call("GET", "/api/v1/hosts", null).body())) {
            n += "sim-0".equals(h.path("pool").asText()) ? 1 : 0;
          }
          return n == 4;
        });
    TestNode.Reply put =
        node.call(
            "PUT",
            "/api/v1/sites/web",
            "{\"revision\":\""
                + rev
                + "\",\"command\":[\"sleep\",\"1000\"],\"instances\":4,\"pool\":\"sim-0\"}");
    assertEquals(201, put.status(), put.body());
    TestNode.await(
        Duration.ofSeconds(60),
        "4 ready instances of web",
        () ->
            JSON.readTree(node.call("GET", "/api/v1/sites/web", null).body())
                    .at("/status/ready")
                    .asInt()
                == 4);
  }

  private String deploy(String rev, String extra) throws Exception {
    TestNode.Reply r =
        node.call(
            "POST",
            "/api/v1/deploys",
            "{\"sites\":[\"web\"],\"revision\":\""
                + rev
                + "\",\"parallel\":2,\"canary\":{\"perPool\":0},\"reason\":\"watch test\""
                + extra
                + "}");
    assertEquals(201, r.status(), r.body());
    return JSON.readTree(r.body()).get("id").asText();
  }

  private Api target(String token) {
    return Api.of(URI.create("http://127.0.0.1:" + node.httpPort), token, null);
  }

  /** Output captured as text, readable while the watch writes it. */
  private static final class Capture {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }

    List<String> lines() {
      return List.of(text().split("\n"));
    }
  }

  private static WatchSettings settings() {
    return WatchSettings.defaults().withWidth(80);
  }

  @Test
  void aDeployThatSucceedsIsFollowedToTheEndWithExit0AndABadTokenIsExit4() throws Exception {
    start("300ms", List.of());
    String r1 = upload(archive("one"));
    String r2 = upload(archive("two"));
    site(r1);
    Capture all = new Capture();
    Capture allErr = new Capture();
    int[] allCode = {-1};
    Thread events =
        new Thread(
            () ->
                allCode[0] =
                    DeployWatch.followAll(
                        target(node.adminToken), all.stream, allErr.stream, settings()));
    events.setDaemon(true);
    events.start();
    // the every-deploy stream has no history: wait until it is open
    TestNode.await(
        Duration.ofSeconds(30),
        "the every-deploy stream is open",
        () -> allErr.text().contains("drover: following the steps of every deploy on"));
    String id = deploy(r2, "");

    Capture out = new Capture();
    Capture err = new Capture();
    int code =
        DeployWatch.watch(target(node.adminToken), id, out.stream, err.stream, false, settings());
    assertEquals(0, code, out.text() + err.text());
    List<String> lines = out.lines();
    assertTrue(
        lines.get(0).matches("\\d\\d:\\d\\d:\\d\\d deploy-queued: watch test"), lines.get(0));
    assertTrue(
        lines.stream().anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d deploy-started: 4 hosts")),
        out.text());
    List<String> done =
        lines.stream()
            .filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d host-done \\S+ \\(\\d/4\\)"))
            .toList();
    assertEquals(4, done.size(), out.text());
    assertTrue(done.get(3).endsWith("(4/4)"), out.text());
    assertTrue(
        lines.get(lines.size() - 2).matches("\\d\\d:\\d\\d:\\d\\d deploy-ended succeeded(: .+)?"),
        out.text());
    assertTrue(
        lines.get(lines.size() - 1).matches("deploy " + id + " succeeded in \\S+ \\(4/4 hosts\\)"),
        out.text());
    assertTrue(out.text().chars().noneMatch(c -> c < 0x20 && c != '\n'), "no control characters");
    assertEquals("", err.text());

    // the ended deploy again: replayed from its first step to the same outcome
    Capture again = new Capture();
    assertEquals(
        0,
        DeployWatch.watch(
            target(node.adminToken), id, again.stream, err.stream, false, settings()));
    assertEquals(out.text(), again.text());

    // on a terminal: redrawn line, then the outcome
    Capture tty = new Capture();
    assertEquals(
        0,
        DeployWatch.watch(target(node.adminToken), id, tty.stream, err.stream, true, settings()));
    assertTrue(tty.text().startsWith("\r["), tty.text());
    assertTrue(tty.text().endsWith(lines.get(lines.size() - 1) + "\n"), tty.text());

    // drover events -f saw the same deploy, step by step, until interrupted
    TestNode.await(
        Duration.ofSeconds(30),
        "events -f prints the end of " + id,
        () -> all.text().contains(" " + id + " deploy-ended succeeded"));
    events.interrupt();
    events.join(TimeUnit.SECONDS.toMillis(30));
    assertFalse(events.isAlive());
    assertEquals(0, allCode[0], allErr.text());
    assertEquals(
        4,
        all.lines().stream()
            .filter(l -> l.matches("\\d\\d:\\d\\d:\\d\\d " + id + " host-done \\S+"))
            .count(),
        all.text());

    Capture denied = new Capture();
    assertEquals(
        4,
        DeployWatch.watch(target("not-a-token"), id, out.stream, denied.stream, false, settings()));
    assertTrue(denied.text().contains("not authorised (401"), denied.text());
    assertEquals(
        1,
        DeployWatch.watch(
            target(node.adminToken), "d-nope", out.stream, denied.stream, false, settings()));
    assertTrue(denied.text().contains("answered 404"), denied.text());
  }

  @Test
  void aDeployAbortedWhileWatchedIsExit1WithTheReason() throws Exception {
    start("3s", List.of());
    String r1 = upload(archive("one"));
    String r2 = upload(archive("two"));
    site(r1);
    String id = deploy(r2, "");

    Capture out = new Capture();
    Capture err = new Capture();
    CompletableFuture<Integer> watch =
        CompletableFuture.supplyAsync(
            () ->
                DeployWatch.watch(
                    target(node.adminToken), id, out.stream, err.stream, false, settings()));
    TestNode.await(
        Duration.ofSeconds(30), "the watch's first line", () -> out.text().contains("\n"));
    TestNode.Reply abort =
        node.call("POST", "/api/v1/deploys/" + id + "/abort", "{\"reason\":\"stop the test\"}");
    assertEquals(200, abort.status(), abort.body());

    int code = watch.get(60, TimeUnit.SECONDS);
    assertEquals(1, code, out.text() + err.text());
    List<String> lines = out.lines();
    assertTrue(lines.get(lines.size() - 2).contains(" deploy-ended aborted"), out.text());
    String last = lines.get(lines.size() - 1);
    assertTrue(last.startsWith("deploy " + id + " aborted: "), last);
    assertTrue(last.contains("stop the test"), last);
    assertTrue(last.matches(".* \\(\\d/4 hosts done in \\S+\\)"), last);
  }

  @Test
  void aDeployWhoseInstancesCrashFailsWithTheHostsReasonAndExit1() throws Exception {
    byte[] bad = archive("crashes");
    String badId = sha256(bad);
    start("300ms", List.of(badId));
    String r1 = upload(archive("one"));
    assertEquals(badId, upload(bad), "a revision's id is the sha256 of its archive");
    site(r1);
    String id = deploy(badId, ",\"maxStartFailures\":1,\"autoRevert\":false");

    Capture out = new Capture();
    Capture err = new Capture();
    int code =
        DeployWatch.watch(target(node.adminToken), id, out.stream, err.stream, false, settings());
    assertEquals(1, code, out.text() + err.text());
    assertTrue(
        out.lines().stream()
            .anyMatch(l -> l.matches("\\d\\d:\\d\\d:\\d\\d host-failed \\S+ \\(0/4\\): .+")),
        out.text());
    String last = out.lines().get(out.lines().size() - 1);
    assertTrue(last.startsWith("deploy " + id + " failed: "), last);
    assertFalse(err.text().contains("drover:"), err.text());
  }

  @Test
  void aConnectionCutMidStreamIsResumedWithLastEventIdAndNoStepIsLostOrRepeated() throws Exception {
    start("500ms", List.of());
    String r1 = upload(archive("one"));
    String r2 = upload(archive("two"));
    site(r1);
    try (CuttingProxy proxy = new CuttingProxy(node.httpPort, "event: host-done\n")) {
      String id = deploy(r2, "");
      Capture out = new Capture();
      Capture err = new Capture();
      Api through = Api.of(URI.create("http://127.0.0.1:" + proxy.port()), node.adminToken, null);
      int code = DeployWatch.watch(through, id, out.stream, err.stream, false, settings());
      assertEquals(0, code, out.text() + err.text());
      assertTrue(proxy.didCut(), "the proxy cut the stream in the middle of a host-done");
      assertTrue(err.text().contains("reconnecting in"), err.text());
      assertTrue(err.text().contains(" after event "), err.text());
      List<String> lines = out.lines();
      assertEquals(4, lines.stream().filter(l -> l.contains(" host-done ")).count(), out.text());
      assertEquals(
          List.of("(1/4)", "(2/4)", "(3/4)", "(4/4)"),
          lines.stream()
              .filter(l -> l.contains(" host-done "))
              .map(l -> l.substring(l.lastIndexOf(' ') + 1))
              .toList(),
          "each host done once, in order: " + out.text());
      assertEquals(
          lines.size(),
          lines.stream().distinct().count(),
          "no line twice (a step replayed after the cut would repeat): " + out.text());
      assertTrue(
          lines.get(lines.size() - 1).startsWith("deploy " + id + " succeeded in "), out.text());
    }
  }
}
