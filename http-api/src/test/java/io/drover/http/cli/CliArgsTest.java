package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CliArgsTest {

  @Test
  void theCommandIsTheFirstWordThatIsNotAGlobalOptionOrItsValue() {
    assertEquals("sites", Cli.commandName("sites"));
    assertEquals("sites", Cli.commandName("--server", "http://h:1", "-o", "json", "sites", "x"));
    assertEquals("site", Cli.commandName("--server=http://h:1", "site", "put", "web"));
    assertEquals("deploy", Cli.commandName("--token", "t", "--", "deploy"));
    assertNull(Cli.commandName());
    assertNull(Cli.commandName("--help"));
  }

  @Test
  void theNamesAreTheCommandsNames() {
    assertEquals(
        Cli.NAMES,
        Cli.commands().stream()
            .map(Map.Entry::getKey)
            .collect(java.util.stream.Collectors.toSet()));
  }

  @Test
  void helpListsNodeAndClientCommandsButNotTheHiddenOne() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, Map.of(), false)
            .execute();
    String help = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code);
    for (String c :
        new String[] {"up ", "certs", "dev-postgres", "status", "deploy", "logs", "tokens"}) {
      assertTrue(help.contains(c), c + " in: " + help);
    }
    assertTrue(!help.contains("cds-training"), help);
  }

  @Test
  void everyCommandTakesHelp() {
    for (String[] args :
        new String[][] {
          {"sites", "--help"},
          {"deploy", "--help"},
          {"deploy", "show", "--help"},
          {"cron", "put", "-h"}
        }) {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      int code =
          new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, Map.of(), false)
              .execute(args);
      String help = out.toString(StandardCharsets.UTF_8);
      assertEquals(0, code, String.join(" ", args) + ": " + help);
      assertTrue(help.startsWith("Usage: drover " + args[0]), help);
    }
  }

  @Test
  void completionCoversTheClientCommands() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int code =
        new Cli(new PrintStream(out, true, StandardCharsets.UTF_8), System.err, Map.of(), false)
            .execute("completion");
    String script = out.toString(StandardCharsets.UTF_8);
    assertEquals(0, code);
    assertTrue(
        script.contains("complete -F")
            && script.contains("singletons")
            && script.contains("uncordon"),
        script.substring(0, 200));
  }
}
