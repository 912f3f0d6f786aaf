package io.drover.actors.site;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.common.Durations;
import io.drover.actors.common.EventSourcing;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import io.drover.persistence.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * One site (sharded, event-sourced): its desired spec and where its instances are placed. It tells
 * host agents what to run and replaces instances that stay missing longer than the grace period.
 */
public final class SiteEntity {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "site");

  private SiteEntity() {}

  public sealed interface Command extends CborSerializable {}

  /**
   * Creates the site or changes its spec; answers {@code CREATED} or {@code OK}.
   *
   * @param deadlineMillis wall-clock time (epoch ms) after which the request was already answered
   *     with an error: the entity then refuses it ({@code EXPIRED}) and changes nothing; 0 for none
   */
  public record Put(SiteSpec spec, long deadlineMillis, ActorRef<Reply> replyTo)
      implements Command {

    /** A Put without a deadline. */
    public Put(SiteSpec spec, ActorRef<Reply> replyTo) {
      this(spec, 0, replyTo);
    }
  }

  /**
   * Sets the instance count of the current spec, inside the entity, so that a scale never undoes a
   * concurrent Put; answers {@code OK}, {@code NOT_FOUND}, {@code INVALID} or {@code EXPIRED}.
   *
   * @param deadlineMillis as in {@link Put}
   */
  public record Scale(int instances, long deadlineMillis, ActorRef<Reply> replyTo)
      implements Command {}

  /** Answers {@code OK} with the site, or {@code NOT_FOUND}. */
  public record Get(ActorRef<Reply> replyTo) implements Command {}

  /** Stops every instance and forgets the site; answers {@code OK} or {@code NOT_FOUND}. */
  public record Delete(long deadlineMillis, ActorRef<Reply> replyTo) implements Command {

    /** A Delete without a deadline. */
    public Delete(ActorRef<Reply> replyTo) {
      this(0, replyTo);
    }
  }

  /**
   * Answers with the revisions this site uses and used, for revision retention. Also answered for a
   * site that does not exist (both sets empty).
   */
  public record GetRevisions(ActorRef<Revisions> replyTo) implements Command {}

  /**
   * @param site the site name
   * @param inUse revisions of the current spec and of every placed instance
   * @param recent the revisions the site was set to, newest first (at most {@link
   *     State#REVISION_HISTORY})
   * @param pool the pool of the current spec; {@code null} when the site does not exist
   */
  public record Revisions(
      String site, java.util.Set<String> inUse, List<String> recent, String pool)
      implements CborSerializable {}

  /**
   * A deploy takes the site to {@code revision}: it becomes the current revision (every new
   * placement runs it) while every host with an instance of another revision keeps it until {@link
   * ReleaseHosts} releases it. Idempotent per deploy; answers {@code OK}, {@code NOT_FOUND} or
   * {@code CONFLICT} (another deploy holds the site).
   */
  public record BeginRollout(String deployId, String revision, ActorRef<RolloutReply> replyTo)
      implements Command {}

  /**
   * @param previousRevision the revision before the deploy
   * @param pool the site's pool
   * @param hosts the hosts the deploy has to go through (held now or released before), sorted
   */
  public record RolloutReply(
      Outcome outcome, String message, String previousRevision, String pool, List<String> hosts)
      implements CborSerializable {}

  /**
   * Releases {@code hosts} to the deploy's revision (none: only re-sync) and tells {@code
   * progressTo} where each released host is now and whenever that changes; no reply.
   *
   * @param maxStartFailures a host fails when a new instance there failed to become ready this
   *     often
   */
  public record ReleaseHosts(
      String deployId, List<String> hosts, int maxStartFailures, ActorRef<HostProgress> progressTo)
      implements Command {}

  /** Where one released host of a deploy is, for this site (sent to the deploy). */
  public record HostProgress(
      String deployId,
      String site,
      String host,
      SiteRollout.Step step,
      int replaced,
      int restarting,
      String reason)
      implements CborSerializable {}

  /**
   * The deploy is over. Unless it succeeded the site goes back to its previous revision, except on
   * the hosts in {@code done}, which keep the deploy's revision (held, said in the site's problems)
   * until the next deploy. Idempotent; answers {@code OK}.
   */
  public record EndRollout(
      String deployId, boolean succeeded, List<String> done, String why, ActorRef<Reply> replyTo)
      implements Command {}

  /** Starts the entity if it is not running (sent by the site directory); no reply. */
  public enum Wake implements Command {
    INSTANCE
  }

  /** How a request ended. */
  public enum Outcome {
    OK,
    CREATED,
    NOT_FOUND,
    INVALID,
    CONFLICT,
    /** the request arrived after its deadline (its caller had given up); nothing changed */
    EXPIRED
  }

  /**
   * The answer to every request.
   *
   * @param outcome how it ended
   * @param message for a refusal, what to fix; otherwise {@code null}
   * @param site the site after the request; {@code null} when it does not exist
   */
  public record Reply(Outcome outcome, String message, SiteView site) implements CborSerializable {}

  /**
   * A site with its status, as shown by the API.
   *
   * @param name the site name
   * @param spec the desired spec
   * @param status a summary of the observed instances
   * @param instances every placed instance with what its host last reported
   * @param deploy the deploy that holds the site now, or whose finished hosts still keep its
   *     revision; null for none
   */
  @com.fasterxml.jackson.annotation.JsonInclude(
      com.fasterxml.jackson.annotation.JsonInclude.Include.NON_NULL)
  public record SiteView(
      String name,
      SiteSpec spec,
      SiteStatus status,
      List<InstanceStatus> instances,
      DeployHold deploy)
      implements CborSerializable {}

  /**
   * What a deploy holds of a site.
   *
   * @param id the deploy
   * @param running true while the deploy runs; false when it ended and hosts still keep its
   *     revision
   * @param previousRevision the revision before the deploy (while it runs)
   * @param released hosts the deploy released so far (while it runs)
   * @param held hosts whose instances keep their revision
   */
  public record DeployHold(
      String id, boolean running, String previousRevision, List<String> released, List<String> held)
      implements CborSerializable {}

  /**
   * @param desired the instance count asked for
   * @param ready instances that are ready
   * @param distinctHosts distinct hosts with at least one ready instance
   * @param degraded true while fewer than {@code desired} are ready or they run on fewer than two
   *     distinct hosts
   * @param problems what is wrong, one line each, for an operator
   */
  public record SiteStatus(
      int desired, int ready, int distinctHosts, boolean degraded, List<String> problems)
      implements CborSerializable {}

  /** Registers the entity type with Cluster Sharding. */
  public static void init(
      ActorSystem<?> system, ActorRef<HostDirectory.Command> hosts, SiteSettings settings) {
    ClusterSharding.get(system)
        .init(
            Entity.of(
                    ENTITY_TYPE_KEY,
                    ctx ->
                        create(
                            ctx.getEntityId(),
                            hosts,
                            settings,
                            System::currentTimeMillis,
                            selfDowned(system),
                            ctx.getShard()))
                // sites must keep reconciling while nobody talks to them
                .withSettings(ClusterShardingSettings.create(system).withNoPassivationStrategy())
                .withStopMessage(Stop.INSTANCE));
  }

  /** The behaviour of one site; {@code name} is the entity id. */
  public static Behavior<Command> create(
      String name, ActorRef<HostDirectory.Command> hosts, SiteSettings settings) {
    return create(name, hosts, settings, System::currentTimeMillis, () -> false);
  }

  /**
   * True once this node is downed (or removed): from then on it is fencing itself, and the site's
   * copy that survivors start after the removal margin is the one that decides. Sites here stop
   * planning at once, so the margin only has to cover the time the downing takes to be seen.
   */
  static BooleanSupplier selfDowned(ActorSystem<?> system) {
    Cluster cluster = Cluster.get(system);
    return () -> {
      MemberStatus s = cluster.selfMember().status();
      return s == MemberStatus.down() || s == MemberStatus.removed();
    };
  }

  /**
   * As {@link #create(String, ActorRef, SiteSettings)} with a clock (for tests of the grace) and
   * what says this node was downed.
   */
  static Behavior<Command> create(
      String name,
      ActorRef<HostDirectory.Command> hosts,
      SiteSettings settings,
      LongSupplier clock,
      BooleanSupplier downed) {
    return create(name, hosts, settings, clock, downed, null);
  }

  /**
   * As above; {@code shard} (null outside sharding) is asked to passivate the entity when the site
   * does not exist, so that asking for unknown or deleted names leaves nothing running.
   */
  static Behavior<Command> create(
      String name,
      ActorRef<HostDirectory.Command> hosts,
      SiteSettings settings,
      LongSupplier clock,
      BooleanSupplier downed,
      ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  ActorRef<HostDirectory.Hosts> hostsAdapter =
                      ctx.messageAdapter(HostDirectory.Hosts.class, WrappedHosts::new);
                  ActorRef<HostAgent.SiteReport> reportAdapter =
                      ctx.messageAdapter(HostAgent.SiteReport.class, WrappedReport::new);
                  hosts.tell(new HostDirectory.Subscribe(hostsAdapter));
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.reconcileInterval());
                  Site site = new Site(name, ctx, reportAdapter, settings, clock, downed);
                  site.shard = shard;
                  return site;
                }));
  }

  /** The host directory's latest list (internal). */
  private record WrappedHosts(HostDirectory.Hosts hosts) implements Command {}

  /** A host agent's report about this site (internal). */
  private record WrappedReport(HostAgent.SiteReport report) implements Command {}

  /** Time to reconcile (internal). */
  private enum Tick implements Command {
    INSTANCE
  }

  /** Sent by sharding on hand-off (internal). */
  private enum Stop implements Command {
    INSTANCE
  }

  // ---- events

  public sealed interface Event extends CborSerializable {}

  /** The spec was created or changed; {@code generation} grows when instances must be replaced. */
  public record SpecSet(SiteSpec spec, long generation) implements Event {}

  /** A new instance was placed on a host. */
  public record InstancePlaced(String instanceId, String host, long epoch, long generation)
      implements Event {}

  /**
   * An instance stayed missing longer than the grace; a replacement is placed and this copy is
   * stopped once the replacement is ready, even if it reappears meanwhile (the older epoch loses).
   */
  public record InstanceLost(String instanceId, String reason) implements Event {}

  /** An instance was removed from the placements; its host stops it. */
  public record InstanceRemoved(String instanceId, String reason) implements Event {}

  /** The site was deleted; epochs and generations keep counting if it is created again. */
  public enum SiteDeleted implements Event {
    INSTANCE
  }

  /**
   * A deploy took the site: {@code spec} (the target revision) becomes the current spec under a new
   * generation, so every new placement runs it, while the instances on {@code held} hosts keep
   * running what they run until the deploy releases their host.
   *
   * @param previous the spec before, restored when the deploy does not succeed
   */
  public record RolloutStarted(
      String deployId, SiteSpec spec, long generation, Set<String> held, SiteSpec previous)
      implements Event {}

  /** The deploy released these hosts: their instances are replaced there, one at a time. */
  public record HostsReleased(String deployId, List<String> hosts) implements Event {}

  /**
   * The deploy ended. When it did not succeed the site goes back to {@code spec} (its previous
   * revision) under {@code generation}, and the hosts in {@code held} keep the target revision
   * until someone deploys again; {@code why} says so in the site's problems.
   *
   * @param spec the spec from now on; null to keep the current one
   */
  public record RolloutEnded(
      String deployId, String outcome, SiteSpec spec, long generation, Set<String> held, String why)
      implements Event {}

  // ---- state

  /**
   * One placed instance.
   *
   * @param instanceId {@code <site>-<epoch>}
   * @param host the host it runs on
   * @param epoch its placement epoch, unique within the site forever
   * @param generation the spec generation it runs; its spec is {@code State.specs[generation]}
   * @param lost declared lost after the grace; it is replaced and never counts as good again
   */
  public record Placed(String instanceId, String host, long epoch, long generation, boolean lost)
      implements CborSerializable {

    Placed asLost() {
      return new Placed(instanceId, host, epoch, generation, true);
    }
  }

  /**
   * The persisted state of a site.
   *
   * @param spec the desired spec; {@code null} when the site does not exist (never created or
   *     deleted)
   * @param generation the current spec generation; 0 before the first Put
   * @param nextEpoch the epoch of the next placement
   * @param placements instance id to placement
   * @param specs the spec of every generation that still has a placement, and of the current one
   * @param revisions the revisions this site was set to, newest first, at most {@link
   *     #REVISION_HISTORY}; what revision retention keeps for a roll-back (empty in snapshots
   *     written before it existed)
   */
  public record State(
      SiteSpec spec,
      long generation,
      long nextEpoch,
      Map<String, Placed> placements,
      Map<Long, SiteSpec> specs,
      List<String> revisions,
      SiteRollout.Active rollout,
      SiteRollout.Hold hold)
      implements CborSerializable {

    /** How many past revisions a site remembers. */
    public static final int REVISION_HISTORY = 20;

    public State {
      revisions = revisions == null ? List.of() : List.copyOf(revisions);
    }

    /** A state without a deploy. */
    public State(
        SiteSpec spec,
        long generation,
        long nextEpoch,
        Map<String, Placed> placements,
        Map<Long, SiteSpec> specs,
        List<String> revisions) {
      this(spec, generation, nextEpoch, placements, specs, revisions, null, null);
    }

    static State empty() {
      return new State(null, 0, 1, Map.of(), Map.of(), List.of());
    }

    /** Hosts whose instances keep their revision until a deploy releases them; never null. */
    public Set<String> heldHosts() {
      return hold == null ? Set.of() : hold.hosts();
    }

    /** Every revision an instance of this site runs or will run: current spec and placements. */
    public java.util.Set<String> revisionsInUse() {
      java.util.Set<String> used = new TreeSet<>();
      if (spec != null && spec.revision() != null) {
        used.add(spec.revision());
      }
      for (Placed p : placements.values()) {
        SiteSpec s = specs.get(p.generation());
        if (s != null && s.revision() != null) {
          used.add(s.revision());
        }
      }
      return used;
    }

    public boolean exists() {
      return spec != null;
    }

    /** The placements in epoch order. */
    public List<Placed> sortedPlacements() {
      return placements.values().stream().sorted(Comparator.comparing(Placed::epoch)).toList();
    }

    State apply(Event event) {
      return SiteTransitions.apply(this, event);
    }
  }

  // ---- behaviour

  private static final class Site
      extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, State> {

    private final String name;
    private final ActorContext<Command> ctx;
    private final ActorRef<HostAgent.SiteReport> reportAdapter;
    private final SiteSettings settings;
    private final LongSupplier clock;
    private final BooleanSupplier downed;
    private boolean downedLogged;

    // observed, in memory only: rebuilt from the host directory and agent reports after a restart
    private final SiteObservations seen = new SiteObservations();
    private final Set<String> hostsToClear = new TreeSet<>();
    private long lastPlanAt = -1;
    // the deploy that holds the site, as it last asked: where to send host progress
    private ActorRef<HostProgress> progressTo;
    private int maxStartFailures = 3;
    private final Map<String, SiteRollout.Progress> progressSent = new java.util.HashMap<>();
    private ActorRef<ClusterSharding.ShardCommand> shard;
    private boolean passivating;

    Site(
        String name,
        ActorContext<Command> ctx,
        ActorRef<HostAgent.SiteReport> reportAdapter,
        SiteSettings settings,
        LongSupplier clock,
        BooleanSupplier downed) {
      super(PersistenceId.of(ENTITY_TYPE_KEY.name(), name), EventSourcing.onJournalFailure());
      this.name = name;
      this.ctx = ctx;
      this.reportAdapter = reportAdapter;
      this.settings = settings;
      this.clock = clock;
      this.downed = downed;
    }

    @Override
    public State emptyState() {
      return State.empty();
    }

    @Override
    public SignalHandler<State> signalHandler() {
      return newSignalHandlerBuilder()
          .onSignal(
              RecoveryCompleted.instance(), s -> SiteAnnouncements.afterRecovery(ctx, name, s))
          .build();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return EventSourcing.snapshotEvery(100);
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
      return newCommandHandlerWithReplyBuilder()
          .forAnyState()
          .onCommand(Put.class, this::onPut)
          .onCommand(Scale.class, this::onScale)
          .onCommand(Get.class, this::onGet)
          .onCommand(
              GetRevisions.class,
              (s, c) ->
                  Effect()
                      .reply(
                          c.replyTo(),
                          new Revisions(
                              name,
                              s.revisionsInUse(),
                              s.revisions(),
                              s.exists() ? s.spec().pool() : null)))
          .onCommand(Delete.class, this::onDelete)
          .onCommand(BeginRollout.class, this::onBeginRollout)
          .onCommand(ReleaseHosts.class, this::onReleaseHosts)
          .onCommand(EndRollout.class, this::onEndRollout)
          .onCommand(Wake.class, (s, c) -> Effect().noReply())
          .onCommand(Tick.class, this::onTick)
          .onCommand(WrappedHosts.class, this::onHosts)
          .onCommand(WrappedReport.class, this::onReport)
          .onCommand(Stop.class, (s, c) -> Effect().stop().thenNoReply())
          .build();
    }

    private ReplyEffect<Event, State> onPut(State state, Put put) {
      if (expired(put.deadlineMillis())) {
        return Effect().reply(put.replyTo(), expiredReply());
      }
      Reply invalid = SiteRequests.invalidPut(put.spec());
      if (invalid != null) {
        return Effect().reply(put.replyTo(), invalid);
      }
      SecretEnvs.Kept kept =
          SecretEnvs.keep(put.spec().secretEnv(), state.exists() ? state.spec().secretEnv() : null);
      if (kept.problem() != null) {
        return Effect().reply(put.replyTo(), new Reply(Outcome.INVALID, kept.problem(), null));
      }
      SiteSpec spec = SiteSpecs.withDefaults(SecretEnvs.with(put.spec(), kept.secretEnv()));
      Reply busy = SiteRequests.busy(name, state, spec);
      if (busy != null) {
        return Effect().reply(put.replyTo(), busy);
      }
      return setSpec(state, spec, put.replyTo());
    }

    private ReplyEffect<Event, State> onBeginRollout(State state, BeginRollout c) {
      if (!state.exists()) {
        return Effect()
            .reply(
                c.replyTo(),
                new RolloutReply(
                    Outcome.NOT_FOUND, "site " + name + " does not exist", null, null, List.of()));
      }
      SiteRollout.Active r = state.rollout();
      if (r != null && r.deployId().equals(c.deployId())) {
        return Effect().reply(c.replyTo(), rolloutReply(state));
      }
      if (r != null) {
        return Effect()
            .reply(
                c.replyTo(),
                new RolloutReply(
                    Outcome.CONFLICT,
                    "site " + name + " is being deployed by " + r.deployId(),
                    null,
                    null,
                    List.of()));
      }
      List<Event> events = new ArrayList<>();
      RolloutStarted started = SiteRollout.start(state, c.deployId(), c.revision());
      events.add(started);
      events.addAll(planEvents(state.apply(started)));
      progressSent.clear();
      return Effect()
          .persist(events)
          .thenRun(
              s -> {
                afterPersist(events, state, s);
                SiteAnnouncements.afterSpecSet(ctx, name, state, s);
              })
          .thenReply(c.replyTo(), this::rolloutReply);
    }

    private RolloutReply rolloutReply(State s) {
      Set<String> hosts = new TreeSet<>(s.heldHosts());
      hosts.addAll(s.rollout().released());
      return new RolloutReply(
          Outcome.OK, null, s.rollout().previous().revision(), s.spec().pool(), List.copyOf(hosts));
    }

    private ReplyEffect<Event, State> onReleaseHosts(State state, ReleaseHosts c) {
      SiteRollout.Active r = state.rollout();
      if (r == null || !r.deployId().equals(c.deployId())) {
        ctx.getLog()
            .debug("site {}: release for deploy {} ignored: not its deploy", name, c.deployId());
        return Effect().noReply();
      }
      progressTo = c.progressTo();
      maxStartFailures = c.maxStartFailures();
      List<String> fresh = c.hosts().stream().filter(h -> !r.released().contains(h)).toList();
      if (fresh.isEmpty()) {
        progressSent.keySet().removeAll(c.hosts());
        pushProgress(state);
        return Effect().noReply();
      }
      List<Event> events = new ArrayList<>();
      HostsReleased released = new HostsReleased(c.deployId(), List.copyOf(fresh));
      events.add(released);
      events.addAll(planEvents(state.apply(released)));
      return Effect()
          .persist(events)
          .thenRun(
              s -> {
                progressSent.keySet().removeAll(c.hosts());
                afterPersist(events, state, s);
              })
          .thenNoReply();
    }

    private ReplyEffect<Event, State> onEndRollout(State state, EndRollout c) {
      SiteRollout.Active r = state.rollout();
      if (r == null || !r.deployId().equals(c.deployId())) {
        return Effect().reply(c.replyTo(), new Reply(Outcome.OK, null, null));
      }
      List<Event> events = new ArrayList<>();
      RolloutEnded ended =
          SiteRollout.end(state, c.deployId(), c.succeeded(), Set.copyOf(c.done()), c.why());
      events.add(ended);
      events.addAll(planEvents(state.apply(ended)));
      return Effect()
          .persist(events)
          .thenRun(
              s -> {
                progressTo = null;
                progressSent.clear();
                afterPersist(events, state, s);
                SiteAnnouncements.afterSpecSet(ctx, name, state, s);
              })
          .thenReply(c.replyTo(), s -> new Reply(Outcome.OK, null, null));
    }

    /** Tells the deploy about every released host whose progress changed since last told. */
    private void pushProgress(State state) {
      SiteRollout.Active r = state.rollout();
      if (r == null || progressTo == null || r.released().isEmpty()) {
        return;
      }
      for (SiteRollout.Progress p :
          SiteRollout.progress(state, r.released(), maxStartFailures, seen::observed)) {
        if (!p.equals(progressSent.get(p.host()))) {
          progressSent.put(p.host(), p);
          progressTo.tell(
              new HostProgress(
                  r.deployId(),
                  name,
                  p.host(),
                  p.step(),
                  p.replaced(),
                  p.restarting(),
                  p.reason()));
        }
      }
    }

    private ReplyEffect<Event, State> onScale(State state, Scale scale) {
      if (expired(scale.deadlineMillis())) {
        return Effect().reply(scale.replyTo(), expiredReply());
      }
      if (!state.exists()) {
        return Effect().reply(scale.replyTo(), notFound());
      }
      SiteSpec next = state.spec().withInstances(scale.instances());
      Reply invalid = SiteRequests.invalidScale(name, next);
      if (invalid != null) {
        return Effect().reply(scale.replyTo(), invalid);
      }
      return setSpec(state, next, scale.replyTo());
    }

    private boolean expired(long deadlineMillis) {
      long now = clock.getAsLong();
      if (!SiteRequests.expired(deadlineMillis, now)) {
        return false;
      }
      ctx.getLog()
          .warn(
              "site {}: refused a change that arrived {} ms after its deadline (its request was"
                  + " already answered with an error)",
              name,
              now - deadlineMillis);
      return true;
    }

    private Reply expiredReply() {
      return SiteRequests.expired(name);
    }

    /** Persists {@code spec} as the site's spec (creating the site) and replies. */
    private ReplyEffect<Event, State> setSpec(State state, SiteSpec spec, ActorRef<Reply> replyTo) {
      if (state.exists() && state.spec().equals(spec)) {
        return Effect().reply(replyTo, new Reply(Outcome.OK, null, view(state)));
      }
      boolean created = !state.exists();
      long generation = SiteRequests.generation(state, spec);
      List<Event> events = new ArrayList<>();
      SpecSet set = new SpecSet(spec, generation);
      events.add(set);
      events.addAll(planEvents(state.apply(set)));
      Outcome outcome = created ? Outcome.CREATED : Outcome.OK;
      return Effect()
          .persist(events)
          .thenRun(
              s -> {
                afterPersist(events, state, s);
                SiteAnnouncements.afterSpecSet(ctx, name, state, s);
              })
          .thenReply(replyTo, s -> new Reply(outcome, null, view(s)));
    }

    private ReplyEffect<Event, State> onGet(State state, Get get) {
      if (!state.exists()) {
        return Effect().reply(get.replyTo(), notFound());
      }
      return Effect().reply(get.replyTo(), new Reply(Outcome.OK, null, view(state)));
    }

    private ReplyEffect<Event, State> onDelete(State state, Delete delete) {
      if (expired(delete.deadlineMillis())) {
        return Effect().reply(delete.replyTo(), expiredReply());
      }
      if (!state.exists()) {
        return Effect().reply(delete.replyTo(), notFound());
      }
      for (Placed p : state.placements().values()) {
        hostsToClear.add(p.host());
      }
      return Effect()
          .persist(SiteDeleted.INSTANCE)
          .thenRun(
              s -> {
                ctx.getLog().info("site {} deleted: every host stops its instances", name);
                for (HostInfo h : seen.hosts()) {
                  hostsToClear.add(h.name());
                }
                sendAssigns(s);
              })
          .thenReply(delete.replyTo(), s -> new Reply(Outcome.OK, null, null));
    }

    /** A site that does not exist has nothing to reconcile: it passivates instead. */
    private ReplyEffect<Event, State> onTick(State state, Tick tick) {
      if (!state.exists() && hostsToClear.isEmpty() && shard != null) {
        if (!passivating) {
          passivating = true;
          ctx.getLog().debug("site {} does not exist: passivating its entity", name);
          shard.tell(new ClusterSharding.Passivate<>(ctx.getSelf()));
        }
        return Effect().noReply();
      }
      passivating = false;
      return reconcile(state, true);
    }

    private Reply notFound() {
      return SiteRequests.notFound(name);
    }

    /**
     * Only hosts that are new, restarted or reachable again get their assignments now; the others
     * already have them, and a new list per load change would otherwise resend every assignment
     * (O(hosts) per change, O(hosts^2) per deploy). The reconcile tick still sends them all.
     */
    private ReplyEffect<Event, State> onHosts(State state, WrappedHosts msg) {
      Set<String> changed = seen.hosts(msg.hosts());
      if (!changed.isEmpty() && !downed()) {
        sendAssignsTo(state, changed);
      }
      return reconcile(state, false);
    }

    /** {@link #sendAssigns}, to the hosts of {@code only} alone. */
    private void sendAssignsTo(State state, Set<String> only) {
      Map<String, List<HostAgent.Assignment>> byHost = SitePlanner.assignments(state);
      for (String host : only) {
        HostInfo info = seen.hostInfo(host);
        if (info != null
            && info.agent() != null
            && (byHost.containsKey(host) || hostsToClear.contains(host))) {
          info.agent()
              .tell(
                  new HostAgent.Assign(name, byHost.getOrDefault(host, List.of()), reportAdapter));
        }
      }
    }

    private ReplyEffect<Event, State> onReport(State state, WrappedReport msg) {
      HostAgent.SiteReport report = msg.report();
      if (!name.equals(report.site())) {
        return Effect().noReply();
      }
      long now = clock.getAsLong();
      boolean strays = seen.report(state, report, now);
      boolean hasPlacements =
          state.placements().values().stream().anyMatch(p -> p.host().equals(report.host()));
      if (!hasPlacements && report.instances().isEmpty()) {
        hostsToClear.remove(report.host());
      } else if (strays) {
        hostsToClear.add(report.host());
      }
      return reconcile(state, strays);
    }

    /** Plans, persists what changed, and (when asked or when something changed) re-assigns. */
    private ReplyEffect<Event, State> reconcile(State state, boolean assign) {
      if (downed()) {
        // survivors run this site now: no plans, and no assignments that could undo theirs
        return Effect().noReply();
      }
      List<Event> events = planEvents(state);
      if (events.isEmpty()) {
        if (assign) {
          sendAssigns(state);
        }
        pushProgress(state);
        return Effect().noReply();
      }
      return Effect().persist(events).thenRun(s -> afterPersist(events, state, s)).thenNoReply();
    }

    private boolean downed() {
      if (!downed.getAsBoolean()) {
        return false;
      }
      if (!downedLogged) {
        downedLogged = true;
        ctx.getLog()
            .warn(
                "site {}: this node was downed; the site plans and assigns nothing more here",
                name);
      }
      return true;
    }

    private List<Event> planEvents(State state) {
      if (!state.exists() || !seen.hostsReceived()) {
        return List.of();
      }
      long now = clock.getAsLong();
      restartGraceClocksAfterOwnPause(state, now);
      for (Placed p : state.placements().values()) {
        seen.watch(p.instanceId(), now);
      }
      return SitePlanner.plan(name, state, seen, now, settings.grace());
    }

    private void afterPersist(List<Event> events, State before, State after) {
      long now = clock.getAsLong();
      for (Event e : events) {
        if (e instanceof InstancePlaced p) {
          seen.seen(p.instanceId(), now);
        } else if (e instanceof InstanceRemoved r) {
          seen.forget(r.instanceId());
          Placed gone = before.placements().get(r.instanceId());
          hostsToClear.add(gone == null ? "?" : gone.host());
        }
        SiteEventLog.log(ctx.getLog(), name, e, before);
      }
      // only the hosts whose assignment changed, and those still to be cleared: a plan change on
      // one host of 800 sends one Assign, not 800 (the reconcile tick still sends all)
      Set<String> touched =
          new TreeSet<>(
              AssignmentDiff.changed(
                  SitePlanner.assignments(before), SitePlanner.assignments(after)));
      touched.addAll(hostsToClear);
      sendAssignsTo(after, touched);
      pushProgress(after);
    }

    /** Every host with placements, and every host that still has to stop some, gets an Assign. */
    private void sendAssigns(State state) {
      Map<String, List<HostAgent.Assignment>> byHost = SitePlanner.assignments(state);
      Set<String> targets = new TreeSet<>(byHost.keySet());
      targets.addAll(hostsToClear);
      for (String host : targets) {
        HostInfo info = seen.hostInfo(host);
        if (info != null && info.agent() != null) {
          info.agent()
              .tell(
                  new HostAgent.Assign(name, byHost.getOrDefault(host, List.of()), reportAdapter));
        }
      }
    }

    /**
     * Plans run at least every reconcile interval. A much longer gap means this entity itself was
     * not running (its node paused or overloaded): nobody watched, so nothing counts as missing for
     * that time, and every grace clock starts again now.
     */
    private void restartGraceClocksAfterOwnPause(State state, long now) {
      long gap = lastPlanAt < 0 ? 0 : now - lastPlanAt;
      lastPlanAt = now;
      if (gap > 3 * settings.reconcileInterval().toMillis() && gap > settings.grace().toMillis()) {
        ctx.getLog()
            .warn(
                "site {} was not running for {}; its grace clocks start again",
                name,
                Durations.format(Duration.ofMillis(gap)));
        for (Placed p : state.placements().values()) {
          seen.seen(p.instanceId(), now);
        }
      }
    }

    private SiteView view(State state) {
      return SiteViews.view(name, state, seen, clock.getAsLong(), settings.grace());
    }
  }
}
