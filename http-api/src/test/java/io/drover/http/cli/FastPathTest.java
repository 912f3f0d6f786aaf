package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;
import picocli.CommandLine.ParseResult;

/** The fast path takes only command lines picocli reads the same way. */
class FastPathTest {

  static Cli cli() {
    PrintStream none = new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8);
    return new Cli(none, none, Map.of(), false);
  }

  /** What picocli makes of {@code args}, as a fast-path invocation; fails when it rejects them. */
  static FastPath.Invocation picocli(String... args) {
    Cli root = cli();
    CommandLine cl = root.commandLine(args);
    ParseResult r;
    try {
      r = cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new AssertionError("picocli rejects " + Arrays.toString(args) + ": " + e, e);
    }
    ParseResult sub = r.subcommand();
    assertNotNull(sub, Arrays.toString(args));
    Object cmd = sub.commandSpec().userObject();
    String argument = cmd instanceof SiteCommands.Site s ? s.name : null;
    return new FastPath.Invocation(
        sub.commandSpec().name(),
        argument,
        new Settings.Flags(root.server, root.token, root.dataDir, root.cacert, root.output));
  }

  static boolean picocliRejects(String... args) {
    try {
      cli().commandLine(args).parseArgs(args);
      return false;
    } catch (CommandLine.ParameterException e) {
      return true;
    }
  }

  @Test
  void takesWhatPicocliReadsTheSameWay() {
    String[][] lines = {
      {"sites"},
      {"hosts"},
      {"status"},
      {"singletons"},
      {"site", "web"},
      {"-o", "json", "sites"},
      {"sites", "-o", "json"},
      {"-ojson", "sites"},
      {"-o=json", "status"},
      {"--output", "table", "hosts"},
      {"--output=json", "site", "web"},
      {"--server", "http://10.0.0.1:8080", "--token", "t0k", "sites"},
      {"--server=https://h:1/", "--token=a=b", "site", "web", "--cacert", "/tmp/ca.crt"},
      {"site", "--data-dir", "/var/lib/drover", "web"},
      {"--data-dir=data", "sites", "--server", "127.0.0.1:9"},
      {"site", "web", "-o", "JSON"},
    };
    for (String[] line : lines) {
      FastPath.Invocation fast = FastPath.parse(line);
      assertNotNull(fast, Arrays.toString(line));
      assertEquals(picocli(line), fast, Arrays.toString(line));
    }
  }

  @Test
  void leavesEverythingElseToPicocli() {
    String[][] lines = {
      {},
      {"--help"},
      {"-h"},
      {"-V"},
      {"--version"},
      {"sites", "--help"},
      {"site"},
      {"site", "put", "web", "-f", "x.json"},
      {"site", "web", "extra"},
      {"sites", "extra"},
      {"deploys"},
      {"deploy", "web", "--revision", "r"},
      {"upload", "dir"},
      {"cds-training"},
      {"-o", "json", "-o", "table", "sites"},
      {"--token", "a", "--token=b", "sites"},
      {"--server"},
      {"sites", "--server"},
      {"--server", "-o", "sites"},
      {"--token", "sites", "sites"},
      {"--bogus", "x", "sites"},
      {"-x", "sites"},
      {"--", "sites"},
      {"@args.txt"},
      {"sites", "@more"},
      {"--token", "@t", "sites"},
      {"site", "-web"},
    };
    for (String[] line : lines) {
      assertNull(FastPath.parse(line), Arrays.toString(line));
    }
    // where picocli refuses a line, so does the fast path (picocli then says why)
    assertTrue(picocliRejects("--token", "sites", "sites"));
    assertTrue(picocliRejects("-o", "json", "-o", "table", "sites"));
  }

  @Test
  void runsTheCommandWithTheParsedOptions() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Cli c =
        new Cli(
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8),
            Map.of(),
            false);
    // nothing listens on port 9: the fast path ran the command, which says so with exit code 3
    Integer code = FastPath.run(c, "--server", "http://127.0.0.1:9", "-o", "bogus", "sites");
    assertEquals(ExitCodes.USAGE, code);
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("-o bogus is not an output format"));
    Cli d = cli();
    assertEquals(ExitCodes.UNREACHABLE, FastPath.run(d, "--server", "http://127.0.0.1:9", "hosts"));
    assertNull(FastPath.run(cli(), "deploys"));
    for (String k : FastPath.COMMANDS) {
      assertTrue(Cli.NAMES.contains(k), k);
      assertEquals(
          Cli.commands().stream()
              .filter(e -> e.getKey().equals(k))
              .findFirst()
              .orElseThrow()
              .getValue()
              .get()
              .getClass(),
          FastPath.command(k).getClass(),
          k);
    }
  }
}
