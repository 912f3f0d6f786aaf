package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.HostAgent.Assign;
import io.drover.actors.agent.HostAgent.Assignment;
import io.drover.actors.agent.HostAgent.SiteReport;
import io.drover.actors.site.HealthCheck;
import io.drover.actors.site.RestartPolicy;
import io.drover.actors.site.SiteSpec;
import io.drover.actors.site.SiteSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/**
 * Sites cannot harm the node, with real processes on a real agent whose node runs as root (skipped
 * otherwise): an instance, its build, its exec check and a cronjob run all run as the unprivileged
 * run-as user with the configured open-files limit, see only the base environment plus their own
 * env and secretEnv, cannot read the node's token or list its journal, and the secret value never
 * reaches the node's log. The default user {@code drover-run} is created when missing and left in
 * place (the launcher would create it too); the per-site user this test creates is removed.
 */
class SandboxProcessTest {

  private static final Config CONFIG =
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load());
  private static final Duration DEADLINE = Duration.ofSeconds(90);
  private static final String REVISION = "5a".repeat(32);
  private static final String SITE = "vault";
  private static final String SECRET = "s3cr3t-" + Long.toHexString(System.nanoTime());
  private static final int OPEN_FILES = 777;

  /** What a site process may see besides the base: its own env and what the agent sets. */
  private static final Set<String> AGENT_SET =
      Set.of(
          "PORT",
          "DROVER_SITE",
          "DROVER_INSTANCE",
          "DROVER_REVISION",
          "DROVER_CRONJOB",
          "DROVER_TICK",
          "DROVER_RUN",
          OrphanReaper.AGENT_ID_ENV);

  /** Set by the shell itself. */
  private static final Set<String> SHELL_OWN = Set.of("PWD", "OLDPWD", "SHLVL", "_");

  @TempDir Path tmp;
  private Path dataDir;
  private Path releaseDir;
  private int portMin;
  private final List<ActorTestKit> kits = new ArrayList<>();
  private final Set<Long> pids = new HashSet<>();
  private ListAppender<ILoggingEvent> nodeLog;

  @BeforeAll
  static void theDefaultUserExists() throws Exception {
    assumeTrue(SandboxHost.root(), "run-as needs a node running as root");
    if (SandboxHost.find(Sandbox.DEFAULT_USER).isEmpty()) {
      run(Sandbox.createCommand(Sandbox.DEFAULT_USER).split(" "));
    }
  }

  @BeforeEach
  void setUp() throws IOException {
    // The temporary directory is 0700 (root): let others pass, so that only the data directory's
    // own permissions protect it.
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));
    dataDir = Files.createDirectories(tmp.resolve("data"));
    releaseDir = Files.createDirectories(tmp.resolve("release"));
    // What a node's data directory holds, created as loosely as a default umask would.
    Files.writeString(dataDir.resolve("admin.token"), "drv_node_token\n");
    Files.setPosixFilePermissions(
        dataDir.resolve("admin.token"), PosixFilePermissions.fromString("rw-r--r--"));
    Path journal = Files.createDirectories(dataDir.resolve("journal"));
    Files.writeString(journal.resolve("000001.log"), "events");
    Files.setPosixFilePermissions(journal, PosixFilePermissions.fromString("rwxr-xr-x"));
    Files.setPosixFilePermissions(dataDir, PosixFilePermissions.fromString("rwxr-xr-x"));
    portMin = 20_000 + ThreadLocalRandom.current().nextInt(400) * 100;
    nodeLog = new ListAppender<>();
    nodeLog.start();
    root().addAppender(nodeLog);
  }

  @AfterEach
  void killEverything() throws IOException {
    for (ActorTestKit kit : kits) {
      kit.shutdownTestKit();
    }
    for (long pid : pids) {
      ProcessGroups.kill(pid);
      ProcessGroups.killProcess(pid);
    }
    Path idFile = dataDir.resolve("agent").resolve("id");
    if (Files.exists(idFile)) {
      for (long pid : OrphanReaper.markedProcesses(Files.readString(idFile).strip()).keySet()) {
        ProcessGroups.killProcess(pid);
      }
    }
    if (nodeLog != null) {
      root().detachAppender(nodeLog);
    }
  }

  private static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }

  private ActorRef<HostAgent.Command> agent(ActorTestKit kit) {
    AgentSettings settings =
        new AgentSettings(
                "host-a",
                "web",
                Map.of(),
                dataDir,
                portMin,
                portMin + 49,
                Duration.ofSeconds(2),
                1_000_000,
                Duration.ofSeconds(1))
            .withSandbox(new Sandbox.Settings(Sandbox.DEFAULT_USER, OPEN_FILES, 4096));
    return kit.spawn(HostAgent.create(settings, revision -> releaseDir));
  }

  private ActorTestKit kit() {
    ActorTestKit kit = ActorTestKit.create("sandbox-test", CONFIG);
    kits.add(kit);
    return kit;
  }

  /** Prints who it is, its limits, what it can read and its environment, then sleeps. */
  private String probeScript() {
    return "echo uid=$(id -u); echo nofile=$(ulimit -n);"
        + " if cat '"
        + dataDir.resolve("admin.token")
        + "' >/dev/null 2>&1; then echo TOKEN-READ; else echo TOKEN-DENIED; fi;"
        + " if ls '"
        + dataDir.resolve("journal")
        + "' >/dev/null 2>&1; then echo JOURNAL-LISTED; else echo JOURNAL-DENIED; fi;"
        + " echo ENV-BEGIN; env; echo ENV-END;";
  }

  private SiteSpec spec(String user, List<String> build) {
    return SiteSpecs.withDefaults(
        new SiteSpec(
            REVISION,
            List.of("sh", "-c", probeScript() + " exec sleep 600"),
            2,
            "web",
            Map.of("GREETING", "hi", "API_KEY", "overridden"),
            // Ready only when the exec check itself does not run as root.
            new HealthCheck(
                null, null, List.of("sh", "-c", "test \"$(id -u)\" != 0"), "1s", "2s", "60s", 3),
            new RestartPolicy("200ms", "2s", "60s"),
            build,
            null,
            Map.of("API_KEY", SECRET),
            user));
  }

  private SiteReport await(TestProbe<SiteReport> probe, Predicate<List<InstanceStatus>> done) {
    List<SiteReport> seen =
        probe.fishForMessage(
            DEADLINE,
            r -> {
              r.instances().forEach(i -> pids.add(i.pid()));
              pids.remove(0L);
              return done.test(r.instances())
                  ? FishingOutcomes.complete()
                  : FishingOutcomes.continueAndIgnore();
            });
    return seen.get(seen.size() - 1);
  }

  private static Map<String, String> envOf(String output) {
    String block = output.substring(output.indexOf("ENV-BEGIN\n") + 10, output.indexOf("ENV-END"));
    Map<String, String> env = new java.util.HashMap<>();
    for (String line : block.split("\n")) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return env;
  }

  private void assertSandboxed(String output, Set<String> own, String user) throws Exception {
    Sandbox.Account account = SandboxHost.find(user).orElseThrow();
    assertTrue(output.contains("uid=" + account.uid() + "\n"), output);
    assertTrue(output.contains("nofile=" + OPEN_FILES + "\n"), output);
    assertTrue(output.contains("TOKEN-DENIED"), output);
    assertTrue(output.contains("JOURNAL-DENIED"), output);
    Map<String, String> env = envOf(output);
    assertEquals(SECRET, env.get("API_KEY"), "secretEnv wins over env");
    assertEquals(user, env.get("USER"));
    assertEquals(account.home(), env.get("HOME"));
    for (String k : env.keySet()) {
      assertTrue(
          InstanceEnv.BASE.contains(k)
              || own.contains(k)
              || AGENT_SET.contains(k)
              || SHELL_OWN.contains(k),
          k + " is neither base nor the process's own: " + env.keySet());
    }
  }

  private void assertSecretNotLogged() {
    for (ILoggingEvent e : nodeLog.list) {
      assertFalse(e.getFormattedMessage().contains(SECRET), "logged: " + e.getFormattedMessage());
    }
  }

  @Test
  void anInstanceItsBuildAndItsCheckRunAsTheRunAsUserAndSeeNoNodeSecret() throws Exception {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<SiteReport> probe = kit.createTestProbe();
    SiteSpec spec = spec(null, List.of("sh", "-c", "id -u > built-by"));
    agent.tell(new Assign(SITE, List.of(new Assignment(SITE + "-1", 1, spec)), probe.getRef()));
    SiteReport ready = await(probe, l -> l.size() == 1 && l.get(0).state() == InstanceState.READY);
    assertEquals(InstanceState.READY, ready.instances().get(0).state(), "exec check not root");

    Path log = dataDir.resolve("logs").resolve(SITE).resolve(SITE + "-1.log");
    Waits.contains(log, "ENV-END", DEADLINE);
    assertSandboxed(Files.readString(log), Set.of("GREETING", "API_KEY"), Sandbox.DEFAULT_USER);
    String builtBy = Files.readString(releaseDir.resolve("built-by")).strip();
    assertNotEquals("0", builtBy, "the build ran as root");
    assertEquals(
        Integer.toString(SandboxHost.find(Sandbox.DEFAULT_USER).orElseThrow().uid()), builtBy);
    assertEquals(
        "rw-------",
        PosixFilePermissions.toString(
            Files.getPosixFilePermissions(dataDir.resolve("admin.token"))));
    assertEquals(
        "rwx--x--x", PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir)));
    assertSecretNotLogged();
    assertFalse(spec.toString().contains(SECRET), spec.toString());
  }

  @Test
  void aCronjobRunRunsAsTheRunAsUserWithItsSecretEnv() throws Exception {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<RunStatus> statuses = kit.createTestProbe();
    RunOrder order =
        new RunOrder(
            "report-1",
            "report",
            "2026-12-01T03:00:00Z",
            REVISION,
            List.of("sh", "-c", probeScript()),
            Map.of("GREETING", "hi"),
            "1m",
            Map.of("API_KEY", SECRET),
            null);
    agent.tell(new HostAgent.StartRun(order, 1, statuses.getRef()));
    statuses.fishForMessage(
        DEADLINE,
        s ->
            s.runId().equals("report-1") && s.state() == RunState.SUCCEEDED
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore());
    Path log = RunRules.logFile(dataDir, "report", "report-1");
    assertSandboxed(Files.readString(log), Set.of("GREETING", "API_KEY"), Sandbox.DEFAULT_USER);
    assertSecretNotLogged();
    assertFalse(order.toString().contains(SECRET), order.toString());
  }

  @Test
  void aSiteRunsAsItsOwnUserAndAMissingUserFailsTheInstanceWithAReason() throws Exception {
    String user = "drover-t" + ThreadLocalRandom.current().nextInt(100_000, 1_000_000);
    run(Sandbox.createCommand(user).split(" "));
    try {
      ActorTestKit kit = kit();
      ActorRef<HostAgent.Command> agent = agent(kit);
      TestProbe<SiteReport> probe = kit.createTestProbe();
      agent.tell(
          new Assign(
              SITE, List.of(new Assignment(SITE + "-1", 1, spec(user, null))), probe.getRef()));
      await(probe, l -> l.size() == 1 && l.get(0).state() == InstanceState.READY);
      Path log = dataDir.resolve("logs").resolve(SITE).resolve(SITE + "-1.log");
      Waits.contains(log, "ENV-END", DEADLINE);
      assertSandboxed(Files.readString(log), Set.of("GREETING", "API_KEY"), user);

      TestProbe<SiteReport> other = kit.createTestProbe();
      agent.tell(
          new Assign(
              "ghost",
              List.of(new Assignment("ghost-1", 1, spec("drover-nosuchuser", null))),
              other.getRef()));
      SiteReport refused =
          await(
              other,
              l ->
                  l.size() == 1
                      && l.get(0).message() != null
                      && l.get(0).message().contains("does not exist"));
      InstanceStatus s = refused.instances().get(0);
      assertEquals(0, s.pid());
      assertTrue(s.message().contains("user 'drover-nosuchuser' does not exist"), s.message());
    } finally {
      for (ActorTestKit kit : kits) {
        kit.shutdownTestKit();
      }
      for (long pid : pids) {
        ProcessGroups.kill(pid);
      }
      kits.clear();
      run("userdel", "-f", "-r", user);
    }
  }

  private static void run(String... argv) throws Exception {
    Process p = new ProcessBuilder(argv).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes());
    assertTrue(p.waitFor(30, TimeUnit.SECONDS), String.join(" ", argv));
    assertEquals(0, p.exitValue(), String.join(" ", argv) + ": " + out);
  }
}
