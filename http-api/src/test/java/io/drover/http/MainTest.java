package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** Bad flags get a message that says what to fix and exit code 2; nothing is started. */
class MainTest {

  private record Run(int exit, String err) {}

  private static Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    return new Run(cl.execute(args), err.toString());
  }

  @Test
  void unknownFlag() {
    Run r = run("up", "--frobnicate");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--frobnicate"), r.err());
  }

  @Test
  void portNotANumber() {
    Run r = run("up", "--http-port", "eighty");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--http-port"), r.err());
  }

  @Test
  void portOutOfRange() {
    Run r = run("up", "--http-port", "70000", "--no-example");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("between 1 and 65535"), r.err());
  }

  @Test
  void samePorts() {
    Run r = run("up", "--http-port", "9000", "--cluster-port", "9000", "--no-example");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("must differ"), r.err());
  }

  @Test
  void badHostAndPoolAndGrace() {
    assertTrue(run("up", "--host", "Not A Host", "--no-example").err().contains("--host"));
    assertTrue(run("up", "--pool", "WEB!", "--no-example").err().contains("--pool"));
    Run r = run("up", "--grace", "soon", "--no-example");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--grace"), r.err());
  }

  @Test
  void missingExampleSaysHowToSkipIt() {
    Run r = run("up", "--examples-dir", "/nonexistent");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--no-example"), r.err());
  }

  /** Parses and validates {@code up} flags on a PostgreSQL journal, as every cluster needs. */
  private static Config overrides(String... args) {
    List<String> all = new java.util.ArrayList<>(List.of(args));
    all.addAll(
        List.of("--journal", "postgres", "--jdbc-url", "jdbc:postgresql://127.0.0.1:5432/d"));
    CommandLine cl = Main.commandLine();
    CommandLine.ParseResult parsed = cl.parseArgs(all.toArray(String[]::new));
    Main.Up up = (Main.Up) parsed.subcommand().commandSpec().userObject();
    return up.validate();
  }

  @Test
  void joinIsRepeatableAndCommaSeparated() {
    Config c =
        overrides(
            "up",
            "--no-example",
            "--join",
            "127.0.0.1:2601",
            "--join",
            "127.0.0.1:2602,127.0.0.1:2603",
            "--down-after",
            "2500ms");
    assertEquals(
        List.of("127.0.0.1:2601", "127.0.0.1:2602", "127.0.0.1:2603"),
        c.getStringList("drover.join"));
    assertEquals("2500ms", c.getString("drover.down-after"));
    assertEquals("", c.getString("drover.discovery.method"));
  }

  @Test
  void discoveryConfigTakesContactPoints() {
    Config c =
        overrides(
            "up",
            "--no-example",
            "--discovery",
            "config",
            "--contact-point",
            "127.0.0.1:8601,127.0.0.1:8602",
            "--management-port",
            "8601",
            "--expect-nodes",
            "2");
    assertEquals("config", c.getString("drover.discovery.method"));
    assertEquals(8601, c.getInt("drover.discovery.management-port"));
    assertEquals(
        List.of("127.0.0.1:8601", "127.0.0.1:8602"),
        c.getStringList("drover.discovery.config.endpoints"));
  }

  @Test
  void badJoinAddressesExitTwoWithWhatToFix() {
    Run r = run("up", "--no-example", "--join", "127.0.0.1");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--join") && r.err().contains("HOST:PORT"), r.err());
    r = run("up", "--no-example", "--join", "127.0.0.1:0");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("between 1 and 65535"), r.err());
    r = run("up", "--no-example", "--join", "127.0.0.1:2552", "--manual-join");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("only one of"), r.err());
  }

  @Test
  void badDowningAndDiscoveryFlagsExitTwo() {
    Run r = run("up", "--no-example", "--down-after", "soon");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--down-after"), r.err());
    r = run("up", "--no-example", "--down-after", "0s");
    assertEquals(2, r.exit());
    r = run("up", "--no-example", "--discovery", "zookeeper");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("config, dns"), r.err());
    r = run("up", "--no-example", "--discovery", "config");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--contact-point"), r.err());
    r =
        run(
            "up",
            "--no-example",
            "--discovery",
            "config",
            "--contact-point",
            "127.0.0.1:8558",
            "--expect-nodes",
            "2");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--expect-nodes 2"), r.err());
    r = run("up", "--no-example", "--discovery", "dns", "--management-port", "8080");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--management-port"), r.err());
  }

  @Test
  void clusterFlagsAreRefusedOnTheEmbeddedLevelDbJournal() {
    for (String[] flags :
        List.of(
            new String[] {"--join", "127.0.0.1:2601"},
            new String[] {"--manual-join"},
            new String[] {
              "--discovery", "config", "--contact-point", "127.0.0.1:8558,127.0.0.1:8559"
            })) {
      List<String> args = new java.util.ArrayList<>(List.of("up", "--no-example"));
      args.addAll(List.of(flags));
      Run r = run(args.toArray(String[]::new));
      assertEquals(2, r.exit(), r.err());
      assertTrue(r.err().contains("need --journal postgres"), r.err());
      assertTrue(r.err().contains("would be lost"), r.err());
    }
  }

  @Test
  void noSubcommand() {
    assertEquals(2, run().exit());
  }

  @Test
  void routeTemplatesHaveBoundedCardinality() {
    assertEquals(
        "/api/v1/sites/{id}/instances/{id}/logs",
        Metrics.routeOf("/api/v1/sites/hello/instances/hello-1/logs"));
    assertEquals("/api/v1/sites", Metrics.routeOf("/api/v1/sites"));
    assertEquals("other", Metrics.routeOf("/wp-admin/x"));
    assertEquals("other", Metrics.routeOf("/api/v1/nope"));
    assertEquals("/api/v1/cluster/members", Metrics.routeOf("/api/v1/cluster/members"));
    assertEquals(
        "/api/v1/cronjobs/{id}/runs/{id}/logs",
        Metrics.routeOf("/api/v1/cronjobs/backup/runs/backup-3/logs"));
    assertEquals("/api/v1/whoami", Metrics.routeOf("/api/v1/whoami"));
    assertEquals("/ui/{id}", Metrics.routeOf("/ui/app.js"));
    assertEquals("/ui", Metrics.routeOf("/ui/"));
    assertEquals("other", Metrics.routeOf("/ui/a/b"));
    assertEquals("/api/v1/cluster/leave", Metrics.routeOf("/api/v1/cluster/leave"));
    assertEquals("other", Metrics.routeOf("/api/v1/sites/a/b/c"));
    assertEquals("other", Metrics.routeOf("/api/v1/sites/a/instances/b/nope"));
    assertEquals("other", Metrics.routeOf("/api/v1/cluster/anything"));
    assertEquals("/api/v1/hosts/{id}/drain", Metrics.routeOf("/api/v1/hosts/h1/drain"));
    assertEquals("/api/v1/revisions/{id}", Metrics.routeOf("/api/v1/revisions/abc/"));
  }
}
