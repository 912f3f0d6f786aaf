package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.http.CliTestNode;
import io.drover.http.TestNode;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The client in-process (picocli execute, captured output) against one real node. */
class CliNodeTest {

  @TempDir static Path tmp;

  static CliTestNode node;
  static Path app;

  /** One command's outcome. */
  record Run(int code, String out, String err) {}

  @BeforeAll
  static void start() throws Exception {
    node = CliTestNode.start(tmp.resolve("node"));
    app = tmp.resolve("app");
    Files.createDirectories(app);
    Path run = app.resolve("run");
    Files.writeString(run, "#!/bin/sh\necho \"hello from $DROVER_INSTANCE\"\nexec sleep 600\n");
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
  }

  @AfterAll
  static void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private static Map<String, String> env() {
    Map<String, String> env = new HashMap<>();
    env.put("DROVER_SERVER", "http://127.0.0.1:" + node.httpPort());
    env.put("DROVER_TOKEN", node.adminToken());
    return env;
  }

  static Run cli(String... args) {
    return cliWith(env(), args);
  }

  static Run cliWith(Map<String, String> env, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code =
        new Cli(
                new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8),
                env,
                false)
            .execute(args);
    return new Run(
        code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String upload() {
    Run r = cli("upload", app.toString());
    assertEquals(0, r.code(), r.err());
    return r.out().trim();
  }

  @Test
  void uploadingTheSameDirectoryTwiceGivesTheSameRevisionId() throws Exception {
    String first = upload();
    assertTrue(first.matches("[0-9a-f]{64}"), first);
    Files.setLastModifiedTime(app.resolve("run"), FileTime.fromMillis(1_000_000));
    assertEquals(first, upload(), "same files, another mtime: same id");
    Path other = tmp.resolve("app2");
    Files.createDirectories(other);
    Files.writeString(other.resolve("run"), "#!/bin/sh\nexec sleep 601\n");
    assertFalse(first.equals(cli("upload", other.toString()).out().trim()));
  }

  @Test
  void putASiteFromFlagsThenListShowScaleAndDeleteIt() throws Exception {
    String rev = upload();
    Run put =
        cli(
            "site",
            "put",
            "cli-web",
            "--revision",
            rev,
            "--command",
            "./run",
            "--instances",
            "2",
            "--env",
            "A=1");
    assertEquals(0, put.code(), put.err());
    assertEquals("site cli-web created\n", put.out());

    Run sites = cli("sites");
    assertEquals(0, sites.code(), sites.err());
    assertTrue(sites.out().startsWith("NAME"), sites.out());
    assertTrue(
        sites.out().contains("cli-web") && sites.out().contains(rev.substring(0, 12)), sites.out());

    Run json = cli("-o", "json", "sites");
    JsonNode list = JsonTree.read(json.out());
    assertTrue(list.isArray());
    assertTrue(list.findValuesAsText("name").contains("cli-web"), json.out());

    // global options also after the command
    Run scale = cli("scale", "cli-web", "3", "-o", "json");
    assertEquals(0, scale.code(), scale.err());
    assertEquals(3, JsonTree.read(scale.out()).path("spec").path("instances").asInt(), scale.out());

    // flags change only what they name: the command and env stay
    Run change = cli("site", "put", "cli-web", "--env", "B=2");
    assertEquals("site cli-web changed\n", change.out(), change.err());
    Run show = cli("site", "cli-web");
    assertEquals(0, show.code(), show.err());
    assertTrue(show.out().contains("command:   ./run"), show.out());
    assertTrue(show.out().contains("A=1 B=2"), show.out());
    assertTrue(show.out().contains("ID") && show.out().contains("cli-web-"), show.out());

    AtomicReference<String> logs = new AtomicReference<>();
    TestNode.await(
        Duration.ofSeconds(30),
        "the instances' output through drover logs",
        () -> {
          Run r = cli("logs", "cli-web");
          logs.set(r.out());
          return r.code() == 0 && r.out().contains("] hello from cli-web-");
        });
    assertTrue(logs.get().startsWith("[cli-web-"), "prefixed with the instance: " + logs.get());

    Run del = cli("delete", "cli-web");
    assertEquals(0, del.code(), del.err());
    assertEquals(1, cli("site", "cli-web").code());
  }

  private static String get(String path) throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + node.httpPort() + "/api/v1" + path))
                    .header("Authorization", "Bearer " + node.adminToken())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  /** The lines of instance {@code id} in the prefixed {@code out}, without their prefix. */
  private static String of(String id, String out) {
    StringBuilder b = new StringBuilder();
    for (String line : out.split("\n")) {
      if (line.startsWith("[" + id + "] ")) {
        b.append(line.substring(id.length() + 3)).append('\n');
      }
    }
    return b.toString();
  }

  /** The tick numbers in {@code out}, checking that a "same" line precedes each. */
  private static List<Integer> ticks(String out) {
    List<Integer> ticks = new ArrayList<>();
    String before = null;
    for (String line : out.split("\n")) {
      if (line.startsWith("tick ")) {
        if (before != null) {
          assertEquals("same", before, "a line between two ticks: " + out);
        }
        ticks.add(Integer.parseInt(line.substring(5)));
      }
      before = line;
    }
    return ticks;
  }

  @Test
  void logsReadOnFromACursorAndFollowingPrintsEveryLineOnce() throws Exception {
    Path ticker = tmp.resolve("ticker");
    Files.createDirectories(ticker);
    Path run = ticker.resolve("run");
    Files.writeString(
        run,
        "#!/bin/sh\ni=0\nwhile true; do i=$((i+1)); echo same; echo \"tick $i\"; sleep 0.05;"
            + " done\n");
    Files.setPosixFilePermissions(run, PosixFilePermissions.fromString("rwxr-xr-x"));
    String rev = cli("upload", ticker.toString()).out().trim();
    Run put =
        cli("site", "put", "cli-tick", "--revision", rev, "--command", "./run", "--instances", "2");
    assertEquals(0, put.code(), put.err());
    AtomicReference<String> id = new AtomicReference<>();
    TestNode.await(
        Duration.ofSeconds(30),
        "an instance of cli-tick",
        () -> {
          JsonNode list = JsonTree.read(cli("-o", "json", "site", "cli-tick").out());
          JsonNode first = list.path("instances").path(0);
          id.set(first.path("id").asText(null));
          return id.get() != null;
        });
    String logs = "/sites/cli-tick/instances/" + id.get() + "/logs";
    AtomicReference<JsonNode> start = new AtomicReference<>();
    TestNode.await(
        Duration.ofSeconds(30),
        "ticks from the start of the log",
        () -> {
          String r = get(logs + "?since=0");
          start.set(r.startsWith("200 ") ? JsonTree.read(r.substring(4)) : null);
          return start.get() != null && start.get().path("lines").size() >= 4;
        });
    assertEquals("same", start.get().path("lines").path(0).asText(), start.get().toString());
    assertEquals("tick 1", start.get().path("lines").path(1).asText(), start.get().toString());
    assertFalse(start.get().path("skipped").asBoolean());
    String next = start.get().path("next").asText();
    int lastTick = ticks(String.join("\n", LogFollow.Chunk.of(start.get()).lines())).size();
    AtomicReference<JsonNode> on = new AtomicReference<>();
    TestNode.await(
        Duration.ofSeconds(30),
        "ticks after the cursor",
        () -> {
          on.set(JsonTree.read(get(logs + "?since=" + next).substring(4)));
          return on.get().path("lines").size() >= 2;
        });
    List<Integer> after = ticks(String.join("\n", LogFollow.Chunk.of(on.get()).lines()));
    assertEquals(lastTick + 1, after.get(0), "reads on where the first answer ended: " + on.get());
    assertTrue(get(logs + "?since=nope").startsWith("400 "));
    assertTrue(
        get(logs + "?tail=2").startsWith("200 same\ntick ")
            || get(logs + "?tail=2").startsWith("200 tick "),
        "plain tail=N unchanged");

    // -f: the last lines, then every new one exactly once, in order, until interrupted
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Thread follow =
        new Thread(
            () ->
                new Cli(
                        new PrintStream(out, true, StandardCharsets.UTF_8),
                        new PrintStream(err, true, StandardCharsets.UTF_8),
                        env(),
                        false)
                    .execute("logs", "cli-tick", "-f", "--tail", "4"));
    follow.start();
    try {
      TestNode.await(
          Duration.ofSeconds(30),
          "drover logs -f printing 40 ticks of one instance",
          () -> ticks(of(id.get(), out.toString(StandardCharsets.UTF_8))).size() >= 40);
    } finally {
      follow.interrupt();
      follow.join(10_000);
    }
    assertFalse(follow.isAlive(), "logs -f ends when interrupted");
    String printed = out.toString(StandardCharsets.UTF_8);
    assertTrue(printed.startsWith("[cli-tick-"), "every instance, prefixed: " + printed);
    List<Integer> seen = ticks(of(id.get(), printed));
    for (int i = 1; i < seen.size(); i++) {
      assertEquals(seen.get(i - 1) + 1, seen.get(i), "no tick twice, none missed: " + seen);
    }
    assertFalse(err.toString(StandardCharsets.UTF_8).contains("skipped"), err.toString());
    assertEquals(0, cli("delete", "cli-tick").code());
  }

  @Test
  void anUnknownSiteIsAFailureWithTheServersDetail() {
    Run r = cli("site", "no-such-site");
    assertEquals(1, r.code());
    assertTrue(r.err().contains("site no-such-site does not exist"), r.err());
    assertTrue(r.err().contains("404"), r.err());
    assertEquals("", r.out());
  }

  @Test
  void aBadTokenIsNotAuthorised() {
    Map<String, String> env = env();
    env.put("DROVER_TOKEN", "drv_not-a-real-token-at-all-0000");
    Run r = cliWith(env, "sites");
    assertEquals(4, r.code());
    assertTrue(r.err().contains("unknown token") && r.err().contains("DROVER_TOKEN"), r.err());
  }

  @Test
  void theLocalAdminTokenIsReadFromTheDataDirectory() {
    Map<String, String> env = env();
    env.remove("DROVER_TOKEN");
    assertEquals(4, cliWith(env, "sites", "--data-dir", tmp.resolve("nowhere").toString()).code());
    Run r = cliWith(env, "--data-dir", tmp.resolve("node").toString(), "hosts");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("test-host"), r.out());
  }

  @Test
  void nothingListeningIsUnreachableAndSaysWhere() throws Exception {
    int port = CliTestNode.freePort();
    Run r = cli("sites", "--server", "http://127.0.0.1:" + port);
    assertEquals(3, r.code());
    assertTrue(r.err().contains("http://127.0.0.1:" + port + "/api/v1/sites"), r.err());
    assertEquals(3, cli("--server", "127.0.0.1:" + port, "status").code());
  }

  @Test
  void badFlagsAreBadUsage() {
    assertEquals(2, cli("sites", "--no-such-flag").code());
    assertEquals(2, cli("scale", "x", "not-a-number").code());
    assertEquals(2, cli("no-such-command").code());
    Run r = cli("-o", "yaml", "sites");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("table or json"), r.err());
    assertEquals(2, cli("deploy", "web").code(), "no revision or dir");
    assertEquals(
        2, cli("site", "put", "new-one", "--instances", "2").code(), "a new site without command");
  }

  @Test
  void aDeployIsStartedShownAndWatchedToItsEnd() throws Exception {
    String rev = upload();
    assertEquals(
        0,
        cli("site", "put", "cli-dep", "--revision", rev, "--command", "./run", "--instances", "2")
            .code());
    Run d =
        cli(
            "-o",
            "json",
            "deploy",
            "cli-dep",
            "--revision",
            rev,
            "--no-canary",
            "--reason",
            "cli test");
    assertEquals(0, d.code(), d.err());
    String id = JsonTree.read(d.out()).path("id").asText();
    assertTrue(id.startsWith("d-"), d.out());
    Run watch = cli("deploy", "show", id, "--watch");
    assertEquals(0, watch.code(), watch.out() + watch.err());
    assertTrue(watch.out().contains("succeeded"), watch.out());
    Run list = cli("deploys", "--site", "cli-dep");
    assertTrue(list.out().contains(id) && list.out().contains("cli test"), list.out());
    assertEquals(1, cli("abort", id).code(), "an ended deploy cannot be aborted (409)");
    assertEquals(0, cli("delete", "cli-dep").code());
  }

  @Test
  void statusHostsSingletonsTokensAndCronWork() throws Exception {
    Run status = cli("status");
    assertEquals(0, status.code(), status.err());
    assertTrue(
        status.out().contains("Members") && status.out().contains("test-host"), status.out());
    JsonNode all = JsonTree.read(cli("-o", "json", "status").out());
    assertTrue(all.has("members") && all.has("hosts") && all.has("sites"), all.toString());
    assertTrue(cli("singletons").out().contains("site-directory"));
    assertEquals(0, cli("cordon", "test-host").code());
    assertTrue(cli("hosts").out().contains("cordoned"));
    assertEquals(0, cli("uncordon", "test-host").code());

    Run token = cli("tokens", "create", "cli-viewer", "--role", "viewer");
    assertEquals(0, token.code(), token.err());
    String secret = token.out().trim();
    Map<String, String> viewer = env();
    viewer.put("DROVER_TOKEN", secret);
    TestNode.await(
        Duration.ofSeconds(15), "the new token works", () -> cliWith(viewer, "sites").code() == 0);
    assertEquals(4, cliWith(viewer, "cordon", "test-host").code(), "a viewer may not cordon");
    assertEquals(0, cli("tokens", "revoke", "cli-viewer").code());

    String rev = upload();
    Path spec = tmp.resolve("cron.json");
    Files.writeString(
        spec, "{\"schedule\":\"@every 1h\",\"revision\":\"" + rev + "\",\"command\":[\"./run\"]}");
    assertEquals(0, cli("cron", "put", "cli-job", "-f", spec.toString()).code());
    assertTrue(cli("cron", "list").out().contains("cli-job"));
    assertTrue(cli("cron", "show", "cli-job").out().contains("@every 1h"));
    assertEquals(0, cli("cron", "delete", "cli-job").code());
  }
}
