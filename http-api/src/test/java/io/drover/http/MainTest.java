package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
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
  }
}
