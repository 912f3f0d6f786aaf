package io.drover.actors.agent;

import io.drover.actors.host.HostInfo;
import io.drover.actors.site.SiteSpec;
import io.drover.actors.site.SiteSpecs;
import io.drover.persistence.CborSerializable;
import java.io.IOException;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
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
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * The data plane of one host (one per node, local, not sharded): starts, watches, health-checks,
 * restarts and stops real OS processes. Sites tell it what to run with {@link Assign}; it answers
 * with {@link SiteReport}s whenever an instance changes and every report interval.
 */
public final class HostAgent {

  /** Every agent registers under this key with the receptionist. */
  public static final ServiceKey<Command> SERVICE_KEY =
      ServiceKey.create(Command.class, "drover-host-agent");

  private HostAgent() {}

  public sealed interface Command extends CborSerializable {}

  /**
   * Desired state of one site on this host: run exactly {@code instances}, stop any other instance
   * of {@code site}. Idempotent; sites re-send it every reconcile interval.
   *
   * @param site the site name
   * @param instances what should run here; empty means nothing of this site runs here
   * @param reportTo where the agent sends this site's {@link SiteReport}s from now on
   */
  public record Assign(String site, List<Assignment> instances, ActorRef<SiteReport> reportTo)
      implements Command {}

  /**
   * One instance to run.
   *
   * @param instanceId {@code <site>-<epoch>}
   * @param epoch the placement epoch
   * @param spec what the instance runs; fixed for the life of the instance id
   */
  public record Assignment(String instanceId, long epoch, SiteSpec spec)
      implements CborSerializable {}

  /** Answers with this host's identity. */
  public record Describe(ActorRef<HostInfo> replyTo) implements Command {}

  /** Answers with every instance this agent runs, of all sites. */
  public record GetInstances(ActorRef<Instances> replyTo) implements Command {}

  /**
   * The answer to {@link GetInstances}. A record, not a bare list: replies cross nodes and must be
   * Jackson-serializable.
   */
  public record Instances(List<InstanceStatus> instances) implements CborSerializable {
    public Instances {
      instances = List.copyOf(instances);
    }
  }

  /**
   * Answers with the last {@code tail} lines of an instance's log (stdout and stderr together), or
   * an error if this agent does not know the instance.
   */
  public record GetLogs(String instanceId, int tail, ActorRef<StatusReply<String>> replyTo)
      implements Command {}

  /**
   * Answers what follows {@code since} (a {@link LogCursor}'s text) in an instance's log, at most
   * about 1 MiB, and the cursor to read on from; for {@code end}, the last {@code tail} lines.
   */
  public record ReadLogs(
      String instanceId, String since, int tail, ActorRef<StatusReply<LogChunk>> replyTo)
      implements Command {}

  /**
   * Stops every instance (SIGTERM, grace, SIGKILL) and answers when all are gone. For node
   * shutdown: from then on the agent ignores {@link Assign}.
   */
  public record StopAll(ActorRef<Done> replyTo) implements Command {}

  /** The cronjob run commands; the agent hands them to its {@code Runs} child. */
  public sealed interface RunCommand extends Command {}

  /**
   * Start {@code order} at most once: a run id this agent knows is not started again, the answer is
   * its current status (and its later updates go to {@code reportTo}). Refused (state {@code
   * REFUSED}) when {@code fence} is lower than the highest fencing token this agent has seen.
   * Answers {@code reportTo} at once (STARTING, or the current status), then on every change.
   */
  public record StartRun(RunOrder order, long fence, ActorRef<RunStatus> reportTo)
      implements RunCommand {}

  /**
   * Answers one status per id ({@code UNKNOWN} for ids never seen; all {@code REFUSED} when {@code
   * fence} is lower than one seen) and sends later updates of those runs to {@code reportTo}.
   */
  public record GetRuns(
      List<String> runIds, long fence, ActorRef<RunStatus> reportTo, ActorRef<RunStatuses> replyTo)
      implements RunCommand {}

  /** Ends a run (SIGTERM, grace, SIGKILL to its group): FAILED with {@code reason}. */
  public record StopRun(String runId, long fence, String reason) implements RunCommand {}

  /** Answers with the last {@code tail} lines of a run's output, or an error for an unknown run. */
  public record GetRunLogs(String runId, int tail, ActorRef<StatusReply<String>> replyTo)
      implements RunCommand {}

  /**
   * Everything the agent runs of one site. Sent on every change of an instance and every report
   * interval.
   */
  public record SiteReport(String host, String site, List<InstanceStatus> instances)
      implements CborSerializable {}

  /**
   * The agent of this node. On start it kills whatever its previous incarnation left running (see
   * {@code OrphanReaper}), then registers under {@link #SERVICE_KEY}.
   *
   * @param settings this host and the agent's limits
   * @param releases where a revision's release directory is; in a node {@code
   *     revisionStore::releaseDir}; called on a blocking dispatcher
   */
  public static Behavior<Command> create(AgentSettings settings, ReleaseDirs releases) {
    return Behaviors.setup(
        outer -> {
          AgentMemory memory = new AgentMemory();
          return Behaviors.supervise(
                  Behaviors.<Command>setup(
                      ctx ->
                          Behaviors.withTimers(
                              timers -> new Agent(ctx, timers, settings, releases, memory))))
              .onFailure(
                  Exception.class,
                  SupervisorStrategy.restart()
                      .withStopChildren(false)
                      .withLimit(RESTART_LIMIT, RESTART_WINDOW));
        });
  }

  /**
   * More failures than this within {@link #RESTART_WINDOW} stop the agent for good; the node's
   * health then answers 503.
   */
  static final int RESTART_LIMIT = 10;

  static final java.time.Duration RESTART_WINDOW = java.time.Duration.ofMinutes(1);

  private enum Tick implements Command {
    INSTANCE
  }

  private record FromRunner(InstanceRunner.Event event) implements Command {}

  private record RunnerGone(String instanceId) implements Command {}

  private enum RunsStopped implements Command {
    INSTANCE
  }

  /** Timers of the {@link LoadPublisher} (internal). */
  private enum LoadTimer implements Command {
    FLUSH,
    REPUBLISH
  }

  private static final class Agent extends AbstractBehavior<Command> {

    private final AgentSettings settings;
    private final ReleaseDirs releases;
    private final Executor blocking;
    private final String agentId;
    private final String incarnation;
    private final Ledger ledger;
    private final Map<String, Ledger.Entry> ledgerEntries;
    private final PortAllocator ports;
    private final Map<String, Slot> slots;
    private final Map<String, ActorRef<SiteReport>> reportTo;
    private final List<ActorRef<Done>> stopAllWaiters;
    private final ActorRef<InstanceRunner.Event> runnerEvents;
    private final AgentMemory memory;
    private final LoadPublisher<Command> load;

    Agent(
        ActorContext<Command> ctx,
        TimerScheduler<Command> timers,
        AgentSettings settings,
        ReleaseDirs releases,
        AgentMemory memory)
        throws IOException {
      super(ctx);
      this.settings = settings;
      this.releases = releases;
      this.memory = memory;
      this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
      boolean restarted = memory.started();
      if (!restarted) {
        memory.firstStart(settings);
        memory.builds = new Builds(settings.buildTimeout(), blocking);
      }
      this.ports = memory.ports;
      this.agentId = memory.agentId;
      this.ledger = memory.ledger;
      this.incarnation = memory.incarnation;
      this.ledgerEntries = memory.ledgerEntries;
      this.slots = memory.slots;
      this.reportTo = memory.reportTo;
      this.stopAllWaiters = memory.stopAllWaiters;
      if (!restarted) {
        OrphanReaper.reapPrevious(ledger, agentId, settings.host(), ctx.getLog());
        memory.runs =
            ctx.spawn(
                Runs.create(settings, agentId, releases), "runs", DispatcherSelector.blocking());
        ctx.watchWith(memory.runs, RunsStopped.INSTANCE);
      }
      this.runnerEvents = ctx.messageAdapter(InstanceRunner.Event.class, FromRunner::new);
      ctx.getSystem().receptionist().tell(Receptionist.register(SERVICE_KEY, ctx.getSelf()));
      timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.reportInterval());
      this.load =
          new LoadPublisher<>(
              timers,
              LoadTimer.FLUSH,
              LoadTimer.REPUBLISH,
              settings.host(),
              incarnation,
              slots::size,
              LoadPublisher.topic(ctx.getSystem()));
      if (restarted) {
        memory.restarts++;
        ctx.getLog()
            .warn(
                "host agent on host {} restarted after a failure (restart {}); it kept its {}"
                    + " instances and their runners",
                settings.host(),
                memory.restarts,
                slots.size());
        return;
      }
      ctx.getLog()
          .info(
              "host agent started on host {} (pool {}, incarnation {}, agent id {}, ports {}-{})",
              settings.host(),
              settings.pool(),
              incarnation,
              agentId,
              settings.portMin(),
              settings.portMax());
    }

    @Override
    public Receive<Command> createReceive() {
      return newReceiveBuilder()
          .onMessage(Assign.class, this::onAssign)
          .onMessage(FromRunner.class, this::onFromRunner)
          .onMessage(RunnerGone.class, this::onRunnerGone)
          .onMessageEquals(Tick.INSTANCE, this::onTick)
          .onMessageEquals(LoadTimer.FLUSH, this::onLoadFlush)
          .onMessageEquals(LoadTimer.REPUBLISH, this::onLoadRepublish)
          .onMessage(Describe.class, this::onDescribe)
          .onMessage(GetInstances.class, this::onGetInstances)
          .onMessage(GetLogs.class, this::onGetLogs)
          .onMessage(ReadLogs.class, this::onReadLogs)
          .onMessage(StopAll.class, this::onStopAll)
          .onMessage(RunCommand.class, this::onRunCommand)
          .onMessageEquals(RunsStopped.INSTANCE, this::onRunsStopped)
          .build();
    }

    private Behavior<Command> onAssign(Assign a) {
      if (memory.shuttingDown) {
        getContext()
            .getLog()
            .debug(
                "host {}: ignoring assignment of site {}, stopping all", settings.host(), a.site());
        return this;
      }
      reportTo.put(a.site(), a.reportTo());
      Set<String> wanted = new HashSet<>();
      for (Assignment assignment : a.instances()) {
        wanted.add(assignment.instanceId());
        if (!slots.containsKey(assignment.instanceId())) {
          start(a.site(), assignment);
        }
      }
      for (Slot slot : slots.values()) {
        if (slot.site.equals(a.site()) && !wanted.contains(slot.status.id())) {
          slot.requestStop();
        }
      }
      load.changed();
      return this;
    }

    private Behavior<Command> onLoadFlush() {
      load.onFlush();
      return this;
    }

    private Behavior<Command> onLoadRepublish() {
      load.onRepublish();
      return this;
    }

    private void start(String site, Assignment assignment) {
      SiteSpec spec = SiteSpecs.withDefaults(assignment.spec());
      int port;
      try {
        port = ports.allocate();
      } catch (IllegalStateException e) {
        getContext()
            .getLog()
            .error(
                "site {} instance {} on host {}: cannot start: {}",
                site,
                assignment.instanceId(),
                settings.host(),
                e.getMessage());
        return;
      }
      Path logFile =
          settings
              .dataDir()
              .resolve("logs")
              .resolve(site)
              .resolve(assignment.instanceId() + ".log");
      InstanceRunner.Params params =
          new InstanceRunner.Params(
              settings,
              agentId,
              assignment.instanceId(),
              site,
              assignment.epoch(),
              spec,
              port,
              logFile,
              releases,
              memory.builds);
      ActorRef<InstanceRunner.Command> runner =
          getContext()
              .spawn(
                  InstanceRunner.create(params, runnerEvents),
                  "instance-" + URLEncoder.encode(assignment.instanceId(), StandardCharsets.UTF_8));
      getContext().watchWith(runner, new RunnerGone(assignment.instanceId()));
      InstanceStatus initial =
          new InstanceStatus(
              assignment.instanceId(),
              site,
              settings.host(),
              0,
              port,
              InstanceState.STARTING,
              spec.revision(),
              assignment.epoch(),
              0,
              null,
              null,
              System.currentTimeMillis());
      slots.put(assignment.instanceId(), new Slot(site, runner, port, logFile, initial));
    }

    private Behavior<Command> onFromRunner(FromRunner f) {
      if (f.event() instanceof InstanceRunner.Changed c) {
        Slot slot = slots.get(c.status().id());
        if (slot == null) {
          return this;
        }
        slot.status = c.status();
        if (c.status().pid() == 0) {
          updateLedger(c.status().id(), null);
        } else {
          updateLedger(
              c.status().id(),
              new Ledger.Entry(c.status().id(), slot.site, c.status().pid(), c.startInstant()));
        }
        report(slot.site);
      } else if (f.event() instanceof InstanceRunner.NeedsPort n) {
        swapPort(n);
      }
      return this;
    }

    /** A new port for an instance whose port another process holds; the old one is released. */
    private void swapPort(InstanceRunner.NeedsPort n) {
      Slot slot = slots.get(n.instanceId());
      if (slot == null) {
        return;
      }
      if (slot.port != n.port()) {
        slot.runner.tell(new InstanceRunner.UsePort(slot.port));
        return;
      }
      int next;
      try {
        next = ports.allocate();
      } catch (IllegalStateException e) {
        getContext()
            .getLog()
            .error(
                "site {} instance {} on host {}: keeps port {} ({}): {}",
                slot.site,
                n.instanceId(),
                settings.host(),
                n.port(),
                n.reason(),
                e.getMessage());
        slot.runner.tell(new InstanceRunner.UsePort(n.port()));
        return;
      }
      ports.release(n.port());
      slot.port = next;
      getContext()
          .getLog()
          .warn(
              "site {} instance {} on host {}: port changed from {} to {} because {}",
              slot.site,
              n.instanceId(),
              settings.host(),
              n.port(),
              next,
              n.reason());
      slot.runner.tell(new InstanceRunner.UsePort(next));
    }

    private Behavior<Command> onRunnerGone(RunnerGone g) {
      Slot slot = slots.remove(g.instanceId());
      if (slot == null) {
        return this;
      }
      ports.release(slot.port);
      Ledger.Entry left = ledgerEntries.get(g.instanceId());
      if (left != null
          && left.startInstant() != null
          && ProcessGroups.startInstant(left.pid())
              .filter(left.startInstant()::equals)
              .isPresent()) {
        getContext()
            .getLog()
            .warn(
                "site {} instance {} on host {}: runner ended with pid {} alive; killing its group",
                slot.site,
                g.instanceId(),
                settings.host(),
                left.pid());
        ProcessGroups.kill(left.pid());
      }
      updateLedger(g.instanceId(), null);
      load.changed();
      getContext()
          .getLog()
          .info(
              "site {} instance {} on host {}: removed, port {} released",
              slot.site,
              g.instanceId(),
              settings.host(),
              slot.port);
      report(slot.site);
      if (memory.shuttingDown && slots.isEmpty()) {
        finishStopAll();
      }
      return this;
    }

    private void updateLedger(String instanceId, Ledger.Entry entry) {
      try {
        memory.updateLedger(instanceId, entry);
      } catch (IOException e) {
        getContext()
            .getLog()
            .error(
                "host {}: cannot write ledger {}: {}",
                settings.host(),
                ledger.file(),
                e.toString());
      }
    }

    private void report(String site) {
      ActorRef<SiteReport> to = reportTo.get(site);
      if (to != null) {
        to.tell(new SiteReport(settings.host(), site, statuses(site)));
      }
    }

    private List<InstanceStatus> statuses(String site) {
      return Slot.statuses(slots.values(), site);
    }

    private Behavior<Command> onTick() {
      for (String site : reportTo.keySet()) {
        report(site);
      }
      List<Path> logs = new ArrayList<>();
      for (Slot slot : slots.values()) {
        logs.add(slot.logFile);
      }
      AgentLogs.rotate(logs, settings.logMaxBytes(), settings.host(), blocking);
      return this;
    }

    private Behavior<Command> onDescribe(Describe d) {
      d.replyTo()
          .tell(
              new HostInfo(
                  settings.host(),
                  settings.pool(),
                  settings.labels(),
                  incarnation,
                  getContext().getSelf()));
      return this;
    }

    private Behavior<Command> onGetInstances(GetInstances g) {
      g.replyTo().tell(new Instances(statuses(null)));
      return this;
    }

    private Behavior<Command> onGetLogs(GetLogs g) {
      int lines = Math.max(0, Math.min(g.tail(), LogFiles.MAX_TAIL_LINES));
      AgentLogs.answer(
          logFile(g.instanceId()),
          g.instanceId(),
          settings.host(),
          g.replyTo(),
          file -> AgentLogs.tail(file, lines, blocking));
      return this;
    }

    /** The log file of instance {@code id} on this host, or null when it runs none such. */
    private Path logFile(String id) {
      Slot slot = slots.get(id);
      return slot == null ? null : slot.logFile;
    }

    private Behavior<Command> onReadLogs(ReadLogs r) {
      AgentLogs.answer(
          logFile(r.instanceId()),
          r.instanceId(),
          settings.host(),
          r.replyTo(),
          file -> AgentLogs.read(file, r.since(), r.tail(), blocking));
      return this;
    }

    private Behavior<Command> onRunCommand(RunCommand c) {
      memory.runs.tell(new Runs.Forward(c));
      return this;
    }

    private Behavior<Command> onRunsStopped() {
      memory.runsStopped = true;
      if (memory.shuttingDown && slots.isEmpty()) {
        finishStopAll();
      }
      return this;
    }

    private Behavior<Command> onStopAll(StopAll s) {
      memory.runs.tell(
          new Runs.StopAll(getContext().messageAdapter(Done.class, d -> RunsStopped.INSTANCE)));
      memory.shuttingDown = true;
      stopAllWaiters.add(s.replyTo());
      getContext()
          .getLog()
          .info("host {}: stopping all {} instances", settings.host(), slots.size());
      for (Slot slot : slots.values()) {
        slot.requestStop();
      }
      if (slots.isEmpty()) {
        finishStopAll();
      }
      return this;
    }

    private void finishStopAll() {
      if (!memory.runsStopped) {
        return;
      }
      getContext().getLog().info("host {}: all instances stopped", settings.host());
      for (ActorRef<Done> waiter : stopAllWaiters) {
        waiter.tell(Done.getInstance());
      }
      stopAllWaiters.clear();
    }
  }
}
