package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import org.junit.jupiter.api.Test;

class SpecFlagsTest {

  @Test
  void oneCommandFlagIsSplitOnSpacesSeveralAreTakenAsTheyAre() {
    assertEquals(
        List.of("java", "-Xmx32m", "Hello.java"),
        SpecFlags.command(List.of("  java  -Xmx32m Hello.java ")));
    assertEquals(
        List.of("sh", "-c", "echo hi there"),
        SpecFlags.command(List.of("sh", "-c", "echo hi there")));
    assertEquals(List.of(), SpecFlags.command(null));
  }

  @Test
  void aNewSiteFromFlags() throws Exception {
    ObjectNode spec =
        SpecFlags.apply(
            null,
            new SpecFlags.Flags("abc", List.of("./run --fast"), 3, List.of("A=1", "B=x=y"), "web"));
    assertEquals(
        JsonTree.read(
            "{\"revision\":\"abc\",\"command\":[\"./run\",\"--fast\"],\"instances\":3,\"pool\":\"web\","
                + "\"env\":{\"A\":\"1\",\"B\":\"x=y\"}}"),
        spec);
  }

  @Test
  void flagsChangeOnlyWhatTheyNameOverTheBaseAndLeaveTheBaseAlone() throws Exception {
    JsonNode base =
        JsonTree.read(
            "{\"revision\":\"old\",\"command\":[\"./run\"],\"instances\":2,\"env\":{\"A\":\"1\",\"S\":\"***\"},"
                + "\"health\":{\"http\":\"/healthz\"}}");
    ObjectNode spec =
        SpecFlags.apply(base, new SpecFlags.Flags("new", null, null, List.of("A=2"), null));
    assertEquals("new", spec.get("revision").asText());
    assertEquals(2, spec.get("instances").asInt());
    assertEquals("2", spec.get("env").get("A").asText());
    assertEquals("***", spec.get("env").get("S").asText(), "a masked secret goes back as it came");
    assertEquals("/healthz", spec.get("health").get("http").asText());
    assertEquals("old", base.get("revision").asText(), "the base is not changed");
  }

  @Test
  void missingRevisionOrCommandOrABadEnvIsBadUsageSayingWhatToGive() {
    CliError e =
        assertThrows(
            CliError.class,
            () -> SpecFlags.apply(null, new SpecFlags.Flags(null, null, 2, null, null)));
    assertEquals(ExitCodes.USAGE, e.exitCode);
    assertTrue(
        e.getMessage().contains("--revision") && e.getMessage().contains("--command"),
        e.getMessage());
    CliError env =
        assertThrows(
            CliError.class,
            () ->
                SpecFlags.apply(
                    null, new SpecFlags.Flags("r", List.of("x"), 1, List.of("NOVALUE"), null)));
    assertTrue(env.getMessage().contains("KEY=VALUE"), env.getMessage());
  }

  @Test
  void theDeployBodyCarriesOnlyWhatWasGiven() throws Exception {
    assertEquals(
        JsonTree.read("{\"sites\":[\"web\",\"api\"],\"revision\":\"r\"}"),
        DeployCommands.body(List.of("web", "api"), "r", null, null, null, null, null, false));
    assertEquals(
        JsonTree.read(
            "{\"sites\":[\"web\"],\"revision\":\"r\",\"parallel\":3,\"canary\":{\"perPool\":0},"
                + "\"reason\":\"why\",\"id\":\"d-1\",\"force\":true}"),
        DeployCommands.body(List.of("web"), "r", 3, false, null, "why", "d-1", true));
    assertEquals(
        JsonTree.read(
            "{\"sites\":[\"web\"],\"revision\":\"r\",\"canary\":{\"perPool\":1,\"bake\":\"30s\"}}"),
        DeployCommands.body(List.of("web"), "r", null, true, "30s", null, null, false));
  }
}
