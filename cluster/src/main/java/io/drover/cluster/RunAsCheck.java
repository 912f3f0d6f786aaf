package io.drover.cluster;

import io.drover.actors.agent.Sandbox;
import io.drover.actors.agent.SandboxHost;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * At start: a root node refuses to start when the user site processes run as does not exist (the
 * message says how to create it), warns when that user cannot reach the data directory, and sets
 * the data directory's permissions ({@link SandboxHost#protect}).
 */
final class RunAsCheck {

  private static final Logger log = LoggerFactory.getLogger(RunAsCheck.class);

  private RunAsCheck() {}

  /**
   * Creates the default run-as user (a system user, no login shell, a private home for build
   * caches), as {@code ./drover} does, so {@code java -jar drover.jar up} as root works on a fresh
   * machine too. A user named in the settings other than the default is never created: the operator
   * chose it, and a typo must not become a new account. Bounded to 30 s; when it fails the check
   * below refuses the start with the command to run.
   */
  private static void createDefaultUser() {
    String user = Sandbox.DEFAULT_USER;
    List<String> cmd =
        List.of(
            "useradd",
            "--system",
            "--create-home",
            "--home-dir",
            "/var/lib/" + user,
            "--shell",
            "/usr/sbin/nologin",
            user);
    try {
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(30, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        log.warn("creating system user {} took over 30 s: gave up", user);
      } else if (p.exitValue() == 0) {
        log.info("created system user {} (site processes run as it): {}", user, cmd);
      } else {
        log.warn("could not create system user {}: {} exited {}", user, cmd, p.exitValue());
      }
    } catch (IOException e) {
      log.warn("could not create system user {}: {}", user, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Under this, a node whose data directory site processes cannot reach unpacks releases. */
  static final Path FALLBACK_RELEASES = Path.of("/var/lib/drover/releases");

  /**
   * Where this node unpacks releases: {@code configured} when set; else {@code
   * <data-dir>/releases}, unless site processes run as another user ({@code sandboxed}) and a
   * directory above the data directory is closed to them ({@code closedAbove}, e.g. {@code /root}
   * 0700): then under {@link #FALLBACK_RELEASES}, one directory per node (host and data directory),
   * so several nodes on one machine never share one. Pure.
   */
  static Path releasesDir(
      String configured,
      Path dataDir,
      String host,
      boolean sandboxed,
      java.util.Optional<String> closedAbove) {
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured).toAbsolutePath();
    }
    if (!sandboxed || closedAbove.isEmpty()) {
      return dataDir.resolve("releases");
    }
    String hash = sha256(dataDir.toAbsolutePath().normalize().toString()).substring(0, 12);
    return FALLBACK_RELEASES.resolve(host + "-" + hash);
  }

  private static String sha256(String s) {
    try {
      return java.util.HexFormat.of()
          .formatHex(
              java.security.MessageDigest.getInstance("SHA-256")
                  .digest(s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * {@link #releasesDir} for this node, created (0711, like the data directory: site processes pass
   * through, never list) when it is the fallback; logged once when it is not {@code
   * <data-dir>/releases}.
   */
  static Path releasesDirAtStart(
      String configured, Sandbox.Settings sandbox, Path dataDir, String host) {
    boolean sandboxed = SandboxHost.root() && !sandbox.off();
    java.util.Optional<String> closed =
        sandboxed ? SandboxHost.unreachable(dataDir) : java.util.Optional.empty();
    Path dir = releasesDir(configured, dataDir, host, sandboxed, closed);
    if (!dir.equals(dataDir.resolve("releases"))) {
      try {
        java.nio.file.Files.createDirectories(dir);
        for (Path p = dir;
            p != null && p.startsWith(FALLBACK_RELEASES.getParent());
            p = p.getParent()) {
          java.nio.file.Files.setPosixFilePermissions(
              p, java.nio.file.attribute.PosixFilePermissions.fromString("rwx--x--x"));
        }
      } catch (IOException e) {
        throw new StartRefused("cannot create the releases directory " + dir + ": " + e, e);
      }
      if (dir.startsWith(FALLBACK_RELEASES)) {
        sweepFallbacks(dir, dataDir);
      }
      if (closed.isPresent() && (configured == null || configured.isBlank())) {
        log.info(
            "releases are unpacked to {}, not under the data directory, so that site processes"
                + " (user {}) can read them: {}",
            dir,
            sandbox.runAs(),
            closed.get());
      } else {
        log.info("releases are unpacked to {} (drover.agent.releases-dir)", dir);
      }
    }
    return dir;
  }

  /** In each fallback releases directory: the absolute data directory of the node it belongs to. */
  static final String OWNER_MARKER = ".data-dir";

  /**
   * The fallback releases directories to delete: those whose owner marker names a data directory
   * that no longer exists (a node killed with SIGKILL, whose data directory was then removed, never
   * got to delete its own), never {@code self}. A directory without a marker is left alone. Pure.
   *
   * @param owners each fallback directory and the data directory its marker names, if any
   */
  static List<Path> staleFallbacks(
      java.util.Map<Path, java.util.Optional<Path>> owners,
      java.util.function.Predicate<Path> exists,
      Path self) {
    return owners.entrySet().stream()
        .filter(e -> !e.getKey().equals(self))
        .filter(e -> e.getValue().isPresent() && !exists.test(e.getValue().get()))
        .map(java.util.Map.Entry::getKey)
        .sorted()
        .toList();
  }

  /**
   * Marks {@code self} as this node's ({@link #OWNER_MARKER}, 0600) and deletes the fallback
   * releases directories of nodes whose data directory is gone, one log line each. Failures are
   * logged, never fatal: these are caches.
   */
  private static void sweepFallbacks(Path self, Path dataDir) {
    try {
      Path marker = self.resolve(OWNER_MARKER);
      java.nio.file.Files.writeString(marker, dataDir.toAbsolutePath().normalize().toString());
      java.nio.file.Files.setPosixFilePermissions(
          marker, java.nio.file.attribute.PosixFilePermissions.fromString("rw-------"));
      java.util.Map<Path, java.util.Optional<Path>> owners = new java.util.HashMap<>();
      try (java.nio.file.DirectoryStream<Path> dirs =
          java.nio.file.Files.newDirectoryStream(self.getParent())) {
        for (Path d : dirs) {
          if (owners.size() >= 10_000) {
            break;
          }
          if (java.nio.file.Files.isDirectory(d, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            owners.put(d, owner(d.resolve(OWNER_MARKER)));
          }
        }
      }
      for (Path stale : staleFallbacks(owners, p -> java.nio.file.Files.isDirectory(p), self)) {
        deleteTree(stale);
        log.info(
            "deleted releases directory {}: its node's data directory {} is gone",
            stale,
            owners.get(stale).get());
      }
    } catch (IOException | RuntimeException e) {
      log.warn("could not sweep stale releases directories beside {}: {}", self, e.toString());
    }
  }

  private static java.util.Optional<Path> owner(Path marker) {
    try {
      if (!java.nio.file.Files.isRegularFile(marker, java.nio.file.LinkOption.NOFOLLOW_LINKS)
          || java.nio.file.Files.size(marker) > 4096) {
        return java.util.Optional.empty();
      }
      String s = java.nio.file.Files.readString(marker).trim();
      return s.startsWith("/") ? java.util.Optional.of(Path.of(s)) : java.util.Optional.empty();
    } catch (IOException | RuntimeException e) {
      return java.util.Optional.empty();
    }
  }

  /** Deletes {@code dir} and everything in it; links are deleted, never followed. */
  static void deleteTree(Path dir) throws IOException {
    if (!java.nio.file.Files.exists(dir, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (java.util.stream.Stream<Path> all = java.nio.file.Files.walk(dir)) {
      for (Path p : all.sorted(java.util.Comparator.reverseOrder()).toList()) {
        java.nio.file.Files.deleteIfExists(p);
      }
    }
  }

  static void atStart(Sandbox.Settings sandbox, Path dataDir) {
    if (SandboxHost.root() && sandbox.off()) {
      log.warn(
          "drover.agent.run-as is empty: site processes run as root, like the node; set it to an"
              + " unprivileged user (default {})",
          Sandbox.DEFAULT_USER);
    } else if (SandboxHost.root()) {
      if (sandbox.runAs().equals(Sandbox.DEFAULT_USER)
          && SandboxHost.find(Sandbox.DEFAULT_USER).isEmpty()) {
        createDefaultUser();
      }
      try {
        Sandbox.Ceiling c = SandboxHost.ceiling();
        Sandbox.Launch l = Sandbox.plan(null, sandbox, true, SandboxHost::find, c);
        log.info(
            "the node runs as root: site processes run as '{}' (uid {}) with {} open files and"
                + " {} processes (configured {} and {}, capped by the node's own hard limits)",
            l.account().name(),
            l.account().uid(),
            Math.min(sandbox.openFiles(), c.openFiles()),
            Math.min(sandbox.processes(), c.processes()),
            sandbox.openFiles(),
            sandbox.processes());
      } catch (Sandbox.Refused e) {
        throw new StartRefused(
            "the node runs as root, so site processes run as an unprivileged user, but "
                + e.getMessage()
                + "; ./drover creates it when run as root",
            null);
      }
    }
    try {
      SandboxHost.protect(dataDir);
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("cannot set the permissions of data directory {}: {}", dataDir, e.getMessage());
    }
  }
}
