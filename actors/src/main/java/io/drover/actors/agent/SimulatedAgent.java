package io.drover.actors.agent;

import io.drover.actors.host.HostInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.pattern.StatusReply;

/**
 * A simulated host behind the host agent's interface: it answers every {@link HostAgent.Command}
 * like a real agent, but its "instances" are timers, not processes. For fleet-scale measurements
 * (one node runs many simulated hosts, e.g. {@code bench/deploy-makespan}); labelled {@value
 * #DRIVER_LABEL} = {@value #DRIVER} so the API shows what is simulated, and every log line says
 * "simulated host".
 *
 * <p>An assigned instance is {@code STARTING} for {@link Settings#startTime} then {@code READY}; an
 * instance no longer assigned is {@code STOPPING} for {@link Settings#stopTime} then removed. An
 * instance whose spec revision is in {@link Settings#failRevisions} crashes instead of becoming
 * ready ({@code BACKOFF}, exit code 1, "simulated crash") and starts again after {@link
 * Settings#retryDelay}, for ever. pid and port are 0.
 */
public final class SimulatedAgent {

  /** The host label that names the driver. */
  public static final String DRIVER_LABEL = "drover.io/driver";

  /** Its value on simulated hosts. */
  public static final String DRIVER = "simulated";

  /** Delay before a crashed simulated instance starts again. */
  public static final Duration RETRY_DELAY = Duration.ofMillis(500);

  private SimulatedAgent() {}

  /**
   * One simulated host.
   *
   * @param host its name, unique in the cluster
   * @param pool its pool
   * @param startTime how long an instance is starting before it is ready (or crashes)
   * @param stopTime how long an instance is stopping before it is gone
   * @param failRevisions instances of these revisions crash before they are ready
   * @param reportInterval how often every site gets its full report, as from a real agent
   * @param retryDelay how long a crashed instance backs off before it starts again
   */
  public record Settings(
      String host,
      String pool,
      Duration startTime,
      Duration stopTime,
      Set<String> failRevisions,
      Duration reportInterval,
      Duration retryDelay) {
    public Settings {
      failRevisions = Set.copyOf(failRevisions);
    }

    /** The labels a simulated host describes itself with. */
    public Map<String, String> labels() {
      return Map.of(DRIVER_LABEL, DRIVER);
    }
  }

  /** The agent of one simulated host; registers under {@link HostAgent#SERVICE_KEY}. */
  public static Behavior<HostAgent.Command> create(Settings settings) {
    return Behaviors.<Object>setup(
            ctx ->
                Behaviors.withTimers(
                    timers -> {
                      ctx.setLoggerName(SimulatedAgent.class);
                      return new Sim(ctx, timers, settings).behavior();
                    }))
        .narrow();
  }

  /** A starting instance is due to become ready, or crash (internal). */
  private record StartDone(String instanceId, int generation) {}

  /** A stopping instance is gone (internal). */
  private record StopDone(String instanceId, int generation) {}

  /** A crashed instance starts again (internal). */
  private record Retry(String instanceId, int generation) {}

  private enum Timer {
    REPORT,
    LOAD_FLUSH,
    LOAD_REPUBLISH
  }

  /** One simulated instance. */
  private static final class Instance {
    final String site;
    InstanceStatus status;

    /** Bumped on every state change: a timer of an older generation is stale. */
    int generation;

    Instance(String site, InstanceStatus status) {
      this.site = site;
      this.status = status;
    }
  }

  private static final class Sim {
    private final ActorContext<Object> ctx;
    private final TimerScheduler<Object> timers;
    private final Settings settings;
    private final String incarnation = UUID.randomUUID().toString();
    private final Map<String, Instance> instances = new LinkedHashMap<>();
    private final Map<String, ActorRef<HostAgent.SiteReport>> reportTo = new HashMap<>();
    private final List<ActorRef<Done>> stopAllWaiters = new ArrayList<>();
    private final LoadPublisher<Object> load;
    private boolean shuttingDown;

    Sim(ActorContext<Object> ctx, TimerScheduler<Object> timers, Settings settings) {
      this.ctx = ctx;
      this.timers = timers;
      this.settings = settings;
      ActorRef<HostAgent.Command> self = ctx.getSelf().narrow();
      ctx.getSystem().receptionist().tell(Receptionist.register(HostAgent.SERVICE_KEY, self));
      timers.startTimerWithFixedDelay(Timer.REPORT, Timer.REPORT, settings.reportInterval());
      this.load =
          new LoadPublisher<>(
              timers,
              Timer.LOAD_FLUSH,
              Timer.LOAD_REPUBLISH,
              settings.host(),
              incarnation,
              instances::size,
              LoadPublisher.topic(ctx.getSystem()));
      ctx.getLog()
          .debug(
              "simulated host {} started (pool {}, incarnation {}, start time {}, stop time {})",
              settings.host(),
              settings.pool(),
              incarnation,
              settings.startTime(),
              settings.stopTime());
    }

    Behavior<Object> behavior() {
      return Behaviors.receive(Object.class)
          .onMessage(HostAgent.Assign.class, this::onAssign)
          .onMessage(StartDone.class, this::onStartDone)
          .onMessage(StopDone.class, this::onStopDone)
          .onMessage(Retry.class, this::onRetry)
          .onMessage(HostAgent.Describe.class, this::onDescribe)
          .onMessage(HostAgent.GetInstances.class, this::onGetInstances)
          .onMessage(HostAgent.GetLogs.class, this::onGetLogs)
          .onMessage(HostAgent.ReadLogs.class, this::onReadLogs)
          .onMessage(HostAgent.StopAll.class, this::onStopAll)
          .onMessageEquals(Timer.REPORT, this::onReportTick)
          .onMessageEquals(
              Timer.LOAD_FLUSH,
              () -> {
                load.onFlush();
                return Behaviors.same();
              })
          .onMessageEquals(
              Timer.LOAD_REPUBLISH,
              () -> {
                load.onRepublish();
                return Behaviors.same();
              })
          .build();
    }

    private Behavior<Object> onAssign(HostAgent.Assign a) {
      if (shuttingDown) {
        ctx.getLog()
            .debug(
                "simulated host {}: ignoring assignment of site {}, stopping all",
                settings.host(),
                a.site());
        return Behaviors.same();
      }
      reportTo.put(a.site(), a.reportTo());
      Set<String> wanted = new HashSet<>();
      boolean changed = false;
      for (HostAgent.Assignment assignment : a.instances()) {
        wanted.add(assignment.instanceId());
        if (!instances.containsKey(assignment.instanceId())) {
          start(a.site(), assignment);
          changed = true;
        }
      }
      for (Instance i : instances.values()) {
        if (i.site.equals(a.site())
            && !wanted.contains(i.status.id())
            && i.status.state() != InstanceState.STOPPING) {
          stop(i);
          changed = true;
        }
      }
      if (changed) {
        report(a.site());
        load.changed();
      }
      return Behaviors.same();
    }

    private void start(String site, HostAgent.Assignment assignment) {
      InstanceStatus status =
          new InstanceStatus(
              assignment.instanceId(),
              site,
              settings.host(),
              0,
              0,
              InstanceState.STARTING,
              assignment.spec().revision(),
              assignment.epoch(),
              0,
              null,
              null,
              System.currentTimeMillis());
      Instance i = new Instance(site, status);
      instances.put(assignment.instanceId(), i);
      ctx.getLog()
          .info(
              "site {} instance {} on simulated host {}: starting revision {} (ready in {})",
              site,
              assignment.instanceId(),
              settings.host(),
              status.revision(),
              settings.startTime());
      scheduleStartDone(i);
    }

    private void scheduleStartDone(Instance i) {
      StartDone due = new StartDone(i.status.id(), i.generation);
      if (settings.startTime().isZero()) {
        ctx.getSelf().tell(due);
      } else {
        timers.startSingleTimer(due, settings.startTime());
      }
    }

    private void stop(Instance i) {
      i.generation++;
      i.status = withState(i.status, InstanceState.STOPPING, i.status.restarts(), null, null);
      StopDone due = new StopDone(i.status.id(), i.generation);
      if (settings.stopTime().isZero()) {
        ctx.getSelf().tell(due);
      } else {
        timers.startSingleTimer(due, settings.stopTime());
      }
    }

    private Behavior<Object> onStartDone(StartDone m) {
      Instance i = instances.get(m.instanceId());
      if (i == null || i.generation != m.generation()) {
        return Behaviors.same();
      }
      i.generation++;
      if (settings.failRevisions().contains(i.status.revision())) {
        i.status =
            withState(
                i.status, InstanceState.BACKOFF, i.status.restarts() + 1, 1, "simulated crash");
        ctx.getLog()
            .warn(
                "site {} instance {} on simulated host {}: simulated crash before ready (revision"
                    + " {}, restart {}); starting again in {}",
                i.site,
                i.status.id(),
                settings.host(),
                i.status.revision(),
                i.status.restarts(),
                settings.retryDelay());
        timers.startSingleTimer(new Retry(i.status.id(), i.generation), settings.retryDelay());
      } else {
        i.status =
            withState(
                i.status,
                InstanceState.READY,
                i.status.restarts(),
                i.status.lastExit(),
                i.status.message());
        ctx.getLog()
            .info(
                "site {} instance {} on simulated host {}: ready",
                i.site,
                i.status.id(),
                settings.host());
      }
      report(i.site);
      return Behaviors.same();
    }

    private Behavior<Object> onRetry(Retry m) {
      Instance i = instances.get(m.instanceId());
      if (i == null || i.generation != m.generation()) {
        return Behaviors.same();
      }
      i.generation++;
      i.status =
          withState(
              i.status,
              InstanceState.STARTING,
              i.status.restarts(),
              i.status.lastExit(),
              i.status.message());
      scheduleStartDone(i);
      report(i.site);
      return Behaviors.same();
    }

    private Behavior<Object> onStopDone(StopDone m) {
      Instance i = instances.get(m.instanceId());
      if (i == null || i.generation != m.generation()) {
        return Behaviors.same();
      }
      instances.remove(m.instanceId());
      ctx.getLog()
          .info(
              "site {} instance {} on simulated host {}: removed",
              i.site,
              m.instanceId(),
              settings.host());
      report(i.site);
      load.changed();
      if (shuttingDown && instances.isEmpty()) {
        finishStopAll();
      }
      return Behaviors.same();
    }

    private static InstanceStatus withState(
        InstanceStatus s, InstanceState state, int restarts, Integer lastExit, String message) {
      return new InstanceStatus(
          s.id(),
          s.site(),
          s.host(),
          0,
          0,
          state,
          s.revision(),
          s.epoch(),
          restarts,
          lastExit,
          message,
          System.currentTimeMillis());
    }

    private void report(String site) {
      ActorRef<HostAgent.SiteReport> to = reportTo.get(site);
      if (to != null) {
        to.tell(new HostAgent.SiteReport(settings.host(), site, statuses(site)));
      }
    }

    private List<InstanceStatus> statuses(String site) {
      List<InstanceStatus> out = new ArrayList<>();
      for (Instance i : instances.values()) {
        if (site == null || i.site.equals(site)) {
          out.add(i.status);
        }
      }
      return List.copyOf(out);
    }

    private Behavior<Object> onReportTick() {
      for (String site : reportTo.keySet()) {
        report(site);
      }
      return Behaviors.same();
    }

    private Behavior<Object> onDescribe(HostAgent.Describe d) {
      d.replyTo()
          .tell(
              new HostInfo(
                  settings.host(),
                  settings.pool(),
                  settings.labels(),
                  incarnation,
                  ctx.getSelf().narrow()));
      return Behaviors.same();
    }

    private Behavior<Object> onGetInstances(HostAgent.GetInstances g) {
      g.replyTo().tell(new HostAgent.Instances(statuses(null)));
      return Behaviors.same();
    }

    private String noInstance(String instanceId) {
      return "no instance " + instanceId + " on simulated host " + settings.host();
    }

    private Behavior<Object> onGetLogs(HostAgent.GetLogs g) {
      if (!instances.containsKey(g.instanceId())) {
        g.replyTo().tell(StatusReply.error(noInstance(g.instanceId())));
      } else {
        g.replyTo().tell(StatusReply.success("simulated host " + settings.host() + ": no logs\n"));
      }
      return Behaviors.same();
    }

    private Behavior<Object> onReadLogs(HostAgent.ReadLogs r) {
      if (!instances.containsKey(r.instanceId())) {
        r.replyTo().tell(StatusReply.error(noInstance(r.instanceId())));
      } else {
        // a simulated instance writes nothing: its log stays empty
        r.replyTo().tell(StatusReply.success(new LogChunk(List.of(), "0", false, false)));
      }
      return Behaviors.same();
    }

    private Behavior<Object> onStopAll(HostAgent.StopAll s) {
      shuttingDown = true;
      stopAllWaiters.add(s.replyTo());
      ctx.getLog()
          .info("simulated host {}: stopping all {} instances", settings.host(), instances.size());
      Set<String> sites = new HashSet<>();
      for (Instance i : instances.values()) {
        if (i.status.state() != InstanceState.STOPPING) {
          stop(i);
          sites.add(i.site);
        }
      }
      sites.forEach(this::report);
      if (instances.isEmpty()) {
        finishStopAll();
      }
      return Behaviors.same();
    }

    private void finishStopAll() {
      ctx.getLog().info("simulated host {}: all instances stopped", settings.host());
      stopAllWaiters.forEach(w -> w.tell(Done.getInstance()));
      stopAllWaiters.clear();
    }
  }
}
