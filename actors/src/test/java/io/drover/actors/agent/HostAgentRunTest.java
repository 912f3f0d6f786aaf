package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.HostAgent.GetRunLogs;
import io.drover.actors.agent.HostAgent.GetRuns;
import io.drover.actors.agent.HostAgent.StartRun;
import io.drover.actors.agent.HostAgent.StopRun;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Cronjob runs on a real agent with real processes: {@code sh -c} scripts. */
class HostAgentRunTest {

  private static final Config CONFIG =
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load());
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String REVISION = "cd".repeat(32);
  private static final String JOB = "backup";
  private static final String TICK = "2026-12-01T03:00:00Z";

  @TempDir Path tmp;
  private Path dataDir;
  private Path releaseDir;
  private int portMin;
  private final List<ActorTestKit> kits = new ArrayList<>();

  @BeforeEach
  void setUp() throws IOException {
    dataDir = Files.createDirectories(tmp.resolve("data"));
    releaseDir = Files.createDirectories(tmp.resolve("release"));
    portMin = 20_000 + ThreadLocalRandom.current().nextInt(400) * 100;
  }

  @AfterEach
  void killEverything() throws IOException {
    for (ActorTestKit kit : kits) {
      kit.shutdownTestKit();
    }
    Path idFile = dataDir.resolve("agent").resolve("id");
    if (Files.exists(idFile)) {
      for (long pid : OrphanReaper.markedProcesses(Files.readString(idFile).strip()).keySet()) {
        ProcessGroups.killProcess(pid);
      }
    }
  }

  private ActorTestKit kit() {
    ActorTestKit kit = ActorTestKit.create("run-test", CONFIG);
    kits.add(kit);
    return kit;
  }

  private ActorRef<HostAgent.Command> agent(ActorTestKit kit) {
    AgentSettings settings =
        new AgentSettings(
            "host-a",
            "cron",
            Map.of(),
            dataDir,
            portMin,
            portMin + 9,
            Duration.ofSeconds(1),
            1_000_000,
            Duration.ofSeconds(1));
    return kit.spawn(
        HostAgent.create(
            settings,
            revision -> {
              if (!revision.equals(REVISION)) {
                throw new IOException("no revision " + revision + " in the store");
              }
              return releaseDir;
            }));
  }

  private static RunOrder order(String runId, String script, String timeout) {
    return new RunOrder(
        runId, JOB, TICK, REVISION, List.of("sh", "-c", script), Map.of("GREETING", "hi"), timeout);
  }

  /** Waits for a status of {@code runId} in {@code state}, ignoring the ones before it. */
  private static RunStatus await(TestProbe<RunStatus> probe, String runId, RunState state) {
    List<RunStatus> seen =
        probe.fishForMessage(
            DEADLINE,
            s ->
                s.runId().equals(runId) && s.state() == state
                    ? FishingOutcomes.complete()
                    : FishingOutcomes.continueAndIgnore());
    return seen.get(seen.size() - 1);
  }

  private static List<String> lines(Path file) throws IOException {
    return Files.exists(file) ? Files.readAllLines(file) : List.of();
  }

  private String pidFile(Path file) throws Exception {
    Waits.nonEmptyFile(file, DEADLINE);
    return Files.readString(file).strip();
  }

  @Test
  void aRunIdStartsAtMostOnce() throws Exception {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    Path marks = tmp.resolve("marks");
    RunOrder o = order("backup-1", "echo started >> '" + marks + "'", "1m");
    TestProbe<RunStatus> first = kit.createTestProbe();
    TestProbe<RunStatus> second = kit.createTestProbe();
    agent.tell(new StartRun(o, 1, first.getRef()));
    agent.tell(new StartRun(o, 1, second.getRef()));

    RunStatus accepted = first.receiveMessage(DEADLINE);
    assertEquals(RunState.STARTING, accepted.state());
    assertEquals("host-a", accepted.host());
    assertEquals(JOB, accepted.job());
    // the repeated dispatch is answered with the run's current state, not started again
    RunStatus again = second.receiveMessage(DEADLINE);
    assertTrue(again.state().isActive() || again.state() == RunState.SUCCEEDED, again.toString());
    // later updates go to whoever dispatched it last
    RunStatus ended = await(second, "backup-1", RunState.SUCCEEDED);
    assertEquals(0, ended.exitCode());
    assertNotNull(ended.startedAt());
    assertNotNull(ended.endedAt());

    TestProbe<RunStatus> third = kit.createTestProbe();
    agent.tell(new StartRun(o, 1, third.getRef()));
    RunStatus after = third.receiveMessage(DEADLINE);
    assertEquals(RunState.SUCCEEDED, after.state());
    assertEquals(ended.startedAt(), after.startedAt());
    assertEquals(List.of("started"), lines(marks));
  }

  @Test
  void aLowerFencingTokenIsRefusedAndStartsNothing() throws Exception {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<RunStatus> reports = kit.createTestProbe();
    TestProbe<RunStatuses> replies = kit.createTestProbe();
    agent.tell(new GetRuns(List.of(), 5, reports.getRef(), replies.getRef()));
    assertEquals(List.of(), replies.receiveMessage(DEADLINE).runs());

    Path marks = tmp.resolve("marks");
    RunOrder o = order("backup-2", "echo started >> '" + marks + "'", "1m");
    agent.tell(new StartRun(o, 4, reports.getRef()));
    RunStatus refused = reports.receiveMessage(DEADLINE);
    assertEquals(RunState.REFUSED, refused.state());
    assertTrue(
        refused
            .reason()
            .startsWith("dispatch from scheduler fencing token 4, this agent has seen 5"),
        refused.reason());
    assertEquals(5, refused.fence());

    // a query of the old scheduler is refused too
    agent.tell(new GetRuns(List.of("backup-2"), 4, reports.getRef(), replies.getRef()));
    assertEquals(RunState.REFUSED, replies.receiveMessage(DEADLINE).runs().get(0).state());

    // the equal token is fine, and the refused id was not remembered
    agent.tell(new StartRun(o, 5, reports.getRef()));
    assertEquals(RunState.STARTING, reports.receiveMessage(DEADLINE).state());
    await(reports, "backup-2", RunState.SUCCEEDED);
    assertEquals(List.of("started"), lines(marks));

    // a StartRun raises the token as well
    agent.tell(new StartRun(order("backup-3", "true", "1m"), 7, reports.getRef()));
    await(reports, "backup-3", RunState.SUCCEEDED);
    agent.tell(
        new StartRun(order("backup-4", "echo no >> '" + marks + "'", "1m"), 6, reports.getRef()));
    RunStatus refusedAgain = reports.receiveMessage(DEADLINE);
    assertEquals(RunState.REFUSED, refusedAgain.state());
    assertEquals(7, refusedAgain.fence());
    // the refused run id was not remembered
    agent.tell(new GetRuns(List.of("backup-4"), 7, reports.getRef(), replies.getRef()));
    assertEquals(RunState.UNKNOWN, replies.receiveMessage(DEADLINE).runs().get(0).state());
    assertEquals(List.of("started"), lines(marks));
  }

  @Test
  void environmentExitCodesAndLogs() throws Exception {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<RunStatus> reports = kit.createTestProbe();
    String script =
        "echo \"job=$DROVER_CRONJOB tick=$DROVER_TICK run=$DROVER_RUN rev=$DROVER_REVISION"
            + " greeting=$GREETING port=${PORT:-none} dir=$(pwd)\"; env | cut -d= -f1 | sort;"
            + " echo to-stderr >&2; exit 3";
    agent.tell(new StartRun(order("backup-5", script, "1m"), 1, reports.getRef()));
    RunStatus running = await(reports, "backup-5", RunState.RUNNING);
    assertNotNull(running.startedAt());
    RunStatus failed = await(reports, "backup-5", RunState.FAILED);
    assertEquals(3, failed.exitCode());
    assertEquals("exited with code 3", failed.reason());

    TestProbe<StatusReply<String>> logs = kit.createTestProbe();
    agent.tell(new GetRunLogs("backup-5", 1000, logs.getRef()));
    String text = logs.receiveMessage(DEADLINE).getValue();
    assertTrue(
        text.contains(
            "job=backup tick="
                + TICK
                + " run=backup-5 rev="
                + REVISION
                + " greeting=hi port=none dir="
                + releaseDir.toRealPath()),
        text);
    assertTrue(text.contains("to-stderr"), text);
    Set<String> allowed = new HashSet<>(InstanceEnv.BASE);
    allowed.addAll(
        List.of(
            "GREETING",
            "DROVER_CRONJOB",
            "DROVER_TICK",
            "DROVER_RUN",
            "DROVER_REVISION",
            OrphanReaper.AGENT_ID_ENV,
            // set by the shell itself
            "PWD",
            "OLDPWD",
            "SHLVL",
            "_"));
    List<String> names = text.lines().filter(l -> l.matches("[A-Za-z_][A-Za-z0-9_]*")).toList();
    assertTrue(names.contains("DROVER_RUN"), text);
    for (String name : names) {
      assertTrue(allowed.contains(name), "the node's " + name + " reached the run: " + text);
    }
    assertTrue(
        Files.exists(dataDir.resolve("cron-logs/backup/backup-5.log")), "log file where expected");

    agent.tell(new GetRunLogs("backup-5", 1, logs.getRef()));
    assertEquals("to-stderr", logs.receiveMessage(DEADLINE).getValue());
    agent.tell(new GetRunLogs("nope", 10, logs.getRef()));
    assertTrue(logs.receiveMessage(DEADLINE).isError());

    agent.tell(new StartRun(order("backup-6", "exit 0", "1m"), 1, reports.getRef()));
    RunStatus ok = await(reports, "backup-6", RunState.SUCCEEDED);
    assertEquals(0, ok.exitCode());
    assertNull(ok.reason());
  }

  @Test
  void aMissingReleaseFailsTheRunWithoutAProcess() {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<RunStatus> reports = kit.createTestProbe();
    RunOrder o =
        new RunOrder("backup-7", JOB, TICK, "ef".repeat(32), List.of("true"), Map.of(), "1m");
    agent.tell(new StartRun(o, 1, reports.getRef()));
    RunStatus failed = await(reports, "backup-7", RunState.FAILED);
    assertTrue(
        failed.reason().startsWith("release " + "ef".repeat(32) + " unavailable: "),
        failed.reason());
    assertNull(failed.exitCode());
    assertNull(failed.startedAt());
  }

  @Test
  void aMalformedOrderFailsWithoutAProcessAndStaysKnown() {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<RunStatus> reports = kit.createTestProbe();
    agent.tell(new StartRun(order("backup-20", "true", "ten minutes"), 1, reports.getRef()));
    RunStatus failed = reports.receiveMessage(DEADLINE);
    assertEquals(RunState.FAILED, failed.state());
    assertEquals(
        "invalid run order: timeout 'ten minutes' is not a positive duration", failed.reason());
    agent.tell(new StartRun(order("backup-20", "true", "1m"), 1, reports.getRef()));
    assertEquals(RunState.FAILED, reports.receiveMessage(DEADLINE).state());
  }

  @Test
  void theTimeoutKillsTheWholeProcessGroup() throws Exception {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<RunStatus> reports = kit.createTestProbe();
    Path child = tmp.resolve("child.pid");
    agent.tell(
        new StartRun(
            order("backup-8", "sleep 300 & echo $! > '" + child + "'; wait", "1s"),
            1,
            reports.getRef()));
    long childPid = Long.parseLong(pidFile(child));
    assertTrue(ProcessGroups.isRunning(childPid));
    RunStatus failed = await(reports, "backup-8", RunState.FAILED);
    assertEquals("timed out after 1s", failed.reason());
    assertNotNull(failed.exitCode());
    Waits.exited(childPid, DEADLINE);
  }

  @Test
  void stopRunEscalatesToSigkillAndFailsWithTheReason() throws Exception {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<RunStatus> reports = kit.createTestProbe();
    Path child = tmp.resolve("child.pid");
    // ignores SIGTERM (and so does its child): only the SIGKILL after the grace ends it
    agent.tell(
        new StartRun(
            order("backup-9", "trap '' TERM; sleep 300 & echo $! > '" + child + "'; wait", "1h"),
            2,
            reports.getRef()));
    long childPid = Long.parseLong(pidFile(child));
    await(reports, "backup-9", RunState.RUNNING);
    agent.tell(new StopRun("backup-9", 1, "old scheduler"));
    agent.tell(new StopRun("backup-9", 2, "replaced by run backup-10"));
    RunStatus failed = await(reports, "backup-9", RunState.FAILED);
    assertEquals("replaced by run backup-10", failed.reason());
    Waits.exited(childPid, DEADLINE);
  }

  @Test
  void getRunsAnswersUnknownAndRepointsUpdates() throws Exception {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<RunStatus> oldScheduler = kit.createTestProbe();
    Path gate = tmp.resolve("gate");
    agent.tell(
        new StartRun(
            order("backup-11", "while [ ! -f '" + gate + "' ]; do sleep 0.05; done", "1m"),
            1,
            oldScheduler.getRef()));
    await(oldScheduler, "backup-11", RunState.RUNNING);

    TestProbe<RunStatus> newScheduler = kit.createTestProbe();
    TestProbe<RunStatuses> replies = kit.createTestProbe();
    agent.tell(
        new GetRuns(List.of("backup-11", "never"), 2, newScheduler.getRef(), replies.getRef()));
    List<RunStatus> runs = replies.receiveMessage(DEADLINE).runs();
    assertEquals(RunState.RUNNING, runs.get(0).state());
    assertEquals(2, runs.get(0).fence());
    assertEquals(RunState.UNKNOWN, runs.get(1).state());
    assertEquals("never", runs.get(1).runId());
    assertNotNull(runs.get(1).reason());

    Files.writeString(gate, "go");
    assertEquals(0, await(newScheduler, "backup-11", RunState.SUCCEEDED).exitCode());
    oldScheduler.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aRunSurvivesARestartOfTheAgentAfterAFailure() throws Exception {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<RunStatus> reports = kit.createTestProbe();
    Path gate = tmp.resolve("gate");
    agent.tell(
        new StartRun(
            order("backup-18", "while [ ! -f '" + gate + "' ]; do sleep 0.05; done", "1m"),
            3,
            reports.getRef()));
    await(reports, "backup-18", RunState.RUNNING);

    // a malformed assignment (no spec) makes the agent throw; supervision restarts it
    TestProbe<HostAgent.SiteReport> sites = kit.createTestProbe();
    agent.tell(
        new HostAgent.Assign(
            "broken", List.of(new HostAgent.Assignment("broken-1", 1, null)), sites.getRef()));

    TestProbe<RunStatuses> replies = kit.createTestProbe();
    agent.tell(new GetRuns(List.of("backup-18"), 3, reports.getRef(), replies.getRef()));
    assertEquals(RunState.RUNNING, replies.receiveMessage(DEADLINE).runs().get(0).state());
    Files.writeString(gate, "go");
    await(reports, "backup-18", RunState.SUCCEEDED);
    agent.tell(new StartRun(order("backup-19", "true", "1m"), 2, reports.getRef()));
    assertEquals(RunState.REFUSED, reports.receiveMessage(DEADLINE).state());
  }

  @Test
  void aRestartWithTheSameDataDirMakesRunningRunsLostAndKeepsTheFence() throws Exception {
    ActorTestKit first = kit();
    ActorRef<HostAgent.Command> agent = agent(first);
    TestProbe<RunStatus> reports = first.createTestProbe();
    Path marks = tmp.resolve("marks");
    Path child = tmp.resolve("child.pid");
    RunOrder o =
        order(
            "backup-12",
            "echo started >> '" + marks + "'; sleep 300 & echo $! > '" + child + "'; wait",
            "1h");
    agent.tell(new StartRun(o, 5, reports.getRef()));
    await(reports, "backup-12", RunState.RUNNING);
    long childPid = Long.parseLong(pidFile(child));
    agent.tell(new StartRun(order("backup-13", "true", "1m"), 5, reports.getRef()));
    await(reports, "backup-13", RunState.SUCCEEDED);

    // crash: the actor system goes away without StopAll, the process keeps running
    first.shutdownTestKit();
    assertTrue(ProcessGroups.isRunning(childPid));

    ActorTestKit second = kit();
    ActorRef<HostAgent.Command> next = agent(second);
    TestProbe<RunStatus> again = second.createTestProbe();
    TestProbe<RunStatuses> replies = second.createTestProbe();
    next.tell(new GetRuns(List.of("backup-12", "backup-13"), 5, again.getRef(), replies.getRef()));
    List<RunStatus> runs = replies.receiveMessage(DEADLINE).runs();
    assertEquals(RunState.LOST, runs.get(0).state());
    assertEquals("the node stopped while the run was running", runs.get(0).reason());
    assertEquals(RunState.SUCCEEDED, runs.get(1).state());
    // what the old incarnation left running is killed
    Waits.exited(childPid, DEADLINE);

    next.tell(new StartRun(o, 5, again.getRef()));
    assertEquals(RunState.LOST, again.receiveMessage(DEADLINE).state());
    next.tell(new StartRun(order("backup-14", "true", "1m"), 4, again.getRef()));
    RunStatus refused = again.receiveMessage(DEADLINE);
    assertEquals(RunState.REFUSED, refused.state());
    assertEquals(5, refused.fence());
    assertEquals(List.of("started"), lines(marks));
  }

  @Test
  void anUnreadableRunsFileStartsNoOldTickAndKeepsTheFence() throws Exception {
    Path agentDir = Files.createDirectories(dataDir.resolve("agent"));
    Files.writeString(agentDir.resolve("fence"), "3\n");
    Files.writeString(agentDir.resolve("runs.json"), "{ torn");
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<RunStatus> reports = kit.createTestProbe();
    Path marks = tmp.resolve("marks");

    // a tick from before the loss may have run here already: not started, answered LOST
    agent.tell(
        new StartRun(order("backup-21", "echo old >> '" + marks + "'", "1m"), 3, reports.getRef()));
    RunStatus lost = reports.receiveMessage(DEADLINE);
    assertEquals(RunState.LOST, lost.state());
    assertTrue(lost.reason().contains("lost its run records"), lost.reason());

    agent.tell(new StartRun(order("backup-22", "true", "1m"), 2, reports.getRef()));
    assertEquals(RunState.REFUSED, reports.receiveMessage(DEADLINE).state());

    String later = Instant.now().plusSeconds(60).toString();
    RunOrder fresh =
        new RunOrder(
            "backup-23",
            JOB,
            later,
            REVISION,
            List.of("sh", "-c", "echo new >> '" + marks + "'"),
            Map.of(),
            "1m");
    agent.tell(new StartRun(fresh, 3, reports.getRef()));
    await(reports, "backup-23", RunState.SUCCEEDED);
    assertEquals(List.of("new"), lines(marks));
    assertTrue(Files.exists(agentDir.resolve("runs.json.unreadable")));
  }

  @Test
  void stopAllEndsRunningRunsAndAnswersOnceTheyAreGone() throws Exception {
    ActorTestKit kit = kit();
    ActorRef<HostAgent.Command> agent = agent(kit);
    TestProbe<RunStatus> reports = kit.createTestProbe();
    Path child = tmp.resolve("child.pid");
    agent.tell(
        new StartRun(
            order("backup-15", "trap '' TERM; sleep 300 & echo $! > '" + child + "'; wait", "1h"),
            1,
            reports.getRef()));
    long childPid = Long.parseLong(pidFile(child));
    await(reports, "backup-15", RunState.RUNNING);

    TestProbe<Done> done = kit.createTestProbe();
    agent.tell(new HostAgent.StopAll(done.getRef()));
    RunStatus failed = await(reports, "backup-15", RunState.FAILED);
    assertEquals("node stopping", failed.reason());
    done.expectMessage(DEADLINE, Done.getInstance());
    assertFalse(ProcessGroups.isRunning(childPid));

    agent.tell(new StartRun(order("backup-16", "true", "1m"), 1, reports.getRef()));
    assertEquals(RunState.REFUSED, reports.receiveMessage(DEADLINE).state());
  }

  @Test
  void messagesSerialize() {
    ActorTestKit kit = kit();
    TestProbe<RunStatus> reports = kit.createTestProbe();
    TestProbe<RunStatuses> replies = kit.createTestProbe();
    TestProbe<StatusReply<String>> logs = kit.createTestProbe();
    RunOrder o = order("backup-17", "true", "10m");
    kit.serializationTestKit().verifySerialization(new StartRun(o, 3, reports.getRef()), true);
    kit.serializationTestKit()
        .verifySerialization(
            new GetRuns(List.of("a"), 3, reports.getRef(), replies.getRef()), true);
    kit.serializationTestKit().verifySerialization(new StopRun("a", 3, "replaced"), true);
    kit.serializationTestKit().verifySerialization(new GetRunLogs("a", 10, logs.getRef()), true);
    kit.serializationTestKit()
        .verifySerialization(
            new RunStatuses(
                List.of(
                    new RunStatus("a", JOB, "host-a", RunState.FAILED, 3, 1L, 2L, "exited", 3))),
            true);
  }
}
