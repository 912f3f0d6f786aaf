package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.Sandbox;
import io.drover.actors.agent.SandboxHost;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sandbox settings a node reads, and what it checks and fixes at start. */
class RunAsCheckTest {

  @TempDir Path tmp;

  private static Config with(String setting) {
    return ConfigFactory.parseString(setting)
        .withFallback(ConfigFactory.defaultReference())
        .withFallback(ConfigFactory.parseResourcesAnySyntax("application"))
        .resolve();
  }

  @Test
  void settingsDefaultToDroverRunAndAreBounded() {
    Sandbox.Settings d = NodeSettings.fromConfig(with("")).agent().sandbox();
    assertEquals(new Sandbox.Settings("drover-run", 65536, 16384), d);
    Sandbox.Settings s =
        NodeSettings.fromConfig(
                with(
                    "drover.agent { run-as = web, limits.open-files = 4096,"
                        + " limits.processes = 256 }"))
            .agent()
            .sandbox();
    assertEquals(new Sandbox.Settings("web", 4096, 256), s);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NodeSettings.fromConfig(with("drover.agent.limits.open-files = 5")));
    assertTrue(e.getMessage().contains("drover.agent.limits.open-files"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> NodeSettings.fromConfig(with("drover.agent.run-as = root")));
  }

  @Test
  void aRootNodeRefusesToStartWithoutItsRunAsUserAndSaysHowToCreateIt() {
    assumeTrue(SandboxHost.root(), "only a root node changes user");
    StartRefused e =
        assertThrows(
            StartRefused.class,
            () -> RunAsCheck.atStart(new Sandbox.Settings("drover-nosuchuser", 64, 64), tmp));
    assertTrue(e.getMessage().contains("user 'drover-nosuchuser' does not exist"), e.getMessage());
    assertTrue(
        e.getMessage()
            .contains("useradd --system --create-home --home-dir /var/lib/drover-nosuchuser"),
        e.getMessage());
  }

  @Test
  void theDataDirectoryIsClosedButItsReleases() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.createDirectories(data.resolve("releases"));
    Files.createDirectories(data.resolve("journal"));
    Files.writeString(data.resolve("admin.token"), "x");
    Files.setPosixFilePermissions(data, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        data.resolve("journal"), PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(
        data.resolve("admin.token"), PosixFilePermissions.fromString("rw-r--r--"));
    RunAsCheck.atStart(Sandbox.Settings.OFF, data);
    assertEquals("rwx--x--x", mode(data));
    assertEquals("rwx--x--x", mode(data.resolve("releases")));
    assertEquals("rwx------", mode(data.resolve("journal")));
    assertEquals("rw-------", mode(data.resolve("admin.token")));
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void releasesGoUnderTheDataDirUnlessSiteProcessesCannotReachIt() {
    Path data = Path.of("/root/drover/data");
    java.util.Optional<String> closed = java.util.Optional.of("/root is not searchable");
    java.util.Optional<String> open = java.util.Optional.empty();
    assertEquals(data.resolve("releases"), RunAsCheck.releasesDir("", data, "h1", true, open));
    assertEquals(data.resolve("releases"), RunAsCheck.releasesDir("", data, "h1", false, closed));
    Path fallback = RunAsCheck.releasesDir("", data, "h1", true, closed);
    assertTrue(fallback.startsWith(RunAsCheck.FALLBACK_RELEASES), fallback.toString());
    assertTrue(fallback.getFileName().toString().startsWith("h1-"), fallback.toString());
    // one per data directory: two nodes on one machine never share
    assertTrue(
        !fallback.equals(
            RunAsCheck.releasesDir("", Path.of("/root/drover/data2"), "h1", true, closed)));
    assertEquals(fallback, RunAsCheck.releasesDir(null, data, "h1", true, closed));
    // configured wins
    assertEquals(
        Path.of("/srv/releases"),
        RunAsCheck.releasesDir("/srv/releases", data, "h1", true, closed));
  }

  @Test
  void onlyFallbackReleasesOfNodesWhoseDataDirIsGoneAreSwept() {
    Path root = RunAsCheck.FALLBACK_RELEASES;
    Path self = root.resolve("h1-aaaa");
    Path alive = root.resolve("h2-bbbb");
    Path dead = root.resolve("h3-cccc");
    Path unmarked = root.resolve("h4-dddd");
    Path deadSelf = root.resolve("h1-eeee");
    java.util.Map<Path, java.util.Optional<Path>> owners =
        java.util.Map.of(
            self, java.util.Optional.of(Path.of("/gone/self")),
            alive, java.util.Optional.of(Path.of("/srv/n2")),
            dead, java.util.Optional.of(Path.of("/tmp/junit1/n3")),
            unmarked, java.util.Optional.empty(),
            deadSelf, java.util.Optional.of(Path.of("/tmp/junit2/n1")));
    java.util.Set<Path> existing = java.util.Set.of(Path.of("/srv/n2"));
    assertEquals(
        java.util.List.of(deadSelf, dead),
        RunAsCheck.staleFallbacks(owners, existing::contains, self));
    assertEquals(
        java.util.List.of(),
        RunAsCheck.staleFallbacks(owners, p -> true, self),
        "every data directory exists: nothing is swept");
  }
}
