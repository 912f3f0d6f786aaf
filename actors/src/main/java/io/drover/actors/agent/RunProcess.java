package io.drover.actors.agent;

import io.drover.actors.common.Durations;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * One cronjob run on this host: a child of {@link Runs} that owns the run's one OS process. It
 * resolves the release directory (no build step for runs), starts the command there through {@code
 * setsid} (its own process group) with the run's environment, appends its output to the run's log
 * file, and ends it: at its exit, at the order's timeout, or on {@link Stop}; the last two by
 * SIGTERM to the group, the agent's stop grace, then SIGKILL. It tells {@link Runs} once when the
 * process started and once when the run ended, then stops itself. The timeout also bounds the time
 * until the process starts (a release that never arrives).
 *
 * <pre>
 *   resolving release --dir--> RUNNING --exit--> Ended(SUCCEEDED | FAILED)
 *        |                       |__timeout or Stop: SIGTERM, grace, SIGKILL --exit--> Ended(FAILED)
 *        |__error, timeout or Stop: Ended(FAILED), no process
 * </pre>
 */
final class RunProcess extends AbstractBehavior<RunProcess.Command> {

  sealed interface Command {}

  /** End the run: terminate its process group; the run ends {@code FAILED} with {@code reason}. */
  record Stop(String reason) implements Command {}

  private record Resolved(Path dir, Throwable error) implements Command {}

  private record Exited(int code) implements Command {}

  private enum Timer implements Command {
    TIMEOUT,
    KILL
  }

  /** What a run tells {@link Runs}. */
  sealed interface Event {
    String runId();
  }

  /** Its process started. */
  record Started(String runId, long pid, String startInstant, long startedAt) implements Event {}

  /** It ended; the runner stops right after. */
  record Ended(String runId, RunState state, Integer exitCode, String reason, long endedAt)
      implements Event {}

  /**
   * Everything a run needs.
   *
   * @param timeout the parsed {@link RunOrder#timeout()}
   */
  record Params(
      AgentSettings settings,
      String agentId,
      RunOrder order,
      Duration timeout,
      Path logFile,
      ReleaseDirs releases) {}

  static Behavior<Command> create(Params params, ActorRef<Event> runs) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new RunProcess(ctx, timers, params, runs)));
  }

  private final TimerScheduler<Command> timers;
  private final Params p;
  private final RunOrder order;
  private final ActorRef<Event> runs;
  private final Executor blocking;
  private final String who;
  private Process process;
  private long pid;

  /** Who the run's process runs as; null when {@link #refusal} says why it cannot run here. */
  private final Sandbox.Launch launchAs;

  private final String refusal;

  /** Why the run is being ended by this agent (timeout, stop), or null while it may succeed. */
  private String endReason;

  private RunProcess(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Params params,
      ActorRef<Event> runs) {
    super(ctx);
    this.timers = timers;
    this.p = params;
    this.order = params.order();
    this.runs = runs;
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    this.who =
        "cronjob " + order.job() + " run " + order.runId() + " on host " + params.settings().host();
    timers.startSingleTimer(Timer.TIMEOUT, Timer.TIMEOUT, p.timeout());
    Sandbox.Launch planned;
    String refused;
    try {
      planned = SandboxHost.plan(order.user(), params.settings().sandbox());
      refused = null;
    } catch (Sandbox.Refused r) {
      planned = null;
      refused = r.getMessage();
    }
    this.launchAs = planned;
    this.refusal = refused;
    ctx.pipeToSelf(
        p.releases()
            .resolve(order.revision(), m -> {}, blocking)
            .thenApplyAsync(
                d -> {
                  SandboxHost.prepare(d, launchAs, p.settings().dataDir(), who);
                  return d;
                },
                blocking),
        (dir, err) -> new Resolved(dir, err));
  }

  /** The environment of a run as the node's user; see {@link #env(RunOrder, String, Map)}. */
  static Map<String, String> env(RunOrder order, String agentId) {
    return env(order, agentId, System.getenv());
  }

  /**
   * The environment of a run: the node's base ({@code node}, with the run's user's identity), the
   * job's env and secretEnv, then the agent's variables.
   */
  static Map<String, String> env(RunOrder order, String agentId, Map<String, String> node) {
    return InstanceEnv.of(
        node,
        order.processEnv(),
        Map.of(
            "DROVER_CRONJOB",
            order.job(),
            "DROVER_TICK",
            order.tick(),
            "DROVER_RUN",
            order.runId(),
            "DROVER_REVISION",
            order.revision(),
            OrphanReaper.AGENT_ID_ENV,
            agentId));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Resolved.class, this::onResolved)
        .onMessage(Exited.class, this::onExited)
        .onMessage(Stop.class, s -> end(s.reason()))
        .onMessageEquals(Timer.TIMEOUT, () -> end("timed out after " + timeoutText()))
        .onMessageEquals(Timer.KILL, this::onKill)
        .build();
  }

  private String timeoutText() {
    return Durations.format(p.timeout());
  }

  private Behavior<Command> onResolved(Resolved r) {
    if (r.error() != null) {
      Throwable cause = r.error().getCause() != null ? r.error().getCause() : r.error();
      return endedWithoutProcess(
          "release " + order.revision() + " unavailable: " + cause.getMessage());
    }
    if (launchAs == null) {
      return endedWithoutProcess(refusal);
    }
    List<String> argv = new ArrayList<>(launchAs.prefix());
    argv.add("setsid");
    argv.addAll(order.command());
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(r.dir().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(p.logFile().toFile()));
    InstanceEnv.apply(pb, env(order, p.agentId(), launchAs.base(System.getenv())));
    try {
      Files.createDirectories(p.logFile().getParent());
      process = pb.start();
    } catch (IOException | RuntimeException e) {
      process = null;
      return endedWithoutProcess("could not start " + order.command() + ": " + e.getMessage());
    }
    pid = process.pid();
    getContext()
        .pipeToSelf(
            process.onExit(), (proc, err) -> new Exited(proc == null ? -1 : proc.exitValue()));
    String startInstant = process.info().startInstant().map(Object::toString).orElse(null);
    long now = System.currentTimeMillis();
    runs.tell(new Started(order.runId(), pid, startInstant, now));
    getContext()
        .getLog()
        .info(
            "{}: started pid {} (tick {}, revision {}, command {}, timeout {})",
            who,
            pid,
            order.tick(),
            order.revision(),
            order.command(),
            timeoutText());
    timers.startSingleTimer(Timer.TIMEOUT, Timer.TIMEOUT, p.timeout());
    return this;
  }

  /** Timeout or stop: no process yet ends the run now; a process is terminated first. */
  private Behavior<Command> end(String reason) {
    if (endReason != null) {
      return this;
    }
    endReason = reason;
    timers.cancel(Timer.TIMEOUT);
    if (process == null) {
      return endedWithoutProcess(reason);
    }
    getContext()
        .getLog()
        .warn("{}: {}; SIGTERM to process group {}", who, reason.replace("\n", " | "), pid);
    ProcessGroups.term(pid);
    timers.startSingleTimer(Timer.KILL, Timer.KILL, p.settings().stopGrace());
    return this;
  }

  private Behavior<Command> onKill() {
    if (process != null) {
      getContext()
          .getLog()
          .warn(
              "{}: pid {} still running {} after SIGTERM; SIGKILL to its process group",
              who,
              pid,
              Durations.format(p.settings().stopGrace()));
      ProcessGroups.kill(pid);
    }
    return this;
  }

  private Behavior<Command> onExited(Exited e) {
    long oldPid = pid;
    process = null;
    pid = 0;
    timers.cancel(Timer.TIMEOUT);
    timers.cancel(Timer.KILL);
    // The leader is gone; whatever it left in its group goes with it.
    CompletableFuture.runAsync(() -> ProcessGroups.kill(oldPid), blocking);
    RunState state;
    String reason;
    if (endReason != null) {
      state = RunState.FAILED;
      reason = endReason;
    } else if (e.code() == 0) {
      state = RunState.SUCCEEDED;
      reason = null;
    } else {
      state = RunState.FAILED;
      reason = "exited with code " + e.code();
    }
    if (state == RunState.SUCCEEDED) {
      getContext().getLog().info("{}: pid {} exited with code 0: SUCCEEDED", who, oldPid);
    } else {
      String tail = LogFiles.shortTail(p.logFile(), 5, 500);
      getContext()
          .getLog()
          .warn(
              "{}: pid {} exited with code {}: FAILED ({}); log tail: {}",
              who,
              oldPid,
              e.code(),
              reason,
              tail.isEmpty() ? "(empty)" : tail.replace("\n", " | "));
    }
    runs.tell(
        new RunProcess.Ended(order.runId(), state, e.code(), reason, System.currentTimeMillis()));
    return Behaviors.stopped();
  }

  private Behavior<Command> endedWithoutProcess(String reason) {
    getContext().getLog().warn("{}: failed, no process started: {}", who, reason);
    runs.tell(new Ended(order.runId(), RunState.FAILED, null, reason, System.currentTimeMillis()));
    return Behaviors.stopped();
  }
}
