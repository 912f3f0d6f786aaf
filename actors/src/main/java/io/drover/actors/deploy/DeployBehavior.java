package io.drover.actors.deploy;

import io.drover.actors.common.EventSourcing;
import io.drover.actors.deploy.DeployEntity.Abort;
import io.drover.actors.deploy.DeployEntity.BakeStarted;
import io.drover.actors.deploy.DeployEntity.Command;
import io.drover.actors.deploy.DeployEntity.Create;
import io.drover.actors.deploy.DeployEntity.Deps;
import io.drover.actors.deploy.DeployEntity.Ended;
import io.drover.actors.deploy.DeployEntity.Enqueued;
import io.drover.actors.deploy.DeployEntity.Event;
import io.drover.actors.deploy.DeployEntity.Forced;
import io.drover.actors.deploy.DeployEntity.Get;
import io.drover.actors.deploy.DeployEntity.GetSteps;
import io.drover.actors.deploy.DeployEntity.Go;
import io.drover.actors.deploy.DeployEntity.HostDone;
import io.drover.actors.deploy.DeployEntity.HostFailed;
import io.drover.actors.deploy.DeployEntity.HostSkipped;
import io.drover.actors.deploy.DeployEntity.HostStarted;
import io.drover.actors.deploy.DeployEntity.Outcome;
import io.drover.actors.deploy.DeployEntity.Pause;
import io.drover.actors.deploy.DeployEntity.Paused;
import io.drover.actors.deploy.DeployEntity.Reply;
import io.drover.actors.deploy.DeployEntity.ReportedToQueue;
import io.drover.actors.deploy.DeployEntity.Requested;
import io.drover.actors.deploy.DeployEntity.Resume;
import io.drover.actors.deploy.DeployEntity.Resumed;
import io.drover.actors.deploy.DeployEntity.Revert;
import io.drover.actors.deploy.DeployEntity.RevertCreated;
import io.drover.actors.deploy.DeployEntity.RevertLinked;
import io.drover.actors.deploy.DeployEntity.RolloutBegun;
import io.drover.actors.deploy.DeployEntity.Settled;
import io.drover.actors.deploy.DeployEntity.SiteEnded;
import io.drover.actors.deploy.DeployEntity.Started;
import io.drover.actors.deploy.DeployEntity.Steps;
import io.drover.actors.deploy.DeployEntity.Stop;
import io.drover.actors.deploy.DeployEntity.Tick;
import io.drover.actors.deploy.DeployEntity.WrappedHosts;
import io.drover.actors.deploy.DeployEntity.WrappedProgress;
import io.drover.actors.deploy.DeployState.HostRow;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.site.SiteEntity;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/** The event-sourced behaviour of one {@link DeployEntity}. */
final class DeployBehavior
    extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, DeployState> {

  /** A host in flight is asked again for its progress when nothing was heard this long. */
  private static final long RESYNC_MILLIS = 5_000;

  private final String id;
  private final ActorContext<Command> ctx;
  private final Deps deps;
  private final ActorRef<SiteEntity.HostProgress> progressAdapter;

  // in memory only: rebuilt by asking again after a restart
  private final Map<String, Map<String, SiteEntity.HostProgress>> progress = new HashMap<>();
  private final Map<String, SiteEntity.RolloutReply> begun = new LinkedHashMap<>();
  private final Set<String> beginAsked = new HashSet<>();
  private boolean going;
  private boolean enqueued;
  private final Set<String> sitesEnded = new HashSet<>();
  private final Set<String> sitesEnding = new HashSet<>();
  private boolean revertCreated;
  private boolean revertCreating;
  private DeployStatus queueKnows;
  private boolean queueTelling;
  private boolean settling;
  private final Set<String> unreachable = new HashSet<>();
  private HostDirectory.Hosts lastHosts;
  private long lastHeard;
  private final List<ActorRef<Reply>> revertWaiters = new ArrayList<>();

  private final ActorRef<
          org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand>
      shard;
  private boolean passivating;

  DeployBehavior(
      String id,
      ActorContext<Command> ctx,
      Deps deps,
      ActorRef<org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.ShardCommand>
          shard) {
    super(
        PersistenceId.of(DeployEntity.ENTITY_TYPE_KEY.name(), id),
        EventSourcing.onJournalFailure());
    this.id = id;
    this.ctx = ctx;
    this.deps = deps;
    this.shard = shard;
    this.progressAdapter = ctx.messageAdapter(SiteEntity.HostProgress.class, WrappedProgress::new);
    ActorRef<HostDirectory.Hosts> hostsAdapter =
        ctx.messageAdapter(HostDirectory.Hosts.class, WrappedHosts::new);
    deps.hosts().tell(new HostDirectory.Subscribe(hostsAdapter));
  }

  private long now() {
    return deps.clock().getAsLong();
  }

  @Override
  public DeployState emptyState() {
    return DeployState.empty();
  }

  @Override
  public EventHandler<DeployState, Event> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(DeployState::apply);
  }

  @Override
  public SignalHandler<DeployState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(
            RecoveryCompleted.instance(),
            s -> {
              if (!s.exists()) {
                return;
              }
              if (s.status() == DeployStatus.QUEUED) {
                enqueue(s);
              } else if (!s.status().ended()) {
                ctx.getLog()
                    .info(
                        "deploy {}: recovered {}, driving its hosts in flight again",
                        id,
                        s.status().json());
                resync(s);
              } else if (!s.settled()) {
                settle(s);
              }
            })
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, Event, DeployState> commandHandler() {
    return newCommandHandlerWithReplyBuilder()
        .forAnyState()
        .onCommand(Create.class, this::onCreate)
        .onCommand(
            Get.class,
            (s, c) ->
                Effect()
                    .reply(
                        c.replyTo(),
                        s.exists() ? new Reply(Outcome.OK, null, DeployView.of(s)) : notFound()))
        .onCommand(GetSteps.class, this::onGetSteps)
        .onCommand(Go.class, this::onGo)
        .onCommand(RolloutBegun.class, this::onBegun)
        .onCommand(WrappedProgress.class, this::onProgress)
        .onCommand(WrappedHosts.class, this::onHosts)
        .onCommand(Tick.class, this::onTick)
        .onCommand(Abort.class, this::onAbort)
        .onCommand(Forced.class, this::onForced)
        .onCommand(DeployEntity.ForcedAbort.class, this::onForcedAbort)
        .onCommand(Pause.class, this::onPause)
        .onCommand(Resume.class, this::onResume)
        .onCommand(Revert.class, this::onRevert)
        .onCommand(Enqueued.class, (s, c) -> whenDone(() -> enqueued = c.ok()))
        .onCommand(SiteEnded.class, this::onSiteEnded)
        .onCommand(RevertCreated.class, this::onRevertCreated)
        .onCommand(ReportedToQueue.class, this::onReportedToQueue)
        .onCommand(Stop.class, (s, c) -> Effect().stop().thenNoReply())
        .build();
  }

  private ReplyEffect<Event, DeployState> whenDone(Runnable r) {
    r.run();
    return Effect().noReply();
  }

  /** An id that names no deploy, or a deploy with nothing left to do: its entity stops. */
  private void passivate() {
    if (shard != null && !passivating) {
      passivating = true;
      shard.tell(
          new org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding.Passivate<>(
              ctx.getSelf()));
    }
  }

  private Reply notFound() {
    return new Reply(Outcome.NOT_FOUND, "deploy " + id + " does not exist", null);
  }

  // ---- requests

  private ReplyEffect<Event, DeployState> onCreate(DeployState s, Create c) {
    if (s.exists()) {
      DeploySpec had = s.spec();
      if (had.sites().equals(c.spec().sites()) && had.revisions().equals(c.spec().revisions())) {
        return Effect().reply(c.replyTo(), new Reply(Outcome.CREATED, null, DeployView.of(s)));
      }
      return Effect()
          .reply(
              c.replyTo(),
              new Reply(
                  Outcome.CONFLICT,
                  "deploy "
                      + id
                      + " exists with other sites or revisions: choose another id or leave it"
                      + " out",
                  DeployView.of(s)));
    }
    return Effect()
        .persist(new Requested(c.spec()))
        .thenRun(
            st -> {
              ctx.getLog()
                  .info(
                      "deploy {}: requested by {} for sites {} to revision {} (reason: {})",
                      id,
                      st.spec().by(),
                      st.spec().sites(),
                      st.spec().revision() == null ? st.spec().revisions() : st.spec().revision(),
                      st.spec().reason());
              published(st, 1);
              enqueue(st);
            })
        .thenReply(c.replyTo(), st -> new Reply(Outcome.CREATED, null, DeployView.of(st)));
  }

  private ReplyEffect<Event, DeployState> onGetSteps(DeployState s, GetSteps c) {
    List<Step> after = new ArrayList<>();
    for (Step step : s.steps()) {
      if (step.seq() > c.after() && after.size() < c.limit()) {
        after.add(step);
      }
    }
    return Effect().reply(c.replyTo(), new Steps(id, s.exists() ? s.status() : null, after));
  }

  private ReplyEffect<Event, DeployState> onAbort(DeployState s, Abort c) {
    if (!s.exists()) {
      return Effect().reply(c.replyTo(), notFound());
    }
    if (s.status().ended()) {
      return Effect().reply(c.replyTo(), alreadyEnded(s));
    }
    String reason = c.reason() == null ? "aborted by " + c.by() : c.reason();
    return end(s, DeployStatus.ABORTED, reason, c.by(), null)
        .thenReply(c.replyTo(), st -> new Reply(Outcome.OK, null, DeployView.of(st)));
  }

  private ReplyEffect<Event, DeployState> onForced(DeployState s, Forced c) {
    if (!s.exists() || s.status().ended()) {
      return Effect().noReply();
    }
    return end(
            s,
            DeployStatus.ABORTED,
            "aborted: deploy " + c.byDeploy() + " was started with force",
            c.byDeploy(), // who aborted it: the forcing deploy
            null)
        .thenRun(
            st ->
                deps.deploys()
                    .apply(c.byDeploy())
                    .tell(new DeployEntity.ForcedAbort(s.spec().id())))
        .thenNoReply();
  }

  /** Records that this deploy's {@code force} aborted another one: the forcing side's record. */
  private ReplyEffect<Event, DeployState> onForcedAbort(DeployState s, DeployEntity.ForcedAbort c) {
    if (!s.exists() || s.aborted().contains(c.aborted())) {
      return Effect().noReply();
    }
    return Effect()
        .persist(new DeployEntity.AbortedByForce(c.aborted(), deps.clock().getAsLong()))
        .thenRun(
            st ->
                ctx.getLog()
                    .info("deploy {}: aborted deploy {} (force)", s.spec().id(), c.aborted()))
        .thenNoReply();
  }

  private Reply alreadyEnded(DeployState s) {
    return new Reply(
        Outcome.CONFLICT,
        "deploy " + id + " already ended (" + s.status().json() + ")",
        DeployView.of(s));
  }

  private ReplyEffect<Event, DeployState> onPause(DeployState s, Pause c) {
    if (!s.exists()) {
      return Effect().reply(c.replyTo(), notFound());
    }
    if (s.status() == DeployStatus.PAUSED) {
      return Effect().reply(c.replyTo(), new Reply(Outcome.OK, null, DeployView.of(s)));
    }
    if (s.status() != DeployStatus.RUNNING) {
      return Effect()
          .reply(
              c.replyTo(),
              new Reply(
                  Outcome.CONFLICT,
                  "deploy " + id + " is " + s.status().json() + ": only a running deploy pauses",
                  DeployView.of(s)));
    }
    return Effect()
        .persist(new Paused(c.by(), c.reason(), now()))
        .thenRun(
            st -> {
              ctx.getLog().info("deploy {}: paused by {}: no new host starts", id, c.by());
              published(st, 1);
              tellQueue(st);
            })
        .thenReply(c.replyTo(), st -> new Reply(Outcome.OK, null, DeployView.of(st)));
  }

  private ReplyEffect<Event, DeployState> onResume(DeployState s, Resume c) {
    if (!s.exists()) {
      return Effect().reply(c.replyTo(), notFound());
    }
    if (s.status() == DeployStatus.RUNNING) {
      return Effect().reply(c.replyTo(), new Reply(Outcome.OK, null, DeployView.of(s)));
    }
    if (s.status() != DeployStatus.PAUSED) {
      return Effect()
          .reply(
              c.replyTo(),
              new Reply(
                  Outcome.CONFLICT,
                  "deploy " + id + " is " + s.status().json() + ": only a paused deploy resumes",
                  DeployView.of(s)));
    }
    return Effect()
        .persist(new Resumed(c.by(), now()))
        .thenRun(
            st -> {
              ctx.getLog().info("deploy {}: resumed by {}", id, c.by());
              published(st, 1);
              tellQueue(st);
              ctx.getSelf().tell(Tick.INSTANCE);
            })
        .thenReply(c.replyTo(), st -> new Reply(Outcome.OK, null, DeployView.of(st)));
  }

  private ReplyEffect<Event, DeployState> onRevert(DeployState s, Revert c) {
    if (!s.exists()) {
      return Effect().reply(c.replyTo(), notFound());
    }
    if (s.revertedBy() != null) {
      if (revertCreated) {
        return Effect().reply(c.replyTo(), new Reply(Outcome.OK, s.revertedBy(), DeployView.of(s)));
      }
      revertWaiters.add(c.replyTo());
      createRevert(s);
      return Effect().noReply();
    }
    if (s.previous().isEmpty()) {
      return Effect()
          .reply(
              c.replyTo(),
              new Reply(
                  Outcome.CONFLICT,
                  "deploy "
                      + id
                      + " changed no site yet: nothing to revert"
                      + (s.status().ended() ? "" : " (abort it instead)"),
                  DeployView.of(s)));
    }
    String revertId = DeployPlanner.revertId(id);
    revertWaiters.add(c.replyTo());
    if (!s.status().ended()) {
      String reason = c.reason() == null ? "reverted by " + c.by() : c.reason();
      return end(s, DeployStatus.REVERTED, reason, c.by(), revertId).thenNoReply();
    }
    return Effect()
        .persist(new RevertLinked(revertId))
        .thenRun(
            st -> {
              ctx.getLog().info("deploy {}: reverted by deploy {} ({})", id, revertId, c.by());
              createRevert(st);
            })
        .thenNoReply();
  }

  // ---- starting

  private void enqueue(DeployState s) {
    deps.queue()
        .tell(
            new DeployDirectory.Enqueue(
                DeployDirectory.Summary.of(s),
                s.spec().revertOf() != null,
                s.spec().force(),
                ctx.messageAdapter(
                    org.apache.pekko.Done.class, d -> new DeployEntity.Enqueued(true))));
  }

  private ReplyEffect<Event, DeployState> onGo(DeployState s, Go c) {
    if (!s.exists() || s.status() != DeployStatus.QUEUED) {
      return Effect().noReply();
    }
    enqueued = true;
    if (!going) {
      going = true;
      ctx.getLog().info("deploy {}: its turn; taking sites {}", id, s.spec().sites());
      askBegin(s);
    }
    return Effect().noReply();
  }

  private void askBegin(DeployState s) {
    for (String site : s.spec().sites()) {
      if (begun.containsKey(site) || beginAsked.contains(site)) {
        continue;
      }
      beginAsked.add(site);
      String revision = s.spec().revisionOf(site);
      ctx.ask(
          SiteEntity.RolloutReply.class,
          deps.sites().apply(site),
          deps.askTimeout(),
          r -> new SiteEntity.BeginRollout(id, revision, r),
          (reply, failure) ->
              new RolloutBegun(site, reply, failure == null ? null : failure.toString()));
    }
  }

  private ReplyEffect<Event, DeployState> onBegun(DeployState s, RolloutBegun c) {
    beginAsked.remove(c.site());
    if (s.status() != DeployStatus.QUEUED) {
      return Effect().noReply();
    }
    if (c.reply() == null) {
      ctx.getLog()
          .warn("deploy {}: site {} did not answer ({}); asking again", id, c.site(), c.failure());
      return Effect().noReply();
    }
    if (c.reply().outcome() != SiteEntity.Outcome.OK) {
      return end(
              s,
              DeployStatus.FAILED,
              "site " + c.site() + ": " + c.reply().message(),
              "drover",
              null)
          .thenNoReply();
    }
    begun.put(c.site(), c.reply());
    if (!begun.keySet().containsAll(s.spec().sites())) {
      return Effect().noReply();
    }
    Map<String, String> previous = new TreeMap<>();
    Map<String, String> poolOf = new HashMap<>();
    Map<String, List<String>> hostSites = new TreeMap<>();
    for (Map.Entry<String, SiteEntity.RolloutReply> e : begun.entrySet()) {
      previous.put(e.getKey(), e.getValue().previousRevision());
      for (String host : e.getValue().hosts()) {
        poolOf.putIfAbsent(host, e.getValue().pool());
        hostSites.computeIfAbsent(host, h -> new ArrayList<>()).add(e.getKey());
      }
    }
    List<DeployOrder.HostRef> refs = new ArrayList<>();
    poolOf.forEach((h, p) -> refs.add(new DeployOrder.HostRef(h, p)));
    List<HostRow> rows = new ArrayList<>();
    for (DeployOrder.Slot slot :
        DeployOrder.order(refs, s.spec().seed(), s.spec().canaryPerPool())) {
      rows.add(
          new HostRow(slot.host(), slot.pool(), slot.canary(), HostState.PENDING, null, 0, 0, 0));
    }
    long at = now();
    return Effect()
        .persist(new Started(at, previous, rows, hostSites))
        .thenRun(
            st -> {
              ctx.getLog()
                  .info(
                      "deploy {}: started on {} hosts ({} canaries), parallel {}, per pool {}, seed"
                          + " {}",
                      id,
                      rows.size(),
                      rows.stream().filter(HostRow::canary).count(),
                      st.spec().parallel(),
                      st.spec().perPool(),
                      st.spec().seed());
              published(st, 1);
              tellQueue(st);
              ctx.getSelf().tell(Tick.INSTANCE);
            })
        .thenNoReply();
  }

  // ---- running

  private ReplyEffect<Event, DeployState> onTick(DeployState s, Tick t) {
    if (!s.exists() || (s.settled() && revertWaiters.isEmpty())) {
      passivate();
      return Effect().noReply();
    }
    if (s.status() == DeployStatus.QUEUED) {
      if (!enqueued) {
        enqueue(s);
      } else if (going) {
        askBegin(s);
      }
      return Effect().noReply();
    }
    if (s.status().ended()) {
      if (!s.settled()) {
        settle(s);
      }
      return Effect().noReply();
    }
    if (queueKnows != s.status()) {
      tellQueue(s);
    }
    long now = now();
    if (lastHeard > 0 && now - lastHeard > RESYNC_MILLIS) {
      resync(s);
    }
    return drive(s, now);
  }

  /** Persists what the planner says now; one decision per call, the next follows the event. */
  private ReplyEffect<Event, DeployState> drive(DeployState s, long now) {
    DeployPlanner.Decision d = DeployPlanner.next(s, now);
    if (d instanceof DeployPlanner.StartHosts start) {
      List<Event> events = new ArrayList<>();
      for (String host : start.hosts()) {
        events.add(new HostStarted(host, now));
      }
      return Effect()
          .persist(events)
          .thenRun(
              st -> {
                for (String host : start.hosts()) {
                  ctx.getLog()
                      .info(
                          "deploy {}: host {} started (sites {})",
                          id,
                          host,
                          st.hostSites().get(host));
                }
                published(st, events.size());
                release(st, start.hosts());
              })
          .thenNoReply();
    } else if (d instanceof DeployPlanner.Bake bake) {
      return Effect()
          .persist(new BakeStarted(now, bake.until()))
          .thenRun(
              st -> {
                ctx.getLog()
                    .info(
                        "deploy {}: canaries done; baking until {}",
                        id,
                        java.time.Instant.ofEpochMilli(bake.until()));
                published(st, 1);
              })
          .thenNoReply();
    } else if (d instanceof DeployPlanner.FailHost fail) {
      return Effect()
          .persist(new HostFailed(fail.host(), fail.reason(), now))
          .thenRun(st -> afterHostFailed(st, fail.host(), fail.reason()))
          .thenNoReply();
    } else if (d instanceof DeployPlanner.End end) {
      return end(s, end.status(), end.reason(), "drover", null).thenNoReply();
    }
    return Effect().noReply();
  }

  private void afterHostFailed(DeployState st, String host, String reason) {
    ctx.getLog().warn("deploy {}: host {} failed: {}", id, host, reason);
    published(st, 1);
    ctx.getSelf().tell(Tick.INSTANCE);
  }

  /** Tells each site to release its hosts among {@code hosts}. */
  private void release(DeployState s, List<String> hosts) {
    Map<String, List<String>> bySite = new TreeMap<>();
    for (String host : hosts) {
      for (String site : s.hostSites().getOrDefault(host, List.of())) {
        bySite.computeIfAbsent(site, x -> new ArrayList<>()).add(host);
      }
    }
    for (Map.Entry<String, List<String>> e : bySite.entrySet()) {
      deps.sites()
          .apply(e.getKey())
          .tell(
              new SiteEntity.ReleaseHosts(
                  id, e.getValue(), s.spec().maxStartFailures(), progressAdapter));
    }
    lastHeard = now();
  }

  /** Asks every site of every host in flight where it is (after a restart or a long silence). */
  private void resync(DeployState s) {
    List<String> inFlight = new ArrayList<>();
    for (HostRow h : s.hosts()) {
      if (h.state().inProgress() || (h.state() == HostState.DONE && h.canary())) {
        inFlight.add(h.host());
      }
    }
    progress.clear();
    release(s, inFlight);
  }

  private ReplyEffect<Event, DeployState> onProgress(DeployState s, WrappedProgress w) {
    SiteEntity.HostProgress p = w.progress();
    if (!p.deployId().equals(id)
        || (s.status() != DeployStatus.RUNNING && s.status() != DeployStatus.PAUSED)) {
      return Effect().noReply();
    }
    long now = now();
    lastHeard = now;
    Map<String, SiteEntity.HostProgress> bySite =
        progress.computeIfAbsent(p.host(), h -> new HashMap<>());
    bySite.put(p.site(), p);
    boolean unreachableNow = lastHosts != null && lastHosts.unreachable().contains(p.host());
    List<Event> events = DeployProgress.onReport(s, p, bySite, unreachableNow, now);
    if (events.isEmpty()) {
      return Effect().noReply();
    }
    return Effect()
        .persist(events)
        .thenRun(
            st -> {
              for (Event e : events) {
                if (e instanceof HostFailed f) {
                  ctx.getLog().warn("deploy {}: host {} failed: {}", id, f.host(), f.reason());
                } else if (e instanceof HostDone d) {
                  HostRow h = st.host(d.host());
                  ctx.getLog()
                      .info(
                          "deploy {}: host {} done ({} instances replaced in {} ms)",
                          id,
                          d.host(),
                          h.replaced(),
                          h.endedAt() - h.startedAt());
                }
              }
              published(st, events.size());
              if (events.stream().anyMatch(e -> e instanceof HostDone || e instanceof HostFailed)) {
                ctx.getSelf().tell(Tick.INSTANCE);
              }
            })
        .thenNoReply();
  }

  private ReplyEffect<Event, DeployState> onHosts(DeployState s, WrappedHosts w) {
    HostDirectory.Hosts hosts = w.hosts();
    lastHosts = hosts;
    unreachable.addAll(hosts.unreachable());
    if (s.status() != DeployStatus.RUNNING && s.status() != DeployStatus.PAUSED) {
      return Effect().noReply();
    }
    List<Event> events = DeployProgress.departed(s, hosts, unreachable, now());
    if (events.isEmpty()) {
      return Effect().noReply();
    }
    return Effect()
        .persist(events)
        .thenRun(
            st -> {
              for (Event e : events) {
                HostSkipped k = (HostSkipped) e;
                ctx.getLog()
                    .warn("deploy {}: host {} {}: {}", id, k.host(), k.state().json(), k.reason());
              }
              published(st, events.size());
              ctx.getSelf().tell(Tick.INSTANCE);
            })
        .thenNoReply();
  }

  // ---- ending

  private org.apache.pekko.persistence.typed.javadsl.EffectBuilder<Event, DeployState> end(
      DeployState s, DeployStatus status, String reason, String by, String revertId) {
    String revert = revertId;
    if (revert == null
        && status == DeployStatus.FAILED
        && s.spec().autoRevert()
        && s.spec().revertOf() == null
        && !s.previous().isEmpty()) {
      revert = DeployPlanner.revertId(id);
    }
    String why = revert == null ? reason : reason + "; reverted by deploy " + revert;
    return Effect()
        .persist(new Ended(status, why, by, now(), revert))
        .thenRun(
            st -> {
              if (status == DeployStatus.SUCCEEDED) {
                ctx.getLog().info("deploy {}: succeeded: {}", id, why);
              } else {
                ctx.getLog().warn("deploy {}: {}: {}", id, status.json(), why);
              }
              published(st, 1);
              settle(st);
            });
  }

  /** Tells every site the deploy ended, creates the revert if any, then tells the queue. */
  private void settle(DeployState s) {
    if (s.settled()) {
      return;
    }
    boolean succeeded = s.status() == DeployStatus.SUCCEEDED;
    List<String> done = DeployPlanner.doneHosts(s);
    for (String site : s.spec().sites()) {
      if (sitesEnded.contains(site) || sitesEnding.contains(site)) {
        continue;
      }
      sitesEnding.add(site);
      ctx.ask(
          SiteEntity.Reply.class,
          deps.sites().apply(site),
          deps.askTimeout(),
          r -> new SiteEntity.EndRollout(id, succeeded, done, s.endReason(), r),
          (reply, failure) -> new SiteEnded(site, reply != null));
    }
    if (!sitesEnded.containsAll(s.spec().sites())) {
      return;
    }
    if (s.revertedBy() != null && !revertCreated) {
      createRevert(s);
      return;
    }
    if (queueKnows != s.status()) {
      tellQueue(s);
      return;
    }
    ctx.getSelf().tell(new ReportedToQueue(s.status()));
  }

  private ReplyEffect<Event, DeployState> onSiteEnded(DeployState s, SiteEnded c) {
    sitesEnding.remove(c.site());
    if (c.ok()) {
      sitesEnded.add(c.site());
      settle(s);
    }
    return Effect().noReply();
  }

  private void createRevert(DeployState s) {
    if (revertCreating) {
      return;
    }
    revertCreating = true;
    String revertId = s.revertedBy();
    DeploySpec revert = DeployProgress.revertSpec(s, revertId, now());
    ctx.ask(
        Reply.class,
        deps.deploys().apply(revertId),
        deps.askTimeout(),
        r -> new Create(revert, r),
        (reply, failure) ->
            new RevertCreated(
                revertId,
                reply != null && reply.outcome() == Outcome.CREATED,
                reply == null ? String.valueOf(failure) : reply.message()));
  }

  private ReplyEffect<Event, DeployState> onRevertCreated(DeployState s, RevertCreated c) {
    revertCreating = false;
    if (!c.ok()) {
      ctx.getLog()
          .warn(
              "deploy {}: revert deploy {} not created yet ({}); trying again",
              id,
              c.revertId(),
              c.message());
      return Effect().noReply();
    }
    revertCreated = true;
    for (ActorRef<Reply> waiter : revertWaiters) {
      waiter.tell(new Reply(Outcome.OK, c.revertId(), DeployView.of(s)));
    }
    revertWaiters.clear();
    settle(s);
    return Effect().noReply();
  }

  private void tellQueue(DeployState s) {
    if (queueTelling) {
      return;
    }
    queueTelling = true;
    DeployStatus status = s.status();
    ctx.ask(
        org.apache.pekko.Done.class,
        deps.queue(),
        deps.askTimeout(),
        r -> new DeployDirectory.Update(DeployDirectory.Summary.of(s), r),
        (done, failure) -> new ReportedToQueue(done != null ? status : null));
  }

  private ReplyEffect<Event, DeployState> onReportedToQueue(DeployState s, ReportedToQueue c) {
    queueTelling = false;
    if (c.status() == null) {
      return Effect().noReply();
    }
    queueKnows = c.status();
    if (!s.status().ended() || s.settled() || settling || queueKnows != s.status()) {
      if (queueKnows != s.status()) {
        tellQueue(s);
      }
      return Effect().noReply();
    }
    if (!sitesEnded.containsAll(s.spec().sites()) || (s.revertedBy() != null && !revertCreated)) {
      return Effect().noReply();
    }
    settling = true;
    return Effect()
        .persist(new Settled(now()))
        .thenRun(st -> ctx.getLog().debug("deploy {}: settled", id))
        .thenNoReply();
  }

  /** Publishes the last {@code n} steps of {@code s}. */
  private void published(DeployState s, int n) {
    List<Step> steps = s.steps();
    DeployTopic topic = DeployTopic.get(ctx.getSystem());
    for (int i = Math.max(0, steps.size() - n); i < steps.size(); i++) {
      topic.publish(steps.get(i));
    }
  }
}
