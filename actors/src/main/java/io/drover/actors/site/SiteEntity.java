package io.drover.actors.site;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.InstanceState;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.common.Durations;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import io.drover.persistence.CborSerializable;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.BooleanSupplier;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

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
   */
  public record Revisions(String site, java.util.Set<String> inUse, List<String> recent)
      implements CborSerializable {}

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
   */
  public record SiteView(
      String name, SiteSpec spec, SiteStatus status, List<InstanceStatus> instances)
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
      List<String> revisions)
      implements CborSerializable {

    /** How many past revisions a site remembers. */
    public static final int REVISION_HISTORY = 20;

    public State {
      revisions = revisions == null ? List.of() : List.copyOf(revisions);
    }

    static State empty() {
      return new State(null, 0, 1, Map.of(), Map.of(), List.of());
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

    private static List<String> pushed(List<String> history, String revision) {
      List<String> next = new ArrayList<>();
      next.add(revision);
      for (String r : history) {
        if (!r.equals(revision) && next.size() < REVISION_HISTORY) {
          next.add(r);
        }
      }
      return next;
    }

    public boolean exists() {
      return spec != null;
    }

    /** The placements in epoch order. */
    public List<Placed> sortedPlacements() {
      return placements.values().stream().sorted(Comparator.comparing(Placed::epoch)).toList();
    }

    State apply(Event event) {
      if (event instanceof SpecSet e) {
        Map<Long, SiteSpec> s = new HashMap<>(specs);
        s.put(e.generation(), e.spec());
        return new State(
                e.spec(),
                e.generation(),
                nextEpoch,
                placements,
                s,
                pushed(revisions, e.spec().revision()))
            .pruned();
      } else if (event instanceof InstancePlaced e) {
        Map<String, Placed> p = new HashMap<>(placements);
        p.put(
            e.instanceId(), new Placed(e.instanceId(), e.host(), e.epoch(), e.generation(), false));
        return new State(spec, generation, Math.max(nextEpoch, e.epoch() + 1), p, specs, revisions);
      } else if (event instanceof InstanceLost e) {
        Placed lost = placements.get(e.instanceId());
        if (lost == null) {
          return this;
        }
        Map<String, Placed> p = new HashMap<>(placements);
        p.put(e.instanceId(), lost.asLost());
        return new State(spec, generation, nextEpoch, p, specs, revisions);
      } else if (event instanceof InstanceRemoved e) {
        Map<String, Placed> p = new HashMap<>(placements);
        p.remove(e.instanceId());
        return new State(spec, generation, nextEpoch, p, specs, revisions).pruned();
      } else {
        return new State(null, generation, nextEpoch, Map.of(), Map.of(), List.of());
      }
    }

    private State pruned() {
      Map<Long, SiteSpec> s = new HashMap<>();
      for (Map.Entry<Long, SiteSpec> e : specs.entrySet()) {
        long g = e.getKey();
        if ((g == generation && spec != null)
            || placements.values().stream().anyMatch(p -> p.generation() == g)) {
          s.put(g, e.getValue());
        }
      }
      return new State(spec, generation, nextEpoch, placements, s, revisions);
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
    private List<HostInfo> hosts = List.of();
    private HostDirectory.Hosts directory =
        new HostDirectory.Hosts(List.of(), Set.of(), Set.of(), Set.of());
    private boolean hostsReceived;
    private final Map<String, HostAgent.SiteReport> reports = new HashMap<>();
    private final Map<String, Long> lastSeen = new HashMap<>();
    private final Set<String> hostsToClear = new TreeSet<>();
    private long lastPlanAt = -1;
    private ActorRef<ClusterSharding.ShardCommand> shard;
    private boolean passivating;

    Site(
        String name,
        ActorContext<Command> ctx,
        ActorRef<HostAgent.SiteReport> reportAdapter,
        SiteSettings settings,
        LongSupplier clock,
        BooleanSupplier downed) {
      super(
          PersistenceId.of(ENTITY_TYPE_KEY.name(), name),
          SupervisorStrategy.restartWithBackoff(
              Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
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
    public RetentionCriteria retentionCriteria() {
      return RetentionCriteria.snapshotEvery(100, 2);
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
                      .reply(c.replyTo(), new Revisions(name, s.revisionsInUse(), s.revisions())))
          .onCommand(Delete.class, this::onDelete)
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
      if (put.spec() == null || put.spec().instances() < 2) {
        int n = put.spec() == null ? 0 : put.spec().instances();
        return Effect()
            .reply(
                put.replyTo(),
                new Reply(
                    Outcome.INVALID,
                    "instances must be at least 2 (got "
                        + n
                        + "): Drover runs every site twice, on distinct hosts",
                    null));
      }
      return setSpec(state, SiteSpecs.withDefaults(put.spec()), put.replyTo());
    }

    private ReplyEffect<Event, State> onScale(State state, Scale scale) {
      if (expired(scale.deadlineMillis())) {
        return Effect().reply(scale.replyTo(), expiredReply());
      }
      if (!state.exists()) {
        return Effect().reply(scale.replyTo(), notFound());
      }
      SiteSpec next = state.spec().withInstances(scale.instances());
      List<String> problems = SiteSpecs.validate(name, next);
      if (!problems.isEmpty()) {
        return Effect()
            .reply(scale.replyTo(), new Reply(Outcome.INVALID, String.join("; ", problems), null));
      }
      return setSpec(state, next, scale.replyTo());
    }

    private boolean expired(long deadlineMillis) {
      if (deadlineMillis <= 0 || clock.getAsLong() <= deadlineMillis) {
        return false;
      }
      ctx.getLog()
          .warn(
              "site {}: refused a change that arrived {} ms after its deadline (its request was"
                  + " already answered with an error)",
              name,
              clock.getAsLong() - deadlineMillis);
      return true;
    }

    private Reply expiredReply() {
      return new Reply(
          Outcome.EXPIRED,
          "site "
              + name
              + " was not changed: the request took longer than its deadline; send it again",
          null);
    }

    /** Persists {@code spec} as the site's spec (creating the site) and replies. */
    private ReplyEffect<Event, State> setSpec(State state, SiteSpec spec, ActorRef<Reply> replyTo) {
      if (state.exists() && state.spec().equals(spec)) {
        return Effect().reply(replyTo, new Reply(Outcome.OK, null, view(state)));
      }
      boolean created = !state.exists();
      long generation =
          created || state.spec().needsNewInstances(spec)
              ? state.generation() + 1
              : state.generation();
      List<Event> events = new ArrayList<>();
      SpecSet set = new SpecSet(spec, generation);
      events.add(set);
      events.addAll(planEvents(state.apply(set)));
      Outcome outcome = created ? Outcome.CREATED : Outcome.OK;
      return Effect()
          .persist(events)
          .thenRun(s -> afterPersist(events, state, s))
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
                for (HostInfo h : hosts) {
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
      return new Reply(Outcome.NOT_FOUND, "site " + name + " does not exist", null);
    }

    private ReplyEffect<Event, State> onHosts(State state, WrappedHosts msg) {
      hosts = msg.hosts().hosts();
      directory = msg.hosts();
      hostsReceived = true;
      return reconcile(state, true);
    }

    private ReplyEffect<Event, State> onReport(State state, WrappedReport msg) {
      HostAgent.SiteReport report = msg.report();
      if (!name.equals(report.site())) {
        return Effect().noReply();
      }
      long now = clock.getAsLong();
      reports.put(report.host(), report);
      boolean strays = false;
      for (InstanceStatus st : report.instances()) {
        Placed p = state.placements().get(st.id());
        if (p != null && p.host().equals(report.host())) {
          lastSeen.put(st.id(), now);
        } else {
          strays = true;
        }
      }
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
      if (!state.exists() || !hostsReceived) {
        return List.of();
      }
      long now = clock.getAsLong();
      restartGraceClocksAfterOwnPause(state, now);
      List<Event> events = new ArrayList<>();
      State planned = state;
      for (Placed p : state.sortedPlacements()) {
        lastSeen.putIfAbsent(p.instanceId(), now);
        if (!p.lost() && (hostDeparted(p) || isMissingTooLong(p, now))) {
          InstanceLost lost = new InstanceLost(p.instanceId(), missingReason(p, now));
          events.add(lost);
          planned = planned.apply(lost);
        }
      }
      List<Placement.Current> current = new ArrayList<>();
      for (Placed p : planned.sortedPlacements()) {
        current.add(
            new Placement.Current(
                p.instanceId(), p.host(), p.epoch(), p.generation(), isReady(p), p.lost()));
      }
      Placement.Plan plan =
          Placement.plan(
              new Placement.Input(
                  planned.spec().instances(),
                  planned.spec().pool(),
                  planned.generation(),
                  hosts,
                  directory.draining()::contains,
                  directory.load(),
                  current,
                  unavailable()));
      for (Placement.Removal r : plan.removals()) {
        events.add(new InstanceRemoved(r.instanceId(), r.reason()));
      }
      long epoch = planned.nextEpoch();
      for (Placement.Addition a : plan.additions()) {
        events.add(new InstancePlaced(name + "-" + epoch, a.host(), epoch, planned.generation()));
        epoch++;
      }
      return events;
    }

    private void afterPersist(List<Event> events, State before, State after) {
      long now = clock.getAsLong();
      for (Event e : events) {
        if (e instanceof SpecSet s) {
          ctx.getLog()
              .info(
                  "site {} spec set: revision {}, {} instances in pool {}, generation {}",
                  name,
                  s.spec().revision(),
                  s.spec().instances(),
                  s.spec().pool(),
                  s.generation());
        } else if (e instanceof InstancePlaced p) {
          lastSeen.put(p.instanceId(), now);
          ctx.getLog()
              .info(
                  "site {} placed instance {} on host {} (epoch {}, generation {})",
                  name,
                  p.instanceId(),
                  p.host(),
                  p.epoch(),
                  p.generation());
        } else if (e instanceof InstanceLost l) {
          Placed lost = before.placements().get(l.instanceId());
          ctx.getLog()
              .warn(
                  "site {} lost instance {} on host {} (epoch {}): {}; placing a replacement",
                  name,
                  l.instanceId(),
                  lost == null ? "?" : lost.host(),
                  lost == null ? "?" : lost.epoch(),
                  l.reason());
        } else if (e instanceof InstanceRemoved r) {
          lastSeen.remove(r.instanceId());
          Placed gone = before.placements().get(r.instanceId());
          String host = gone == null ? "?" : gone.host();
          hostsToClear.add(host);
          ctx.getLog()
              .info(
                  "site {} removed instance {} from host {} (epoch {}): {}",
                  name,
                  r.instanceId(),
                  host,
                  gone == null ? "?" : gone.epoch(),
                  r.reason());
        }
      }
      sendAssigns(after);
    }

    /** Every host with placements, and every host that still has to stop some, gets an Assign. */
    private void sendAssigns(State state) {
      Map<String, List<HostAgent.Assignment>> byHost = new TreeMap<>();
      for (Placed p : state.sortedPlacements()) {
        byHost
            .computeIfAbsent(p.host(), h -> new ArrayList<>())
            .add(
                new HostAgent.Assignment(
                    p.instanceId(), p.epoch(), state.specs().get(p.generation())));
      }
      Set<String> targets = new TreeSet<>(byHost.keySet());
      targets.addAll(hostsToClear);
      for (String host : targets) {
        HostInfo info = hostInfo(host);
        if (info != null && info.agent() != null) {
          info.agent()
              .tell(
                  new HostAgent.Assign(name, byHost.getOrDefault(host, List.of()), reportAdapter));
        }
      }
    }

    /** Hosts that take no new placements but keep theirs: unreachable or cordoned. */
    private Set<String> unavailable() {
      Set<String> all = new TreeSet<>(directory.unreachable());
      all.addAll(directory.unschedulable());
      return all;
    }

    private HostInfo hostInfo(String host) {
      for (HostInfo h : hosts) {
        if (h.name().equals(host)) {
          return h;
        }
      }
      return null;
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
          lastSeen.put(p.instanceId(), now);
        }
      }
    }

    /** What the host last reported of {@code p}; null when never reported or not reachable. */
    private InstanceStatus observed(Placed p) {
      if (hostInfo(p.host()) == null || directory.unreachable().contains(p.host())) {
        return null;
      }
      return lastReported(p);
    }

    private InstanceStatus lastReported(Placed p) {
      HostAgent.SiteReport r = reports.get(p.host());
      if (r == null) {
        return null;
      }
      for (InstanceStatus st : r.instances()) {
        if (st.id().equals(p.instanceId())) {
          return st;
        }
      }
      return null;
    }

    private boolean isReady(Placed p) {
      InstanceStatus st = observed(p);
      return st != null && st.isReady();
    }

    /**
     * Its host was seen to leave the cluster (downed or stopped): the instance is gone with it, so
     * there is no grace to wait out. This is what lets a site that moved to a survivor after a host
     * died replace the host's instances right after the downing.
     */
    private boolean hostDeparted(Placed p) {
      return directory.departed().contains(p.host());
    }

    /**
     * Not in its host's reports (host unreachable, gone, or the instance vanished) for too long.
     */
    private boolean isMissingTooLong(Placed p, long now) {
      return now - lastSeen.getOrDefault(p.instanceId(), now) > settings.grace().toMillis();
    }

    private String missingReason(Placed p, long now) {
      String since =
          Durations.format(Duration.ofMillis(now - lastSeen.getOrDefault(p.instanceId(), now)));
      if (hostDeparted(p)) {
        return "host " + p.host() + " left the cluster";
      }
      if (hostInfo(p.host()) == null) {
        return "host " + p.host() + " is gone (" + since + ")";
      }
      if (directory.unreachable().contains(p.host())) {
        return "host " + p.host() + " unreachable for " + since;
      }
      return "not reported by host " + p.host() + " for " + since;
    }

    private SiteView view(State state) {
      long now = clock.getAsLong();
      SiteSpec spec = state.spec();
      List<InstanceStatus> instances = new ArrayList<>();
      List<String> problems = new ArrayList<>();
      Set<String> readyHosts = new TreeSet<>();
      int ready = 0;
      long eligible =
          hosts.stream().filter(h -> spec.pool().equals(h.pool())).map(HostInfo::name).count();
      if (hostsReceived && eligible == 0) {
        problems.add(
            "no host in pool " + spec.pool() + ": add hosts to pool " + spec.pool() + " to run it");
      } else if (hostsReceived && eligible < 2) {
        problems.add(
            "runs on 1 distinct host: add hosts to pool "
                + spec.pool()
                + " to survive a host failure");
      }
      List<String> schedulable =
          hosts.stream()
              .filter(h -> spec.pool().equals(h.pool()) && directory.schedulable(h.name()))
              .map(HostInfo::name)
              .toList();
      if (hostsReceived && eligible > 0 && schedulable.isEmpty()) {
        problems.add(
            "no schedulable host in pool "
                + spec.pool()
                + ": every host is cordoned, draining or unreachable, so no instance can be"
                + " placed or moved (uncordon a host or add one)");
      }
      for (Placed p : state.sortedPlacements()) {
        if (!p.lost() && directory.draining().contains(p.host())) {
          problems.add(
              "instance "
                  + p.instanceId()
                  + " on host "
                  + p.host()
                  + ": the host is draining; "
                  + (schedulable.isEmpty()
                      ? "no other host of pool "
                          + spec.pool()
                          + " can take it, so it keeps running there (add a host or uncordon "
                          + p.host()
                          + ")"
                      : "it stops once its replacement on another host is ready"));
        }
      }
      for (Placed p : state.sortedPlacements()) {
        InstanceStatus st = observed(p);
        boolean missing = hostsReceived && st == null && lastReported(p) != null;
        missing |= hostsReceived && (hostInfo(p.host()) == null || p.lost());
        if (st == null || p.lost()) {
          SiteSpec s = state.specs().get(p.generation());
          InstanceStatus last = lastReported(p);
          st =
              new InstanceStatus(
                  p.instanceId(),
                  name,
                  p.host(),
                  last == null ? 0 : last.pid(),
                  last == null ? 0 : last.port(),
                  missing ? InstanceState.UNKNOWN : InstanceState.STARTING,
                  s == null ? null : s.revision(),
                  p.epoch(),
                  last == null ? 0 : last.restarts(),
                  last == null ? null : last.lastExit(),
                  missing ? missingReason(p, now) : null,
                  last == null ? 0 : last.sinceMillis());
        }
        instances.add(st);
        if (st.isReady()) {
          ready++;
          readyHosts.add(p.host());
        } else if (missing) {
          problems.add(
              "instance "
                  + p.instanceId()
                  + " on host "
                  + p.host()
                  + ": "
                  + missingReason(p, now)
                  + (p.lost()
                      ? ", being replaced"
                      : ", replaced after " + Durations.format(settings.grace())));
        } else if (st.pid() != 0 || st.lastExit() != null || st.message() != null) {
          StringBuilder line =
              new StringBuilder("instance ")
                  .append(p.instanceId())
                  .append(" on host ")
                  .append(p.host())
                  .append(": ")
                  .append(st.state().json());
          if (st.lastExit() != null) {
            line.append(", last exit ").append(st.lastExit());
          }
          if (st.message() != null) {
            line.append(": ").append(st.message());
          }
          problems.add(line.toString());
        }
      }
      int desired = spec.instances();
      boolean degraded = ready < desired || readyHosts.size() < 2;
      return new SiteView(
          name,
          spec,
          new SiteStatus(desired, ready, readyHosts.size(), degraded, List.copyOf(problems)),
          List.copyOf(instances));
    }
  }
}
