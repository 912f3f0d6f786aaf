package io.drover.actors.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The side effects around {@link Sandbox} on this machine: whether the node runs as root, the
 * lookup of users ({@code getent passwd}, found accounts cached), handing a release directory to
 * the user its processes run as, and the permissions of the data directory. Thread-safe; the
 * agent's spawners call it from actors and from the blocking executor.
 *
 * <p>Data directory permissions: the directory itself is {@code 0711} (others may pass through,
 * never list), {@code releases/} is {@code 0711} too (a site reaches its own release by its path),
 * and every other entry (journal, snapshots, revisions, logs, agent state, tmp, admin.token, ...)
 * loses every group and other bit ({@code 0700} directories, {@code 0600} files).
 */
public final class SandboxHost {

  private static final Logger log = LoggerFactory.getLogger(SandboxHost.class);

  /** The name of the data directory entry sites may reach. */
  public static final String RELEASES = "releases";

  private static final Set<PosixFilePermission> PASS_THROUGH =
      PosixFilePermissions.fromString("rwx--x--x");
  private static final Set<PosixFilePermission> OPEN_BITS =
      EnumSet.of(
          PosixFilePermission.GROUP_READ,
          PosixFilePermission.GROUP_WRITE,
          PosixFilePermission.GROUP_EXECUTE,
          PosixFilePermission.OTHERS_READ,
          PosixFilePermission.OTHERS_WRITE,
          PosixFilePermission.OTHERS_EXECUTE);

  private static final boolean ROOT = detectRoot();
  private static final Sandbox.Ceiling CEILING = readCeiling();
  private static final Map<String, Sandbox.Account> ACCOUNTS = new ConcurrentHashMap<>();
  private static final Set<String> OWNED = ConcurrentHashMap.newKeySet();
  private static final AtomicBoolean TOLD_NOT_ROOT = new AtomicBoolean();

  private SandboxHost() {}

  /** True when this JVM runs as uid 0. */
  public static boolean root() {
    return ROOT;
  }

  /**
   * How to spawn a process of a site or cronjob whose {@code user} is {@code own} (null: the
   * configured one). Not root: logs once that run-as needs root.
   */
  public static Sandbox.Launch plan(String own, Sandbox.Settings settings) throws Sandbox.Refused {
    if (!ROOT && TOLD_NOT_ROOT.compareAndSet(false, true)) {
      log.info(
          "the node does not run as root: site processes run as its own user with its limits;"
              + " running them as '{}' with {} open files and {} processes needs root",
          own == null ? settings.runAs() : own,
          settings.openFiles(),
          settings.processes());
    }
    return Sandbox.plan(own, settings, ROOT, SandboxHost::find, CEILING);
  }

  /** This JVM's hard limits, which cap the configured ones. */
  public static Sandbox.Ceiling ceiling() {
    return CEILING;
  }

  private static Sandbox.Ceiling readCeiling() {
    try {
      return Sandbox.Ceiling.parse(Files.readString(Path.of("/proc/self/limits")));
    } catch (IOException | RuntimeException e) {
      return Sandbox.Ceiling.NONE;
    }
  }

  /** The account {@code name}; found accounts are cached, missing ones looked up every time. */
  public static Optional<Sandbox.Account> find(String name) {
    Sandbox.Account cached = ACCOUNTS.get(name);
    if (cached != null) {
      return Optional.of(cached);
    }
    Optional<Sandbox.Account> found = getent(name);
    found.ifPresent(a -> ACCOUNTS.put(name, a));
    return found;
  }

  private static Optional<Sandbox.Account> getent(String name) {
    if (name == null || name.startsWith("-")) {
      return Optional.empty();
    }
    Process p = null;
    try {
      p =
          new ProcessBuilder("getent", "passwd", name)
              .redirectError(ProcessBuilder.Redirect.DISCARD)
              .start();
      byte[] out = p.getInputStream().readNBytes(4096);
      if (!p.waitFor(5, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return Optional.empty();
      }
      return Sandbox.parsePasswd(new String(out, StandardCharsets.UTF_8))
          .filter(a -> a.name().equals(name));
    } catch (IOException e) {
      log.warn("cannot look up user '{}' with getent: {}", name, e.getMessage());
      return Optional.empty();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return Optional.empty();
    } finally {
      if (p != null) {
        p.destroy();
      }
    }
  }

  /**
   * Makes {@code dir} (a release directory) and everything in it owned by the launch's account, so
   * that its processes read it whatever the archive's modes, and a build writes in it. Once per
   * directory and account in this JVM; only a directory the node still owns (as it unpacked it) is
   * handed over, never one another user had (its content could link anywhere). Blocking.
   */
  public static void own(Path dir, Sandbox.Launch launch) throws IOException {
    Sandbox.Account a = launch.account();
    if (a == null) {
      return;
    }
    String key = dir.toAbsolutePath() + "\0" + a.uid() + ":" + a.gid();
    if (OWNED.contains(key)) {
      return;
    }
    int uid = (Integer) Files.getAttribute(dir, "unix:uid", LinkOption.NOFOLLOW_LINKS);
    int gid = (Integer) Files.getAttribute(dir, "unix:gid", LinkOption.NOFOLLOW_LINKS);
    if (uid != 0 && uid != a.uid()) {
      // Its content is another user's now (links, hard links): never chown over it as root.
      throw new IOException(
          "it belongs to uid "
              + uid
              + ", the user of another site on the same revision: sites that share a revision"
              + " should share a user");
    }
    if (uid != a.uid() || gid != a.gid()) {
      run(
          List.of(
              "chown",
              "-R",
              "--no-dereference",
              a.uid() + ":" + a.gid(),
              "--",
              dir.toAbsolutePath().toString()));
    }
    OWNED.add(key);
  }

  /**
   * {@link #own} and {@link #protect} before a process of {@code who} starts in {@code dir}; a
   * failure is logged (the process then shows what it cannot read). Nothing for the node's own
   * user. Blocking.
   */
  public static void prepare(Path dir, Sandbox.Launch launch, Path dataDir, String who) {
    if (launch == null || launch.account() == null) {
      return;
    }
    try {
      own(dir, launch);
    } catch (IOException | RuntimeException e) {
      log.warn(
          "{}: release {} not handed to user '{}': {}",
          who,
          dir,
          launch.account().name(),
          e.getMessage());
    }
    try {
      protect(dataDir);
    } catch (IOException | RuntimeException e) {
      log.warn("{}: cannot close data directory {}: {}", who, dataDir, e.getMessage());
    }
  }

  private static void run(List<String> argv) throws IOException {
    Process p =
        new ProcessBuilder(argv)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .start();
    try {
      byte[] out = p.getInputStream().readNBytes(2048);
      if (!p.waitFor(5, TimeUnit.MINUTES)) {
        p.destroyForcibly();
        throw new IOException(argv.get(0) + " did not finish in 5 minutes");
      }
      if (p.exitValue() != 0) {
        throw new IOException(
            String.join(" ", argv)
                + " exited with "
                + p.exitValue()
                + ": "
                + new String(out, StandardCharsets.UTF_8).strip());
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new IOException("interrupted", e);
    }
  }

  /**
   * Sets the permissions of the data directory (see the class comment). Cheap when they are right
   * already: one listing of the top level. Entries that vanish meanwhile are skipped.
   */
  public static void protect(Path dataDir) throws IOException {
    if (!Files.isDirectory(dataDir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    setIfDifferent(dataDir, PASS_THROUGH);
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dataDir)) {
      for (Path e : entries) {
        try {
          if (Files.isSymbolicLink(e)) {
            continue;
          }
          if (e.getFileName().toString().equals(RELEASES) && Files.isDirectory(e)) {
            setIfDifferent(e, PASS_THROUGH);
          } else {
            Set<PosixFilePermission> now = Files.getPosixFilePermissions(e);
            if (now.stream().anyMatch(OPEN_BITS::contains)) {
              Set<PosixFilePermission> closed = EnumSet.copyOf(now);
              closed.removeAll(OPEN_BITS);
              Files.setPosixFilePermissions(e, closed);
            }
          }
        } catch (java.nio.file.NoSuchFileException gone) {
          // deleted meanwhile: nothing to protect
        }
      }
    }
  }

  private static void setIfDifferent(Path p, Set<PosixFilePermission> perms) throws IOException {
    if (!Files.getPosixFilePermissions(p).equals(perms)) {
      Files.setPosixFilePermissions(p, perms);
    }
  }

  /**
   * Warnings about the directories above {@code dataDir} that others cannot pass through: a process
   * running as another user then reaches its release only through its working directory, never by
   * its absolute path. Empty when every ancestor is searchable or the node is not root.
   */
  public static Optional<String> unreachable(Path dataDir) {
    if (!ROOT) {
      return Optional.empty();
    }
    for (Path p = dataDir.toAbsolutePath().getParent(); p != null; p = p.getParent()) {
      try {
        if (!Files.getPosixFilePermissions(p).contains(PosixFilePermission.OTHERS_EXECUTE)) {
          return Optional.of(
              p
                  + " is not searchable by other users (mode "
                  + PosixFilePermissions.toString(Files.getPosixFilePermissions(p))
                  + ")");
        }
      } catch (IOException | UnsupportedOperationException e) {
        return Optional.empty();
      }
    }
    return Optional.empty();
  }

  private static boolean detectRoot() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String[] f = line.substring(4).trim().split("\\s+");
          return f.length > 1 && f[1].equals("0");
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: fall through
    }
    return "root".equals(System.getProperty("user.name"));
  }
}
