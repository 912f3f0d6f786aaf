package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class SettingsTest {

  private static final Function<Path, Optional<String>> FILES =
      p ->
          p.equals(Path.of("data", "admin.token"))
              ? Optional.of("file-token\n")
              : p.equals(Path.of("/srv/n1", "admin.token"))
                  ? Optional.of("n1-token")
                  : Optional.empty();

  private static Settings resolve(Settings.Flags flags, Map<String, String> env) {
    return Settings.resolve(flags, env, FILES, true);
  }

  private static Settings.Flags flags(String server, String token, Path dataDir) {
    return new Settings.Flags(server, token, dataDir, null, null);
  }

  @Test
  void theTokenComesFromTheFlagThenDroverTokenThenTheAdminTokenThenTheLocalFile() {
    Map<String, String> env = new HashMap<>();
    env.put("DROVER_TOKEN", "env-token");
    env.put("DROVER_ADMIN_TOKEN", "admin-env-token");
    assertEquals("flag-token", resolve(flags(null, "flag-token", null), env).token());
    assertEquals("env-token", resolve(flags(null, null, null), env).token());
    env.remove("DROVER_TOKEN");
    assertEquals("admin-env-token", resolve(flags(null, null, null), env).token());
    env.remove("DROVER_ADMIN_TOKEN");
    Settings local = resolve(flags(null, null, null), env);
    assertEquals("file-token", local.token(), "trimmed, from data/admin.token");
    assertEquals(Path.of("data", "admin.token").toString(), local.tokenSource());
    assertEquals("n1-token", resolve(flags(null, null, Path.of("/srv/n1")), env).token());
    env.put("DROVER_DATA_DIR", "/srv/n1");
    assertEquals("n1-token", resolve(flags(null, null, null), env).token());
  }

  @Test
  void aRemoteServerNeverGetsTheLocalAdminToken() {
    Settings s = resolve(flags("https://10.0.0.1:8080", null, null), Map.of());
    assertNull(s.token());
    assertEquals("none", s.tokenSource());
    assertEquals(
        "n1-token", resolve(flags("localhost:8080", null, Path.of("/srv/n1")), Map.of()).token());
  }

  @Test
  void theServerComesFromTheFlagThenTheEnvironmentThenTheDefault() {
    Map<String, String> env = Map.of("DROVER_SERVER", "http://10.0.0.2:8080/");
    assertEquals(
        "http://10.0.0.3:9000",
        resolve(flags("http://10.0.0.3:9000", null, null), env).server().toString());
    assertEquals("http://10.0.0.2:8080", resolve(flags(null, null, null), env).server().toString());
    assertEquals(
        Settings.DEFAULT_SERVER, resolve(flags(null, null, null), Map.of()).server().toString());
    assertEquals(
        "http://h1:8080", Settings.server("h1:8080").toString(), "a bare host:port is http");
    assertEquals("https://h1:8443", Settings.server("https://h1:8443/api/v1/").toString());
  }

  @Test
  void aServerThatIsNotAnHttpUrlIsBadUsage() {
    CliError e = assertThrows(CliError.class, () -> Settings.server("ftp://h1"));
    assertEquals(ExitCodes.USAGE, e.exitCode);
    assertTrue(e.getMessage().contains("http"), e.getMessage());
  }

  @Test
  void colourOnlyOnATerminalWithoutNoColorAndOutputIsTableOrJson() {
    assertTrue(Settings.resolve(flags(null, null, null), Map.of(), FILES, true).colour());
    assertFalse(Settings.resolve(flags(null, null, null), Map.of(), FILES, false).colour());
    assertFalse(
        Settings.resolve(flags(null, null, null), Map.of("NO_COLOR", "1"), FILES, true).colour());
    assertTrue(
        Settings.resolve(new Settings.Flags(null, null, null, null, "JSON"), Map.of(), FILES, false)
            .json());
    CliError e =
        assertThrows(
            CliError.class,
            () ->
                Settings.resolve(
                    new Settings.Flags(null, null, null, null, "yaml"), Map.of(), FILES, false));
    assertEquals(ExitCodes.USAGE, e.exitCode);
  }

  @Test
  void theCaCertComesFromTheFlagThenTheEnvironment() {
    assertEquals(
        Path.of("/ca/ca.crt"),
        resolve(flags(null, null, null), Map.of("DROVER_CACERT", "/ca/ca.crt")).cacert());
    assertEquals(
        Path.of("mine.crt"),
        Settings.resolve(
                new Settings.Flags(null, null, null, Path.of("mine.crt"), null),
                Map.of("DROVER_CACERT", "/ca/ca.crt"),
                FILES,
                false)
            .cacert());
  }
}
