package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.actors.agent.SandboxHost;
import io.drover.actors.revision.TarGz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * A site's secretEnv through a real node: its processes get it, every GET shows only "***", a spec
 * read back and put again keeps the stored value, a new value alone rolls the site, and the node
 * never logs it. As root, the instances do not run as root.
 */
class SecretEnvApiTest {

  private static final String SECRET = "s3cr3t-" + Long.toHexString(System.nanoTime());
  private static final String ROTATED = "r0tated-" + Long.toHexString(System.nanoTime());

  @TempDir Path tmp;
  private TestNode node;
  private ListAppender<ILoggingEvent> nodeLog;

  @BeforeEach
  void captureLog() {
    nodeLog = new ListAppender<>();
    nodeLog.start();
    root().addAppender(nodeLog);
  }

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
    root().detachAppender(nodeLog);
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private String upload() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(
        dir.resolve("run.sh"), "echo \"key=$API_KEY uid=$(id -u) a=$A\"\nexec sleep 600\n");
    Path out = tmp.resolve("app.tar.gz");
    TarGz.pack(dir, out);
    TestNode.Reply r = node.upload(Files.readAllBytes(out));
    assertEquals(201, r.status(), r.body());
    return Json.MAPPER.readTree(r.body()).get("id").asText();
  }

  private static void await(Duration within, String what, Check check) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting: " + what);
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  interface Check {
    boolean ok() throws Exception;
  }

  /** Everything the site's instances printed so far. */
  private String instanceOutput() throws Exception {
    Path logs = tmp.resolve("node").resolve("logs").resolve("vault");
    if (!Files.isDirectory(logs)) {
      return "";
    }
    StringBuilder all = new StringBuilder();
    try (Stream<Path> files = Files.list(logs)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".log")).toList()) {
        all.append(Files.readString(f));
      }
    }
    return all.toString();
  }

  private static void assertMasked(TestNode.Reply r) {
    assertFalse(r.body().contains(SECRET), r.body());
    assertFalse(r.body().contains(ROTATED), r.body());
  }

  @Test
  void secretsReachTheProcessesButNeverAGetNorTheLog() throws Exception {
    node = TestNode.start(tmp.resolve("node"), Map.of());
    String rev = upload();
    String put =
        "{\"revision\":\""
            + rev
            + "\",\"command\":[\"sh\",\"run.sh\"],\"instances\":2,\"env\":{\"A\":\"1\"},"
            + "\"secretEnv\":{\"API_KEY\":\""
            + SECRET
            + "\"},\"health\":{\"exec\":[\"true\"]}}";
    TestNode.Reply created = node.call("PUT", "/api/v1/sites/vault", put);
    assertTrue(created.status() == 200 || created.status() == 201, created.body());
    assertMasked(created);

    TestNode.Reply one = node.call("GET", "/api/v1/sites/vault", null);
    assertEquals(200, one.status(), one.body());
    assertMasked(one);
    JsonNode spec = Json.MAPPER.readTree(one.body()).get("spec");
    assertEquals("***", spec.at("/secretEnv/API_KEY").asText(), one.body());
    assertEquals("1", spec.at("/env/A").asText(), "env stays visible");
    assertMasked(node.call("GET", "/api/v1/sites", null));

    await(
        Duration.ofSeconds(60),
        "an instance printing the secret",
        () -> instanceOutput().contains("key=" + SECRET));
    if (SandboxHost.root()) {
      assertFalse(instanceOutput().contains("uid=0 "), instanceOutput());
    }

    // The spec read back (values masked) and put again keeps the stored value.
    TestNode.Reply again = node.call("PUT", "/api/v1/sites/vault", spec.toString());
    assertEquals(200, again.status(), again.body());
    assertMasked(again);

    // A new value alone is a new spec: the site rolls to it.
    ((ObjectNode) spec.get("secretEnv")).put("API_KEY", ROTATED);
    TestNode.Reply rotated = node.call("PUT", "/api/v1/sites/vault", spec.toString());
    assertEquals(200, rotated.status(), rotated.body());
    assertMasked(rotated);
    await(
        Duration.ofSeconds(90),
        "an instance printing the new secret",
        () -> instanceOutput().contains("key=" + ROTATED));

    // The mask for a key that has no stored value is refused.
    ((ObjectNode) spec.get("secretEnv")).put("OTHER", "***");
    TestNode.Reply unknown = node.call("PUT", "/api/v1/sites/vault", spec.toString());
    assertEquals(400, unknown.status(), unknown.body());
    assertTrue(unknown.body().contains("secretEnv 'OTHER'"), unknown.body());

    for (ILoggingEvent e : nodeLog.list) {
      String line = e.getFormattedMessage();
      assertFalse(line.contains(SECRET) || line.contains(ROTATED), "the node logged: " + line);
    }
  }

  @Test
  void aSiteWhoseUserIsMissingHereSaysSoInItsProblems() throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(SandboxHost.root(), "run-as needs root");
    node = TestNode.start(tmp.resolve("node"), Map.of());
    String rev = upload();
    String put =
        "{\"revision\":\""
            + rev
            + "\",\"command\":[\"sh\",\"run.sh\"],\"instances\":2,"
            + "\"user\":\"drover-nosuchuser\",\"health\":{\"exec\":[\"true\"]}}";
    TestNode.Reply created = node.call("PUT", "/api/v1/sites/ghost", put);
    assertTrue(created.status() == 200 || created.status() == 201, created.body());
    await(
        Duration.ofSeconds(60),
        "the missing user among the site's problems",
        () ->
            node.call("GET", "/api/v1/sites/ghost", null)
                .body()
                .contains("user 'drover-nosuchuser' does not exist on this host"));
    JsonNode site = Json.MAPPER.readTree(node.call("GET", "/api/v1/sites/ghost", null).body());
    assertEquals("drover-nosuchuser", site.at("/spec/user").asText());
    assertTrue(
        site.at("/status/problems").toString().contains("drover-nosuchuser"), site.toString());
    TestNode.Reply root =
        node.call("PUT", "/api/v1/sites/ghost", put.replace("drover-nosuchuser", "root"));
    assertEquals(400, root.status(), root.body());
    assertTrue(root.body().contains("never run as root"), root.body());
  }
}
