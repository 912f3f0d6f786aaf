package io.drover.actors.agent;

import io.drover.actors.common.Durations;
import io.drover.actors.site.HealthCheck;
import io.drover.actors.site.SiteSpec;
import io.drover.actors.site.SiteSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * One instance on this host: a child of the {@link HostAgent} that owns at most one OS process at a
 * time. It fetches the release directory, runs the site's build there once per host and revision
 * ({@link Builds}), starts the process in its own process group, gates it on its readiness check,
 * watches liveness, restarts it with {@link Backoff} after a crash or failed health, and on {@link
 * Stop} terminates the group (SIGTERM, grace, SIGKILL) and stops itself once the process has
 * exited. Every change of its {@link InstanceStatus} goes to the agent.
 *
 * <pre>
 *   FETCHING --release dir--> BUILDING (a build not yet done on this host) --built--> STARTING
 *                                  \__build failed or timed out: BACKOFF, then builds again
 *
 *                    STARTING --ready--> READY --N failed checks--> UNHEALTHY --exit--> BACKOFF
 *                       |  \__start timeout: SIGKILL group, exit__________________/ |
 *                       |___________________exit (crash)__________________________/  |
 *                    ^__________________________ restart delay _____________________/
 *   Stop from any state: STOPPING (SIGTERM, grace, SIGKILL) --exit--> actor stops
 * </pre>
 */
final class InstanceRunner extends AbstractBehavior<InstanceRunner.Command> {

  private static final int TAIL_LINES = 5;
  private static final int TAIL_CHARS = 500;

  sealed interface Command {}

  /** Terminate the process group and stop; the agent then forgets the instance. */
  enum Stop implements Command {
    INSTANCE
  }

  /**
   * The release directory is there (or not, then {@code error}).
   *
   * @param built the site has no build, or its marker says it already succeeded on this host
   */
  private record ReleaseResolved(Path dir, boolean built, Throwable error) implements Command {}

  private record BuildDone(Builds.Result result, Throwable error) implements Command {}

  /** Where the fetch of the release stands, e.g. "fetching revision … from host:port". */
  private record FetchProgress(String message) implements Command {}

  private record Exited(long generation, int code) implements Command {}

  private record CheckNow(long generation) implements Command {}

  private record CheckDone(long generation, String failure) implements Command {}

  private record StartTimedOut(long generation) implements Command {}

  private record RestartNow() implements Command {}

  private record KillNow(long generation) implements Command {}

  /** The agent's answer to {@link NeedsPort}: run on {@code port} from the next start on. */
  record UsePort(int port) implements Command {}

  /** What a runner tells its agent. */
  sealed interface Event {}

  /**
   * The instance changed.
   *
   * @param status how it is now
   * @param startInstant the OS start instant of {@code status.pid()}, null when pid is 0
   */
  record Changed(InstanceStatus status, String startInstant) implements Event {}

  /**
   * The instance cannot run on {@code port} (another process listens there); the agent answers with
   * {@link UsePort}, and the runner restarts only then.
   */
  record NeedsPort(String instanceId, int port, String reason) implements Event {}

  /** Everything a runner needs; fixed for its life but {@code port}, its first port. */
  record Params(
      AgentSettings settings,
      String agentId,
      String instanceId,
      String site,
      long epoch,
      SiteSpec spec,
      int port,
      Path logFile,
      ReleaseDirs releases,
      Builds builds) {}

  private static final Object CHECK_KEY = "check";
  private static final Object START_TIMEOUT_KEY = "start-timeout";
  private static final Object RESTART_KEY = "restart";
  private static final Object KILL_KEY = "kill";

  static Behavior<Command> create(Params params, ActorRef<Event> agent) {
    return Behaviors.setup(
        ctx -> Behaviors.withTimers(timers -> new InstanceRunner(ctx, timers, params, agent)));
  }

  private final TimerScheduler<Command> timers;
  private final Params p;
  private final SiteSpec spec;
  private final ActorRef<Event> agent;
  private final Executor blocking;
  private Map<String, String> env;

  /** Who its processes run as ({@link Sandbox}); null while {@link #refusal} says why not. */
  private Sandbox.Launch launchAs;

  private String refusal;

  private final String who;
  private final Duration interval;
  private final Duration checkTimeout;
  private final Duration startTimeout;
  private final int failuresAllowed;

  private Backoff backoff;
  private ReadinessSchedule readiness;
  private Path releaseDir;
  private long generation;
  private Process process;
  private long pid;
  private String startInstant;
  private long startedAtMillis;
  private long readySinceMillis;
  private boolean terminating;
  private boolean removing;
  private String restartReason;
  private String lastCheckFailure;
  private int failedChecks;

  /** The instance's {@code PORT}; the agent changes it when another process holds it. */
  private int port;

  /** The last check's failure when it said another process holds {@link #port}, else null. */
  private String portFailure;

  /** A new port was asked of the agent and has not come yet: do not start before it does. */
  private boolean awaitingPort;

  private boolean restartWhenPort;

  /** The site has no build, or it succeeded on this host for this revision. */
  private boolean built;

  /** The build this instance waits for, or null. */
  private Builds.Wait buildWait;

  private InstanceState state = InstanceState.FETCHING;
  private int restarts;
  private Integer lastExit;
  private String message;
  private long sinceMillis = System.currentTimeMillis();

  private InstanceRunner(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      Params params,
      ActorRef<Event> agent) {
    super(ctx);
    this.timers = timers;
    this.p = params;
    this.spec = SiteSpecs.withDefaults(params.spec());
    this.agent = agent;
    this.port = params.port();
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    this.who =
        "site " + p.site() + " instance " + p.instanceId() + " on host " + p.settings().host();
    HealthCheck h = spec.health();
    this.interval = Durations.of(h.interval());
    this.checkTimeout = Durations.of(h.timeout());
    this.startTimeout = Durations.of(h.startTimeout());
    this.failuresAllowed = Math.max(1, h.failures());
    this.backoff =
        Backoff.of(
            Durations.of(spec.restart().initialBackoff()),
            Durations.of(spec.restart().maxBackoff()),
            Durations.of(spec.restart().resetAfter()));
    planSandbox();
    this.built = spec.build() == null;
    enter(InstanceState.FETCHING, "fetching release " + spec.revision());
    resolveRelease();
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessageEquals(Stop.INSTANCE, this::onStop)
        .onMessage(ReleaseResolved.class, this::onReleaseResolved)
        .onMessage(BuildDone.class, this::onBuildDone)
        .onMessage(FetchProgress.class, this::onFetchProgress)
        .onMessage(Exited.class, this::onExited)
        .onMessage(CheckNow.class, this::onCheckNow)
        .onMessage(CheckDone.class, this::onCheckDone)
        .onMessage(StartTimedOut.class, this::onStartTimedOut)
        .onMessage(RestartNow.class, m -> onRestartNow())
        .onMessage(KillNow.class, this::onKillNow)
        .onMessage(UsePort.class, this::onUsePort)
        .build();
  }

  private void resolveRelease() {
    ActorRef<Command> self = getContext().getSelf();
    CompletionStage<Path> dir =
        p.releases().resolve(spec.revision(), m -> self.tell(new FetchProgress(m)), blocking);
    List<String> build = spec.build();
    Sandbox.Launch as = launchAs;
    getContext()
        .pipeToSelf(
            dir.thenApplyAsync(
                d -> {
                  SandboxHost.prepare(d, as, p.settings().dataDir(), who);
                  return new ReleaseResolved(
                      d, build == null || Builds.isBuilt(d, spec.revision(), build), null);
                },
                blocking),
            (r, err) -> err == null ? r : new ReleaseResolved(null, false, err));
  }

  /**
   * Plans who the processes run as and builds their environment (the node's base, the site's env
   * and secretEnv, the agent's variables); on a refusal (the user is missing here) {@link
   * #launchAs} stays null and every start fails with the reason until the user exists.
   */
  private void planSandbox() {
    try {
      launchAs = SandboxHost.plan(spec.user(), p.settings().sandbox());
      refusal = null;
    } catch (Sandbox.Refused r) {
      launchAs = null;
      refusal = r.getMessage();
    }
    Map<String, String> e = new HashMap<>();
    e.put("PORT", Integer.toString(port));
    e.put("DROVER_SITE", p.site());
    e.put("DROVER_INSTANCE", p.instanceId());
    e.put("DROVER_REVISION", spec.revision());
    e.put(OrphanReaper.AGENT_ID_ENV, p.agentId());
    Sandbox.Launch l = launchAs == null ? Sandbox.Launch.AS_NODE : launchAs;
    this.env = InstanceEnv.of(l.base(System.getenv()), spec.processEnv(), e);
  }

  /** True when the processes may start: the sandbox is planned and the release is theirs. */
  private boolean sandboxReady() {
    if (launchAs == null) {
      planSandbox();
      if (launchAs == null) {
        return false;
      }
      if (releaseDir != null) {
        SandboxHost.prepare(releaseDir, launchAs, p.settings().dataDir(), who);
      }
    }
    return true;
  }

  private Behavior<Command> onFetchProgress(FetchProgress f) {
    if (!removing && process == null && releaseDir == null && state == InstanceState.FETCHING) {
      enter(InstanceState.FETCHING, f.message());
    }
    return this;
  }

  private Behavior<Command> onReleaseResolved(ReleaseResolved r) {
    if (removing) {
      return Behaviors.stopped();
    }
    if (r.error() != null) {
      Throwable cause = r.error().getCause() != null ? r.error().getCause() : r.error();
      return toBackoff("release " + spec.revision() + " unavailable: " + cause.getMessage(), false);
    }
    releaseDir = r.dir();
    built |= r.built();
    return built ? launch() : build();
  }

  /** Runs the site's build (or joins its run) before the first start on this host. */
  private Behavior<Command> build() {
    if (!sandboxReady()) {
      return toBackoff(refusal, false);
    }
    buildWait = p.builds().ensure(Builds.request(p, spec, releaseDir, launchAs));
    String by = buildWait.startedBy();
    String joined = by.equals(p.instanceId()) ? "" : " (run started by instance " + by + ")";
    getContext()
        .getLog()
        .info("{}: running build {} of revision {}{}", who, spec.build(), spec.revision(), joined);
    enter(InstanceState.BUILDING, "running build " + String.join(" ", spec.build()) + joined);
    getContext().pipeToSelf(buildWait.result(), BuildDone::new);
    return this;
  }

  private Behavior<Command> onBuildDone(BuildDone b) {
    buildWait = null;
    Builds.Result r = b.error() != null ? Builds.Result.lost(b.error()) : b.result();
    if (r.ok()) {
      built = true;
      if (!r.cached()) {
        getContext().getLog().info("{}: build succeeded in {} ms", who, r.millis());
      }
      return launch();
    }
    lastExit = r.exitCode();
    return toBackoff(r.failure(p.builds().timeout()), false);
  }

  private Behavior<Command> launch() {
    generation++;
    terminating = false;
    restartReason = null;
    lastCheckFailure = null;
    failedChecks = 0;
    portFailure = null;
    readySinceMillis = 0;
    if (!sandboxReady()) {
      return toBackoff(refusal, false);
    }
    List<String> argv = new ArrayList<>(launchAs.prefix());
    argv.add("setsid");
    argv.addAll(spec.command());
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(releaseDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(p.logFile().toFile()));
    InstanceEnv.apply(pb, env);
    try {
      Files.createDirectories(p.logFile().getParent());
      process = pb.start();
    } catch (IOException | RuntimeException e) {
      process = null;
      return toBackoff("could not start " + spec.command() + ": " + e.getMessage(), false);
    }
    pid = process.pid();
    long g = generation;
    getContext()
        .pipeToSelf(
            process.onExit(), (proc, err) -> new Exited(g, proc == null ? -1 : proc.exitValue()));
    try {
      startInstant = process.info().startInstant().map(Object::toString).orElse(null);
      startedAtMillis = System.currentTimeMillis();
      superviseStarted(g);
    } catch (RuntimeException e) {
      // The pid is known and its exit is watched: kill the group, and Exited moves to backoff.
      restartReason = "could not supervise pid " + pid + ": " + e.getMessage();
      getContext().getLog().error("{}: {}; killing process group {}", who, restartReason, pid, e);
      terminating = true;
      timers.cancel(CHECK_KEY);
      timers.cancel(START_TIMEOUT_KEY);
      ProcessGroups.kill(pid);
    }
    return this;
  }

  /** After the start: announce the pid first (the ledger records it), then the timers. */
  private void superviseStarted(long g) {
    enter(InstanceState.STARTING, null);
    getContext()
        .getLog()
        .info(
            "{}: started pid {} port {} revision {} command {}",
            who,
            pid,
            port,
            spec.revision(),
            spec.command());
    timers.startSingleTimer(START_TIMEOUT_KEY, new StartTimedOut(g), startTimeout);
    readiness = ReadinessSchedule.upTo(interval);
    timers.startSingleTimer(CHECK_KEY, new CheckNow(g), readiness.delay());
  }

  private Behavior<Command> onCheckNow(CheckNow c) {
    if (c.generation() != generation
        || process == null
        || terminating
        || (state != InstanceState.STARTING && state != InstanceState.READY)) {
      return this;
    }
    long g = generation;
    getContext()
        .pipeToSelf(
            HealthProbe.check(
                spec.health(), port, pid, releaseDir, env, launchAs, checkTimeout, blocking),
            (failure, err) ->
                new CheckDone(g, err == null ? failure : "check failed: " + err.getMessage()));
    return this;
  }

  private Behavior<Command> onCheckDone(CheckDone c) {
    if (c.generation() != generation || process == null || terminating) {
      return this;
    }
    portFailure = SocketOwners.isNotOurs(c.failure()) ? c.failure() : null;
    if (portFailure != null && state == InstanceState.STARTING) {
      // It can never be ready on a port another process holds: start again on a new one.
      restartReason = "not ready: " + c.failure();
      getContext().getLog().warn("{}: {}; killing process group {}", who, restartReason, pid);
      terminating = true;
      timers.cancel(CHECK_KEY);
      timers.cancel(START_TIMEOUT_KEY);
      ProcessGroups.kill(pid);
      return this;
    }
    if (state == InstanceState.STARTING) {
      if (c.failure() == null) {
        timers.cancel(START_TIMEOUT_KEY);
        readySinceMillis = System.currentTimeMillis();
        getContext()
            .getLog()
            .info("{}: ready after {} ms (pid {})", who, readySinceMillis - startedAtMillis, pid);
        enter(InstanceState.READY, null);
        timers.startSingleTimer(CHECK_KEY, new CheckNow(generation), interval);
      } else {
        lastCheckFailure = c.failure();
        readiness = readiness.next();
        timers.startSingleTimer(CHECK_KEY, new CheckNow(generation), readiness.delay());
      }
    } else if (state == InstanceState.READY) {
      if (c.failure() == null) {
        failedChecks = 0;
      } else {
        failedChecks++;
        getContext()
            .getLog()
            .info(
                "{}: health check failed ({}/{}): {}",
                who,
                failedChecks,
                failuresAllowed,
                c.failure());
        if (failedChecks >= failuresAllowed) {
          restartReason =
              "unhealthy: " + failedChecks + " failed checks in a row, last: " + c.failure();
          getContext()
              .getLog()
              .warn("{}: {}; stopping pid {} to restart it", who, restartReason, pid);
          enter(InstanceState.UNHEALTHY, restartReason);
          terminate();
          return this;
        }
      }
      timers.startSingleTimer(CHECK_KEY, new CheckNow(generation), interval);
    }
    return this;
  }

  private Behavior<Command> onStartTimedOut(StartTimedOut t) {
    if (t.generation() != generation
        || process == null
        || terminating
        || state != InstanceState.STARTING) {
      return this;
    }
    restartReason =
        "not ready within "
            + Durations.format(startTimeout)
            + (lastCheckFailure == null ? "" : " (last check: " + lastCheckFailure + ")");
    getContext().getLog().warn("{}: {}; killing process group {}", who, restartReason, pid);
    terminating = true;
    timers.cancel(CHECK_KEY);
    ProcessGroups.kill(pid);
    return this;
  }

  private Behavior<Command> onStop() {
    if (removing) {
      return this;
    }
    removing = true;
    timers.cancel(RESTART_KEY);
    if (process == null) {
      if (buildWait != null) {
        buildWait.leave();
      }
      getContext().getLog().info("{}: removed (no process was running)", who);
      enter(InstanceState.STOPPING, "removed");
      return Behaviors.stopped();
    }
    getContext().getLog().info("{}: stopping pid {} (SIGTERM to its process group)", who, pid);
    enter(InstanceState.STOPPING, "stop requested");
    if (!terminating) {
      terminate();
    }
    return this;
  }

  /** SIGTERM to the group now, SIGKILL after the stop grace unless it exited. */
  private void terminate() {
    terminating = true;
    timers.cancel(CHECK_KEY);
    timers.cancel(START_TIMEOUT_KEY);
    ProcessGroups.term(pid);
    timers.startSingleTimer(KILL_KEY, new KillNow(generation), p.settings().stopGrace());
  }

  private Behavior<Command> onKillNow(KillNow k) {
    if (k.generation() == generation && process != null) {
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
    if (e.generation() != generation || process == null) {
      return this;
    }
    long oldPid = pid;
    process = null;
    pid = 0;
    startInstant = null;
    lastExit = e.code();
    timers.cancel(CHECK_KEY);
    timers.cancel(START_TIMEOUT_KEY);
    timers.cancel(KILL_KEY);
    // The leader is gone; anything it left in its group (background children) goes with it.
    if (removing) {
      ProcessGroups.kill(oldPid);
      getContext().getLog().info("{}: stopped (pid {} exited with code {})", who, oldPid, e.code());
      enter(InstanceState.STOPPING, "stopped");
      return Behaviors.stopped();
    }
    String taken =
        portFailure != null ? portFailure : SocketOwners.SYSTEM.takenAfterExit(port, oldPid);
    if (taken != null) {
      awaitingPort = true;
      agent.tell(new NeedsPort(p.instanceId(), port, taken));
    }
    // Off the actor thread, alongside the restart: forking kill(1) takes 2-10 ms, and the new
    // process (in a group of its own) needs longer than that before it binds its port.
    CompletableFuture.runAsync(() -> ProcessGroups.kill(oldPid), blocking);
    String reason =
        restartReason != null
            ? restartReason + "; pid " + oldPid + " exited with code " + e.code()
            : "pid " + oldPid + " exited with code " + e.code();
    return toBackoff(reason, true);
  }

  private Behavior<Command> toBackoff(String reason, boolean exited) {
    Duration readyFor =
        readySinceMillis == 0
            ? Duration.ZERO
            : Duration.ofMillis(System.currentTimeMillis() - readySinceMillis);
    readySinceMillis = 0;
    backoff = backoff.afterFailure(readyFor);
    Duration delay = backoff.delay();
    restarts++;
    String tail = exited ? LogFiles.shortTail(p.logFile(), TAIL_LINES, TAIL_CHARS) : "";
    String text = tail.isEmpty() ? reason : reason + "; log tail:\n" + tail;
    getContext()
        .getLog()
        .warn(
            "{}: {}; restart {} in {}; log tail: {}",
            who,
            reason.replace("\n", " | "),
            restarts,
            Durations.format(delay),
            tail.isEmpty() ? "(empty)" : tail.replace("\n", " | "));
    enter(InstanceState.BACKOFF, text);
    if (delay.isZero()) {
      // the first failure after a stable run: restart now, not a scheduler tick later
      getContext().getSelf().tell(new RestartNow());
    } else {
      timers.startSingleTimer(RESTART_KEY, new RestartNow(), delay);
    }
    return this;
  }

  private Behavior<Command> onRestartNow() {
    if (removing || process != null) {
      return this;
    }
    if (awaitingPort) {
      restartWhenPort = true;
      return this;
    }
    getContext().getLog().info("{}: restarting (restart {})", who, restarts);
    if (releaseDir == null) {
      enter(InstanceState.FETCHING, "fetching release " + spec.revision());
      resolveRelease();
      return this;
    }
    return built ? launch() : build();
  }

  private Behavior<Command> onUsePort(UsePort u) {
    awaitingPort = false;
    if (u.port() != port) {
      port = u.port();
      Map<String, String> e = new HashMap<>(env);
      e.put("PORT", Integer.toString(port));
      env = Map.copyOf(e);
      agent.tell(new Changed(status(), startInstant));
    }
    if (restartWhenPort) {
      restartWhenPort = false;
      return onRestartNow();
    }
    return this;
  }

  private void enter(InstanceState newState, String newMessage) {
    state = newState;
    message = newMessage;
    sinceMillis = System.currentTimeMillis();
    agent.tell(new Changed(status(), startInstant));
  }

  private InstanceStatus status() {
    return new InstanceStatus(
        p.instanceId(),
        p.site(),
        p.settings().host(),
        pid,
        port,
        state,
        spec.revision(),
        p.epoch(),
        restarts,
        lastExit,
        message,
        sinceMillis);
  }
}
