package io.drover.actors.agent;

import io.drover.actors.common.Durations;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;

/**
 * The cronjob runs of one host: a child of the {@link HostAgent}, which forwards it the run
 * commands ({@link HostAgent.StartRun}, {@link HostAgent.GetRuns}, {@link HostAgent.StopRun},
 * {@link HostAgent.GetRunLogs}). It keeps the highest fencing token it has seen and a record of
 * every run (the newest {@link RunRules#MAX_RECORDS}) in a {@link RunBook}, writes a run's record
 * before it starts its process, and owns one {@link RunProcess} child per run under way. So a run
 * id starts at most once on this host, across restarts of the agent and of the node, and a
 * scheduler older than one the agent has heard from can start nothing.
 *
 * <p>Its state lives outside the behaviour ({@link Memory}): a restart after a failure keeps the
 * runs and their processes. At the first start of an incarnation, runs the book shows starting or
 * running are {@code LOST} (their leftover process groups are killed). An unreadable runs file is
 * moved aside ({@code runs.json.unreadable}); the fence still comes from the {@code fence} file,
 * and from then on a run id this agent does not know whose tick is older than the loss is answered
 * {@code LOST} rather than started, since it may have run here already.
 */
final class Runs extends AbstractBehavior<Runs.Command> {

  sealed interface Command {}

  /** A run command the agent received. */
  record Forward(HostAgent.RunCommand command) implements Command {}

  /** Node shutdown: end every run (FAILED "node stopping"), refuse new ones, answer when done. */
  record StopAll(ActorRef<Done> replyTo) implements Command {}

  private record FromProcess(RunProcess.Event event) implements Command {}

  private record ProcessGone(String runId) implements Command {}

  private enum Tick implements Command {
    ROTATE
  }

  static final String NODE_STOPPING = "node stopping";

  /** What survives a restart of this actor. */
  static final class Memory {
    RunBook book;
    long fence;

    /** When this agent (or an earlier incarnation) found its runs file unreadable, or null. */
    Instant recordsLostAt;

    /** Oldest first. */
    final LinkedHashMap<String, RunRecord> records = new LinkedHashMap<>();

    final Map<String, ActorRef<RunStatus>> reportTo = new HashMap<>();
    final Map<String, ActorRef<RunProcess.Command>> processes = new HashMap<>();
    final List<ActorRef<Done>> stopWaiters = new ArrayList<>();
    boolean stopping;

    boolean loaded() {
      return book != null;
    }
  }

  /**
   * @param agentId the agent's marker, set in every run's environment
   */
  static Behavior<Command> create(AgentSettings settings, String agentId, ReleaseDirs releases) {
    return Behaviors.setup(
        outer -> {
          Memory memory = new Memory();
          return Behaviors.supervise(
                  Behaviors.<Command>setup(
                      ctx ->
                          Behaviors.withTimers(
                              timers ->
                                  new Runs(ctx, timers, settings, agentId, releases, memory))))
              .onFailure(
                  Exception.class,
                  SupervisorStrategy.restart()
                      .withStopChildren(false)
                      .withLimit(HostAgent.RESTART_LIMIT, HostAgent.RESTART_WINDOW));
        });
  }

  private final AgentSettings settings;
  private final String agentId;
  private final ReleaseDirs releases;
  private final Memory m;
  private final String host;
  private final Executor blocking;
  private final ActorRef<RunProcess.Event> processEvents;

  private Runs(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      AgentSettings settings,
      String agentId,
      ReleaseDirs releases,
      Memory memory) {
    super(ctx);
    this.settings = settings;
    this.agentId = agentId;
    this.releases = releases;
    this.m = memory;
    this.host = settings.host();
    this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
    this.processEvents = ctx.messageAdapter(RunProcess.Event.class, FromProcess::new);
    timers.startTimerWithFixedDelay(Tick.ROTATE, settings.reportInterval());
    if (!m.loaded()) {
      load();
    }
  }

  /** First start of this incarnation: read the book; runs under way before are now LOST. */
  private void load() {
    Path agentDir = settings.dataDir().resolve("agent");
    m.book = new RunBook(agentDir);
    RunBook.Loaded loaded = m.book.load();
    m.fence = loaded.fence();
    if (loaded.problem() != null) {
      getContext()
          .getLog()
          .warn(
              "host {}: {}; starting with fence {}{}",
              host,
              loaded.problem(),
              m.fence,
              loaded.runsLost()
                  ? " and no run records: a run whose tick is older than now is not started"
                      + " again but answered LOST"
                  : "");
    }
    m.recordsLostAt = loaded.recordsLostAt();
    int lost = 0;
    for (RunRecord r : loaded.runs()) {
      RunRecord after = RunRules.afterRestart(r);
      if (after != r) {
        lost++;
        killLeftover(r);
        getContext()
            .getLog()
            .warn(
                "cronjob {} run {} on host {}: LOST ({}; it had pid {})",
                r.job(),
                r.runId(),
                host,
                RunRules.LOST_ON_RESTART,
                r.pid());
      }
      m.records.put(after.runId(), after);
    }
    if (lost > 0 || loaded.runsLost()) {
      saveRuns();
    }
    getContext()
        .getLog()
        .info(
            "host {}: cronjob runs ready: {} run records, fencing token {}, {} lost by the last"
                + " stop",
            host,
            m.records.size(),
            m.fence,
            lost);
  }

  /** The group of a run of the previous incarnation, if its leader is still alive (same start). */
  private void killLeftover(RunRecord r) {
    if (r.pid() > 1
        && r.startInstant() != null
        && ProcessGroups.startInstant(r.pid()).filter(r.startInstant()::equals).isPresent()) {
      getContext()
          .getLog()
          .warn(
              "cronjob {} run {} on host {}: killed leftover process group {} of a previous"
                  + " incarnation",
              r.job(),
              r.runId(),
              host,
              r.pid());
      ProcessGroups.kill(r.pid());
    }
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Forward.class, this::onForward)
        .onMessage(FromProcess.class, this::onFromProcess)
        .onMessage(ProcessGone.class, this::onProcessGone)
        .onMessage(StopAll.class, this::onStopAll)
        .onMessageEquals(Tick.ROTATE, this::onRotate)
        .build();
  }

  private Behavior<Command> onForward(Forward f) {
    HostAgent.RunCommand c = f.command();
    if (c instanceof HostAgent.StartRun s) {
      onStartRun(s);
    } else if (c instanceof HostAgent.GetRuns g) {
      onGetRuns(g);
    } else if (c instanceof HostAgent.StopRun s) {
      onStopRun(s);
    } else if (c instanceof HostAgent.GetRunLogs l) {
      onGetRunLogs(l);
    }
    return this;
  }

  /** Raises the fence to {@code fence} if higher; written before anything acts on it. */
  private void raiseFence(long fence) {
    if (fence <= m.fence) {
      return;
    }
    getContext()
        .getLog()
        .info("host {}: cron scheduler fencing token raised from {} to {}", host, m.fence, fence);
    m.fence = fence;
    try {
      m.book.saveFence(fence);
    } catch (IOException e) {
      getContext()
          .getLog()
          .error("host {}: cannot write fencing token {}: {}", host, fence, e.toString());
    }
  }

  private void onStartRun(HostAgent.StartRun s) {
    RunOrder o = s.order();
    String problem = RunRules.problem(o);
    if (problem != null && (o == null || o.runId() == null || o.runId().isBlank())) {
      getContext().getLog().warn("host {}: run order REFUSED: {}: {}", host, problem, o);
      s.reportTo()
          .tell(RunRules.refused(null, null, host, "invalid run order: " + problem, m.fence));
      return;
    }
    RunRecord known = m.records.get(o.runId());
    RunRules.Start decision =
        RunRules.decideStart(m.fence, s.fence(), known, o.tick(), m.recordsLostAt);
    if (decision == RunRules.Start.REFUSE) {
      String why = RunRules.fenceRefusal(m.fence, s.fence()).orElseThrow();
      getContext()
          .getLog()
          .warn("cronjob {} run {} on host {}: REFUSED: {}", o.job(), o.runId(), host, why);
      s.reportTo().tell(RunRules.refused(o.runId(), o.job(), host, why, m.fence));
      return;
    }
    raiseFence(s.fence());
    if (decision == RunRules.Start.ANSWER_CURRENT) {
      if (known.state().isActive()) {
        m.reportTo.put(o.runId(), s.reportTo());
      }
      getContext()
          .getLog()
          .info(
              "cronjob {} run {} on host {}: dispatched again; not started again, it is {}",
              o.job(),
              o.runId(),
              host,
              known.state());
      s.reportTo().tell(known.status(host, m.fence));
      return;
    }
    if (m.stopping) {
      String why = "host " + host + " is stopping";
      getContext()
          .getLog()
          .warn("cronjob {} run {} on host {}: REFUSED: {}", o.job(), o.runId(), host, why);
      s.reportTo().tell(RunRules.refused(o.runId(), o.job(), host, why, m.fence));
      return;
    }
    long now = System.currentTimeMillis();
    RunRecord accepted = RunRecord.accepted(o, s.fence(), now);
    if (decision == RunRules.Start.LOST_RECORDS) {
      String why =
          "this host lost its run records at "
              + m.recordsLostAt
              + " (unreadable runs file) and the tick is older: it may have run here already, so it"
              + " is not started";
      endNow(accepted, RunState.LOST, why, s.reportTo());
      return;
    }
    if (problem != null) {
      endNow(accepted, RunState.FAILED, "invalid run order: " + problem, s.reportTo());
      return;
    }
    Duration timeout = Durations.of(o.timeout());
    m.records.put(o.runId(), accepted);
    prune();
    if (!saveRuns()) {
      // Without its record a restart could start it again: never start what is not recorded.
      RunRecord failed =
          accepted.ended(
              RunState.FAILED,
              null,
              "could not record the run on host " + host + " (see the agent's log)",
              System.currentTimeMillis());
      m.records.put(o.runId(), failed);
      s.reportTo().tell(failed.status(host, m.fence));
      return;
    }
    m.reportTo.put(o.runId(), s.reportTo());
    s.reportTo().tell(accepted.status(host, m.fence));
    getContext()
        .getLog()
        .info(
            "cronjob {} run {} on host {}: accepted (tick {}, revision {}, fencing token {})",
            o.job(),
            o.runId(),
            host,
            o.tick(),
            o.revision(),
            s.fence());
    Path logFile = RunRules.logFile(settings.dataDir(), o.job(), o.runId());
    ActorRef<RunProcess.Command> process =
        getContext()
            .spawn(
                RunProcess.create(
                    new RunProcess.Params(settings, agentId, o, timeout, logFile, releases),
                    processEvents),
                "run-" + URLEncoder.encode(o.runId(), StandardCharsets.UTF_8));
    getContext().watchWith(process, new ProcessGone(o.runId()));
    m.processes.put(o.runId(), process);
  }

  /** A run that ends without a process: recorded, answered, never started. */
  private void endNow(RunRecord accepted, RunState state, String why, ActorRef<RunStatus> to) {
    RunRecord r = accepted.ended(state, null, why, System.currentTimeMillis());
    getContext()
        .getLog()
        .warn("cronjob {} run {} on host {}: {}: {}", r.job(), r.runId(), host, state, why);
    m.records.put(r.runId(), r);
    prune();
    saveRuns();
    to.tell(r.status(host, m.fence));
  }

  private void onGetRuns(HostAgent.GetRuns g) {
    Optional<String> refusal = RunRules.fenceRefusal(m.fence, g.fence());
    List<RunStatus> out = new ArrayList<>();
    if (refusal.isPresent()) {
      getContext()
          .getLog()
          .warn("host {}: run query for {} REFUSED: {}", host, g.runIds(), refusal.get());
      for (String id : g.runIds()) {
        RunRecord r = m.records.get(id);
        out.add(RunRules.refused(id, r == null ? null : r.job(), host, refusal.get(), m.fence));
      }
      g.replyTo().tell(new RunStatuses(out));
      return;
    }
    raiseFence(g.fence());
    for (String id : g.runIds()) {
      RunRecord r = m.records.get(id);
      if (r == null) {
        out.add(RunRules.unknown(id, host, m.fence));
        continue;
      }
      if (r.state().isActive()) {
        m.reportTo.put(id, g.reportTo());
      }
      out.add(r.status(host, m.fence));
    }
    g.replyTo().tell(new RunStatuses(out));
  }

  private void onStopRun(HostAgent.StopRun s) {
    Optional<String> refusal = RunRules.fenceRefusal(m.fence, s.fence());
    if (refusal.isPresent()) {
      getContext()
          .getLog()
          .warn("host {}: stop of run {} REFUSED: {}", host, s.runId(), refusal.get());
      return;
    }
    raiseFence(s.fence());
    ActorRef<RunProcess.Command> process = m.processes.get(s.runId());
    RunRecord r = m.records.get(s.runId());
    if (process == null || r == null || !r.state().isActive()) {
      getContext()
          .getLog()
          .info(
              "host {}: stop of run {} ignored: {}",
              host,
              s.runId(),
              r == null ? "unknown run" : "it is " + r.state());
      return;
    }
    getContext()
        .getLog()
        .info("cronjob {} run {} on host {}: stopping: {}", r.job(), r.runId(), host, s.reason());
    process.tell(new RunProcess.Stop(s.reason()));
  }

  private void onGetRunLogs(HostAgent.GetRunLogs g) {
    RunRecord r = m.records.get(g.runId());
    if (r == null) {
      g.replyTo().tell(StatusReply.error("no run " + g.runId() + " on host " + host));
      return;
    }
    Path file = RunRules.logFile(settings.dataDir(), r.job(), r.runId());
    int lines = Math.max(0, Math.min(g.tail(), LogFiles.MAX_TAIL_LINES));
    AgentLogs.tail(file, lines, blocking)
        .whenComplete(
            (text, err) ->
                g.replyTo()
                    .tell(
                        err == null
                            ? StatusReply.success(text)
                            : StatusReply.error(
                                "cannot read log of run "
                                    + g.runId()
                                    + " on host "
                                    + host
                                    + ": "
                                    + err.getMessage())));
  }

  private Behavior<Command> onFromProcess(FromProcess f) {
    RunProcess.Event e = f.event();
    RunRecord r = m.records.get(e.runId());
    if (r == null || !r.state().isActive()) {
      return this;
    }
    if (e instanceof RunProcess.Started s) {
      update(r.running(s.pid(), s.startInstant(), s.startedAt()));
    } else if (e instanceof RunProcess.Ended end) {
      update(r.ended(end.state(), end.exitCode(), end.reason(), end.endedAt()));
    }
    return this;
  }

  /** Records, writes and reports a change; an ended run has no more updates to report. */
  private void update(RunRecord r) {
    m.records.put(r.runId(), r);
    saveRuns();
    ActorRef<RunStatus> to =
        r.state().isActive() ? m.reportTo.get(r.runId()) : m.reportTo.remove(r.runId());
    if (to != null) {
      to.tell(r.status(host, m.fence));
    }
  }

  private Behavior<Command> onProcessGone(ProcessGone g) {
    m.processes.remove(g.runId());
    RunRecord r = m.records.get(g.runId());
    if (r != null && r.state().isActive()) {
      // The runner failed before it reported the end: never leave its process behind.
      if (r.pid() > 1) {
        killLeftover(r);
      }
      getContext()
          .getLog()
          .error(
              "cronjob {} run {} on host {}: its runner stopped before the run ended",
              r.job(),
              r.runId(),
              host);
      update(
          r.ended(
              RunState.FAILED,
              null,
              "the agent's runner of this run failed",
              System.currentTimeMillis()));
    }
    if (m.stopping && m.processes.isEmpty()) {
      finishStopAll();
    }
    return this;
  }

  private Behavior<Command> onStopAll(StopAll s) {
    m.stopping = true;
    m.stopWaiters.add(s.replyTo());
    getContext().getLog().info("host {}: stopping all {} cronjob runs", host, m.processes.size());
    for (ActorRef<RunProcess.Command> p : m.processes.values()) {
      p.tell(new RunProcess.Stop(NODE_STOPPING));
    }
    if (m.processes.isEmpty()) {
      finishStopAll();
    }
    return this;
  }

  private void finishStopAll() {
    for (ActorRef<Done> w : m.stopWaiters) {
      w.tell(Done.getInstance());
    }
    m.stopWaiters.clear();
  }

  private Behavior<Command> onRotate() {
    List<Path> logs = new ArrayList<>();
    for (RunRecord r : m.records.values()) {
      if (r.state().isActive()) {
        logs.add(RunRules.logFile(settings.dataDir(), r.job(), r.runId()));
      }
    }
    if (!logs.isEmpty()) {
      AgentLogs.rotate(logs, settings.logMaxBytes(), host, blocking);
    }
    return this;
  }

  /** Forgets the oldest finished runs beyond the bound, with their log files. */
  private void prune() {
    if (m.records.size() <= RunRules.MAX_RECORDS) {
      return;
    }
    List<RunRecord> kept = RunRules.prune(m.records.values(), RunRules.MAX_RECORDS);
    List<Path> gone = new ArrayList<>();
    Map<String, RunRecord> keep = new LinkedHashMap<>();
    for (RunRecord r : kept) {
      keep.put(r.runId(), r);
    }
    for (RunRecord r : m.records.values()) {
      if (!keep.containsKey(r.runId())) {
        Path log = RunRules.logFile(settings.dataDir(), r.job(), r.runId());
        gone.add(log);
        gone.add(LogFiles.rotated(log));
      }
    }
    m.records.clear();
    m.records.putAll(keep);
    CompletableFuture.runAsync(
        () -> {
          for (Path p : gone) {
            try {
              Files.deleteIfExists(p);
            } catch (IOException e) {
              // a log file that cannot be deleted only takes space
            }
          }
        },
        blocking);
  }

  /** Writes the records; false (and an error logged) when they could not be written. */
  private boolean saveRuns() {
    try {
      m.book.saveRuns(m.fence, m.records.values(), m.recordsLostAt);
      return true;
    } catch (IOException e) {
      getContext()
          .getLog()
          .error("host {}: cannot write run records {}: {}", host, m.book.runsFile(), e.toString());
      return false;
    }
  }
}
