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
      SandboxHost.unreachable(dataDir)
          .ifPresent(w -> log.warn("data directory {}: {}", dataDir, w));
    }
    try {
      SandboxHost.protect(dataDir);
    } catch (IOException | UnsupportedOperationException e) {
      log.warn("cannot set the permissions of data directory {}: {}", dataDir, e.getMessage());
    }
  }
}
