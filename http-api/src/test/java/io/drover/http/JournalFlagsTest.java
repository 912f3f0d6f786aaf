package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --journal}, {@code --jdbc-url} and friends: bad values exit with code 2 and say what to
 * fix; an unreachable database refuses the start with a message naming it, without a stack trace.
 */
class JournalFlagsTest {

  @TempDir Path tmp;

  private record Run(int exit, String err) {}

  private Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter()));
    String[] all = new String[args.length + 4];
    all[0] = "up";
    all[1] = "--no-example";
    all[2] = "--data-dir";
    all[3] = tmp.resolve("data").toString();
    System.arraycopy(args, 0, all, 4, args.length);
    return new Run(cl.execute(all), err.toString());
  }

  @Test
  void unknownJournal() {
    Run r = run("--journal", "mongo");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--journal 'mongo' is not a journal"), r.err());
    assertTrue(r.err().contains("leveldb") && r.err().contains("postgres"), r.err());
  }

  @Test
  void postgresNeedsAUrl() {
    Run r = run("--journal", "postgres");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--journal postgres needs --jdbc-url"), r.err());
    assertTrue(r.err().contains("dev-postgres"), r.err());
  }

  @Test
  void urlMustBePostgres() {
    Run r = run("--journal", "postgres", "--jdbc-url", "jdbc:mysql://db/drover");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("must start with jdbc:postgresql://"), r.err());
  }

  @Test
  void userMustNotBeEmpty() {
    Run r =
        run(
            "--journal",
            "postgres",
            "--jdbc-url",
            "jdbc:postgresql://db/drover",
            "--jdbc-user",
            "");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--jdbc-user"), r.err());
  }

  @Test
  void urlWithoutPostgresJournalIsAMistake() {
    Run r = run("--jdbc-url", "jdbc:postgresql://db/drover");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("only used with --journal postgres"), r.err());
  }

  @Test
  void unreachableDatabaseRefusesTheStart() {
    String url = "jdbc:postgresql://127.0.0.1:1/drover";
    Run r = run("--journal", "POSTGRES", "--jdbc-url", url, "--jdbc-password", "x");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("cannot reach the journal database " + url), r.err());
    assertTrue(r.err().contains("check that PostgreSQL runs"), r.err());
    assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
  }
}
