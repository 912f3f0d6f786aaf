package io.drover.actors.cron;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.RunOrder;
import io.drover.actors.agent.RunStatus;
import io.drover.actors.agent.RunStatuses;
import io.drover.actors.common.EventSourcing;
import io.drover.actors.common.SingletonInfo;
import io.drover.actors.common.Singletons;
import io.drover.actors.cron.CronScheduler.AgentRuns;
import io.drover.actors.cron.CronScheduler.Command;
import io.drover.actors.cron.CronScheduler.FromAgent;
import io.drover.actors.cron.CronScheduler.HostsChanged;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import io.drover.actors.site.SecretEnvs;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/** The {@link CronScheduler}'s event-sourced behaviour: persists decisions, then drives them. */
final class SchedulerBehavior
    extends EventSourcedBehaviorWithEnforcedReplies<Command, CronEvent, CronState> {

  /** A run's host not known to this node for this long after the take-over is lost. */
  static final Duration HOST_UNKNOWN_AFTER = Duration.ofSeconds(30);

  /** How soon a job whose due tick waits for a host is looked at again. */
  static final Duration RETRY_BLOCKED = Duration.ofMillis(500);

  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Clock clock;
  private final String address;
  private final ActorRef<RunStatus> statusAdapter;
  private final Map<String, CachedSchedule> schedules = new HashMap<>();
  private final Set<String> confirmed = new HashSet<>();
  private HostDirectory.Hosts hosts = new HostDirectory.Hosts(List.of(), Set.of(), Set.of());

  /** The same hosts by name, built once per snapshot: runs look their host up per message. */
  private Map<String, HostInfo> hostsByName = Map.of();

  private boolean ready;
  private int reconcileRound;

  private record CachedSchedule(String schedule, String timezone, Schedule parsed) {}

  SchedulerBehavior(
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers,
      ActorRef<HostDirectory.Command> hostDirectory,
      Clock clock,
      String persistenceId) {
    super(PersistenceId.ofUniqueId(persistenceId), EventSourcing.onJournalFailure());
    this.ctx = ctx;
    this.timers = timers;
    this.clock = clock;
    this.address = ctx.getSystem().address().toString();
    this.statusAdapter = ctx.messageAdapter(RunStatus.class, FromAgent::new);
    hostDirectory.tell(
        new HostDirectory.Subscribe(
            ctx.messageAdapter(HostDirectory.Hosts.class, HostsChanged::new)));
  }

  @Override
  public CronState emptyState() {
    return CronState.empty();
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return EventSourcing.snapshotEvery(200);
  }

  @Override
  public EventHandler<CronState, CronEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(CronState::apply);
  }

  @Override
  public SignalHandler<CronState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            state -> ctx.getSelf().tell(CronScheduler.FenceNow.INSTANCE))
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, CronEvent, CronState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(CronScheduler.FenceNow.class, (s, c) -> fence(s))
        .onCommand(CronScheduler.Wake.class, (s, c) -> ready ? plan(s) : Effect().noReply())
        .onCommand(
            CronScheduler.Reconcile.class, (s, c) -> ready ? reconcile(s) : Effect().noReply())
        .onCommand(HostsChanged.class, this::onHosts)
        .onCommand(FromAgent.class, (s, c) -> onStatuses(s, List.of(c.status()), null))
        .onCommand(AgentRuns.class, this::onAgentRuns)
        .onCommand(CronScheduler.Put.class, this::onPut)
        .onCommand(CronScheduler.Delete.class, this::onDelete)
        .onCommand(
            CronScheduler.Get.class,
            (s, c) -> Effect().reply(c.replyTo(), CronReplies.job(s, c.job())))
        .onCommand(
            CronScheduler.ListJobs.class,
            (s, c) -> Effect().reply(c.replyTo(), CronReplies.jobs(s)))
        .onCommand(
            CronScheduler.GetRuns.class,
            (s, c) -> Effect().reply(c.replyTo(), CronReplies.runs(s, c.job(), c.limit())))
        .onCommand(CronScheduler.Trigger.class, this::onTrigger)
        .onCommand(CronScheduler.RunLogs.class, this::onRunLogs)
        .onCommand(CronScheduler.Describe.class, this::onDescribe)
        .onCommand(
            CronScheduler.GetRevisions.class,
            (s, c) -> Effect().reply(c.replyTo(), CronReplies.revisions(s)))
        .onCommand(CronScheduler.Stop.class, (s, c) -> Effect().stop().thenNoReply())
        .build();
  }

  // Take-over.

  private ReplyEffect<CronEvent, CronState> fence(CronState s) {
    if (ready) {
      return Effect().noReply();
    }
    long token = s.fence() + 1;
    return Effect()
        .persist(new CronEvent.Fenced(token, address, clock.millis()))
        .thenRun(
            n -> {
              ready = true;
              ctx.getLog()
                  .info(
                      "cron scheduler started on {} with fencing token {}: {} jobs, {} runs to"
                          + " ask their agents about",
                      address,
                      token,
                      n.jobs().size(),
                      n.activeRuns().size());
              timers.startTimerWithFixedDelay(
                  CronScheduler.Reconcile.INSTANCE, CronScheduler.RECONCILE_INTERVAL);
              ctx.getSelf().tell(CronScheduler.Reconcile.INSTANCE);
              ctx.getSelf().tell(CronScheduler.Wake.INSTANCE);
            })
        .thenNoReply();
  }

  // Ticks.

  private Schedule schedule(String job, CronSpec spec) {
    CachedSchedule c = schedules.get(job);
    if (c == null
        || !c.schedule().equals(spec.schedule())
        || !c.timezone().equals(spec.timezone())) {
      c = new CachedSchedule(spec.schedule(), spec.timezone(), CronSpecs.schedule(spec));
      schedules.put(job, c);
    }
    return c.parsed();
  }

  /**
   * One look at every job: persist what is decided, then dispatch and sleep until the next tick.
   */
  private ReplyEffect<CronEvent, CronState> plan(CronState s) {
    CronRound.Round round = CronRound.plan(s, hosts, clock.instant(), this::schedule);
    List<CronEvent> events = round.events();
    List<RunRecord> stop = round.stop();
    if (events.isEmpty()) {
      sleep(s);
      return Effect().noReply();
    }
    return persistThenDispatch(
        events,
        n -> {
          for (RunRecord r : stop) {
            stopRun(n, r, "replaced by a newer tick (concurrency replace)");
          }
          sleep(n);
        });
  }

  /**
   * Persists {@code events}; once they are written (never before) logs them, runs {@code after} and
   * dispatches every run they start.
   */
  private ReplyEffect<CronEvent, CronState> persistThenDispatch(
      List<CronEvent> events, java.util.function.Consumer<CronState> after) {
    return Effect()
        .persist(events)
        .thenRun(
            n -> {
              CronLog.log(ctx.getLog(), events);
              after.accept(n);
              for (CronEvent ev : events) {
                if (ev instanceof CronEvent.TickStarted t) {
                  dispatch(n, t.job(), t.run());
                }
              }
            })
        .thenNoReply();
  }

  /** Sleeps until the next tick of any job, at most {@link CronScheduler#MAX_SLEEP}. */
  private void sleep(CronState s) {
    Instant now = clock.instant();
    Instant wake = now.plus(CronScheduler.MAX_SLEEP);
    for (Map.Entry<String, CronState.Job> e : s.jobs().entrySet()) {
      CronSpec spec = e.getValue().spec();
      if (Boolean.TRUE.equals(spec.suspend())) {
        continue;
      }
      Optional<Instant> next =
          schedule(e.getKey(), spec).next(Instant.parse(e.getValue().cursor()));
      if (next.isEmpty()) {
        continue;
      }
      // A tick already due was held back (no host yet): look again in a moment, not at once.
      Instant at = next.get().isAfter(now) ? next.get() : now.plus(RETRY_BLOCKED);
      if (at.isBefore(wake)) {
        wake = at;
      }
    }
    Duration d = Duration.between(now, wake);
    if (d.compareTo(Duration.ofMillis(1)) < 0) {
      d = Duration.ofMillis(1);
    }
    timers.startSingleTimer(CronScheduler.Wake.INSTANCE, CronScheduler.Wake.INSTANCE, d);
  }

  private void dispatch(CronState s, String job, RunRecord r) {
    CronState.Job j = s.job(job);
    Optional<HostInfo> host = host(r.host());
    if (j == null || host.isEmpty()) {
      return; // The reconcile finds it: asks again or declares it lost.
    }
    CronSpec spec = j.spec();
    host.get()
        .agent()
        .tell(
            new HostAgent.StartRun(
                new RunOrder(
                    r.run(),
                    job,
                    r.tick(),
                    spec.revision(),
                    spec.command(),
                    spec.env(),
                    spec.timeout(),
                    spec.secretEnv(),
                    spec.user()),
                s.fence(),
                statusAdapter));
  }

  private void stopRun(CronState s, RunRecord r, String reason) {
    host(r.host())
        .ifPresent(h -> h.agent().tell(new HostAgent.StopRun(r.run(), s.fence(), reason)));
  }

  private Optional<HostInfo> host(String name) {
    return Optional.ofNullable(hostsByName.get(name));
  }

  // What the agents say.

  private ReplyEffect<CronEvent, CronState> onHosts(CronState s, HostsChanged c) {
    hosts = c.hosts();
    Map<String, HostInfo> byName = new HashMap<>();
    for (HostInfo h : hosts.hosts()) {
      byName.put(h.name(), h);
    }
    hostsByName = byName;
    return Effect().noReply();
  }

  private ReplyEffect<CronEvent, CronState> onAgentRuns(CronState s, AgentRuns a) {
    if (a.statuses() == null) {
      ctx.getLog()
          .debug("cron scheduler: agent of host {} did not answer about its runs", a.host());
      return Effect().noReply();
    }
    return onStatuses(s, a.statuses().runs(), a.incarnation());
  }

  /**
   * Statuses from agents: an ended run is persisted (with its retry, if the job has retries left);
   * an unknown one dispatched again; a running one confirmed.
   */
  private ReplyEffect<CronEvent, CronState> onStatuses(
      CronState s, List<RunStatus> statuses, String incarnation) {
    List<CronEvent> events = new ArrayList<>();
    List<RunRecord> redispatch = new ArrayList<>();
    Map<String, Integer> perHost = s.runsPerHost();
    Instant now = clock.instant();
    for (RunStatus st : statuses) {
      // an agent that never saw a run answers without its job name: found by the run id
      String jobName = st.job() != null ? st.job() : s.jobOfRun(st.runId());
      CronState.Job job = s.job(jobName);
      RunRecord rec = job == null ? null : job.run(st.runId());
      if (rec == null) {
        continue;
      }
      String inc =
          incarnation != null
              ? incarnation
              : host(rec.host()).map(HostInfo::incarnation).orElse(null);
      RunReconcile.Outcome o = RunReconcile.decide(rec, st, inc);
      switch (o.action()) {
        case RUNNING -> confirmed.add(rec.run());
        case REDISPATCH -> redispatch.add(rec);
        case STALE ->
            ctx.getLog()
                .warn(
                    "cron scheduler with fencing token {}: the agent of host {} has seen token {};"
                        + " a newer scheduler runs, this one dispatches nothing",
                    s.fence(),
                    rec.host(),
                    st.fence());
        case ENDED ->
            ended(
                s,
                jobName,
                rec,
                o.state(),
                st.exitCode(),
                st.startedAt(),
                o.reason(),
                now,
                perHost,
                events);
        default -> {}
      }
    }
    for (RunRecord r : redispatch) {
      ctx.getLog()
          .info(
              "cronjob run {} on host {}: its agent never got it; dispatching it again",
              r.run(),
              r.host());
    }
    if (events.isEmpty()) {
      for (RunRecord r : redispatch) {
        dispatch(s, jobOf(s, r), r);
      }
      return Effect().noReply();
    }
    return persistThenDispatch(
        events,
        n -> {
          for (RunRecord r : redispatch) {
            dispatch(n, jobOf(n, r), r);
          }
        });
  }

  private static String jobOf(CronState s, RunRecord r) {
    return s.jobOfRun(r.run());
  }

  /** The events of a run's end: the end, and a retry when the job has retries left. */
  private void ended(
      CronState s,
      String job,
      RunRecord rec,
      String state,
      Integer exitCode,
      Long startedAt,
      String reason,
      Instant now,
      Map<String, Integer> perHost,
      List<CronEvent> events) {
    confirmed.remove(rec.run());
    events.add(
        new CronEvent.RunEnded(
            job, rec.run(), state, exitCode, startedAt, now.toEpochMilli(), reason));
    CronState.Job j = s.job(job);
    if (RunRecord.SUCCEEDED.equals(state) || j == null || rec.attempt() >= j.spec().retry()) {
      return;
    }
    int attempt = rec.attempt() + 1;
    String run =
        rec.manual()
            ? rec.run().replaceAll("-retry\\d+$", "") + "-retry" + attempt
            : RunIds.of(job, Instant.parse(rec.tick()), attempt);
    Optional<HostInfo> host =
        HostChoice.pick(hosts, j.spec().pool(), perHost, Set.of(rec.host()), run);
    if (host.isEmpty()) {
      ctx.getLog()
          .warn(
              "cronjob {} tick {}: no schedulable host in pool {} for retry {}",
              job,
              rec.tick(),
              j.spec().pool(),
              attempt);
      return;
    }
    perHost.merge(host.get().name(), 1, Integer::sum);
    events.add(
        new CronEvent.TickStarted(
            job,
            RunRecord.started(
                run,
                Instant.parse(rec.tick()),
                host.get(),
                now,
                rec.manual(),
                attempt,
                s.fence())));
  }

  /** Asks the agents about active runs; a run whose host departed is lost. */
  private ReplyEffect<CronEvent, CronState> reconcile(CronState s) {
    reconcileRound++;
    boolean all = reconcileRound % CronScheduler.FULL_RECONCILE_EVERY == 1;
    Instant now = clock.instant();
    Map<String, Integer> perHost = s.runsPerHost();
    List<CronEvent> events = new ArrayList<>();
    Map<String, List<String>> ask = new HashMap<>();
    for (CronState.ActiveRun a : s.activeRuns()) {
      RunRecord r = a.run();
      Optional<HostInfo> h = host(r.host());
      boolean departed = hosts.departed().contains(r.host());
      boolean unknownTooLong =
          h.isEmpty() && now.toEpochMilli() - s.fencedAt() > HOST_UNKNOWN_AFTER.toMillis();
      if (departed || unknownTooLong) {
        String reason =
            departed
                ? RunReconcile.departed(r, hosts.vanished().contains(r.host())).reason()
                : "host " + r.host() + " is not in the cluster; the run is not started again";
        ended(s, a.job(), r, RunRecord.LOST, null, null, reason, now, perHost, events);
      } else if (h.isPresent() && (all || !confirmed.contains(r.run()))) {
        ask.computeIfAbsent(r.host(), k -> new ArrayList<>()).add(r.run());
      }
    }
    for (Map.Entry<String, List<String>> e : ask.entrySet()) {
      HostInfo h = host(e.getKey()).orElseThrow();
      long token = s.fence();
      ctx.ask(
          RunStatuses.class,
          h.agent(),
          CronScheduler.AGENT_ASK_TIMEOUT,
          replyTo -> new HostAgent.GetRuns(e.getValue(), token, statusAdapter, replyTo),
          (res, err) -> new AgentRuns(h.name(), h.incarnation(), err == null ? res : null));
    }
    if (events.isEmpty()) {
      return Effect().noReply();
    }
    return persistThenDispatch(events, n -> {});
  }

  // API.

  private ReplyEffect<CronEvent, CronState> onPut(CronState s, CronScheduler.Put c) {
    CronState.Job old = s.job(c.job());
    SecretEnvs.Kept kept =
        SecretEnvs.keep(c.spec().secretEnv(), old == null ? null : old.spec().secretEnv());
    if (kept.problem() != null) {
      return Effect().reply(c.replyTo(), new CronScheduler.Rejected(true, kept.problem()));
    }
    CronSpec spec = CronSpecs.withDefaults(CronSpecs.withSecretEnv(c.spec(), kept.secretEnv()));
    if (old != null && old.spec().equals(spec)) {
      return Effect()
          .reply(
              c.replyTo(),
              new CronScheduler.Saved(false, CronView.of(c.job(), old, CronView.LAST_RUNS)));
    }
    boolean reset =
        old == null
            || !old.spec().schedule().equals(spec.schedule())
            || !old.spec().timezone().equals(spec.timezone())
            || (Boolean.TRUE.equals(old.spec().suspend()) && !Boolean.TRUE.equals(spec.suspend()));
    return Effect()
        .persist(new CronEvent.JobPut(c.job(), spec, clock.millis(), reset))
        .thenRun(
            n -> {
              ctx.getLog()
                  .info(
                      "cronjob {} {}: schedule '{}' ({}), pool {}, revision {}{}",
                      c.job(),
                      old == null ? "created" : "changed",
                      spec.schedule(),
                      spec.timezone(),
                      spec.pool(),
                      spec.revision(),
                      Boolean.TRUE.equals(spec.suspend()) ? ", suspended" : "");
              if (ready) {
                sleep(n);
              }
            })
        .thenReply(
            c.replyTo(),
            n ->
                new CronScheduler.Saved(
                    old == null, CronView.of(c.job(), n.job(c.job()), CronView.LAST_RUNS)));
  }

  private ReplyEffect<CronEvent, CronState> onDelete(CronState s, CronScheduler.Delete c) {
    CronState.Job old = s.job(c.job());
    if (old == null) {
      return Effect().reply(c.replyTo(), CronReplies.notFound(c.job()));
    }
    return Effect()
        .persist(new CronEvent.JobDeleted(c.job(), clock.millis()))
        .thenRun(
            n -> {
              schedules.remove(c.job());
              ctx.getLog()
                  .info(
                      "cronjob {} deleted ({} runs still running finish on their hosts)",
                      c.job(),
                      old.active().size());
            })
        .thenReply(c.replyTo(), n -> new CronScheduler.Saved(false, CronView.of(c.job(), old, 0)));
  }

  private ReplyEffect<CronEvent, CronState> onTrigger(CronState s, CronScheduler.Trigger c) {
    CronState.Job j = s.job(c.job());
    if (j == null) {
      return Effect().reply(c.replyTo(), CronReplies.notFound(c.job()));
    }
    if (!ready) {
      return Effect()
          .reply(
              c.replyTo(),
              new CronScheduler.Rejected(
                  false, "the cron scheduler is starting (taking over); try again in a moment"));
    }
    CronSpec spec = j.spec();
    List<RunRecord> active = j.active();
    if (!active.isEmpty() && spec.concurrency().equals("forbid")) {
      return Effect()
          .reply(
              c.replyTo(),
              new CronScheduler.Rejected(
                  true,
                  "run "
                      + active.get(active.size() - 1).run()
                      + " of cronjob "
                      + c.job()
                      + " is still running and its concurrency is forbid: wait for it to end"));
    }
    Instant now = clock.instant();
    String run = RunIds.manual(c.job(), now);
    Optional<HostInfo> host = HostChoice.pick(hosts, spec.pool(), s.runsPerHost(), Set.of(), run);
    if (host.isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(),
              new CronScheduler.Rejected(
                  true,
                  "no schedulable host in pool "
                      + spec.pool()
                      + " (GET /api/v1/hosts shows them); nothing was started"));
    }
    RunRecord r = RunRecord.started(run, now, host.get(), now, true, 0, s.fence());
    List<RunRecord> replaced = spec.concurrency().equals("replace") ? active : List.of();
    CronEvent e = new CronEvent.TickStarted(c.job(), r);
    return Effect()
        .persist(e)
        .thenRun(
            n -> {
              CronLog.log(ctx.getLog(), List.of(e));
              for (RunRecord old : replaced) {
                stopRun(n, old, "replaced by manual run " + run + " (concurrency replace)");
              }
              dispatch(n, c.job(), r);
            })
        .thenReply(c.replyTo(), n -> new CronScheduler.Triggered(r));
  }

  private ReplyEffect<CronEvent, CronState> onRunLogs(CronState s, CronScheduler.RunLogs c) {
    CronState.Job j = s.job(c.job());
    RunRecord r = j == null ? null : j.run(c.run());
    if (r == null || r.host() == null) {
      c.replyTo()
          .tell(
              StatusReply.error(
                  j == null
                      ? "no cronjob named " + c.job()
                      : "no run " + c.run() + " of cronjob " + c.job() + " ran on a host"));
      return Effect().noReply();
    }
    Optional<HostInfo> h = host(r.host());
    if (h.isEmpty()) {
      c.replyTo()
          .tell(
              StatusReply.error(
                  "host " + r.host() + " of run " + c.run() + " is not in the cluster now"));
      return Effect().noReply();
    }
    h.get().agent().tell(new HostAgent.GetRunLogs(c.run(), c.tail(), c.replyTo()));
    return Effect().noReply();
  }

  private ReplyEffect<CronEvent, CronState> onDescribe(CronState s, CronScheduler.Describe c) {
    ObjectNode d = CronReplies.details(s, s.activeRuns().size(), this::schedule);
    return Effect()
        .reply(
            c.replyTo(),
            Singletons.get(ctx.getSystem())
                .describe(CronScheduler.NAME, ready ? SingletonInfo.RUNNING : "starting", d));
  }
}
