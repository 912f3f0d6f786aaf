package io.drover.actors.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.actors.common.EventSourcing;
import io.drover.actors.common.SingletonInfo;
import io.drover.actors.common.Singletons;
import io.drover.persistence.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * Every deploy and the queue (cluster singleton, event-sourced): lists deploys for the API, and
 * lets a deploy start when no earlier deploy of one of its sites is running (the deploy lock of the
 * seed's chat bot, with a visible FIFO queue). It keeps the {@value #KEEP_ENDED} newest ended
 * deploys in its list; each deploy keeps its own record for good.
 */
public final class DeployDirectory {

  private DeployDirectory() {}

  /** Ended deploys listed, newest first; older ones leave the list (not their own record). */
  public static final int KEEP_ENDED = 1000;

  static final String PERSISTENCE_ID = "deploy-directory";

  /** How often every running deploy is woken (and told again to start when admitted). */
  static final Duration WAKE_INTERVAL = Duration.ofSeconds(2);

  public sealed interface Command extends CborSerializable {}

  /**
   * A deploy as listed.
   *
   * @param state where it is
   * @param revision its target revision; null in a revert to several revisions
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Summary(
      String id,
      DeployStatus state,
      List<String> sites,
      String revision,
      String reason,
      String by,
      long createdAt,
      long startedAt,
      long endedAt,
      String revertOf)
      implements CborSerializable {

    public Summary {
      sites = List.copyOf(sites);
    }

    static Summary of(DeployState s) {
      DeploySpec spec = s.spec();
      return new Summary(
          spec.id(),
          s.status(),
          spec.sites(),
          spec.revision(),
          spec.reason(),
          spec.by(),
          spec.requestedAt(),
          s.startedAt(),
          s.endedAt(),
          spec.revertOf());
    }
  }

  /** Records a new deploy (idempotent) and starts it when its turn comes; answers Done. */
  public record Enqueue(Summary summary, boolean front, boolean force, ActorRef<Done> replyTo)
      implements Command {}

  /** A deploy's new state; an ended deploy frees its sites. Answers Done. */
  public record Update(Summary summary, ActorRef<Done> replyTo) implements Command {}

  /**
   * Answers with the deploys newest first, filtered by site and state (null for any).
   *
   * @param limit at most this many
   */
  public record ListDeploys(String site, DeployStatus state, int limit, ActorRef<Listing> replyTo)
      implements Command {}

  /**
   * @param queuePosition 1-based place among the waiting deploys; 0 when not waiting
   */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record Listed(
      String id,
      String state,
      List<String> sites,
      String revision,
      String reason,
      String startedBy,
      String createdAt,
      String startedAt,
      String endedAt,
      String revertOf,
      int queuePosition)
      implements CborSerializable {}

  public record Listing(List<Listed> deploys) implements CborSerializable {
    public Listing {
      deploys = List.copyOf(deploys);
    }
  }

  /**
   * Answers where the directory runs, since when, and {@code {"deploys": listed, "queued": waiting,
   * "running": [ids admitted and not ended]}}.
   */
  public record Describe(ActorRef<SingletonInfo> replyTo) implements Command {}

  /** Its name in {@code GET /api/v1/singletons}. */
  public static final String SINGLETON = "deploy-directory";

  private enum Tick implements Command {
    INSTANCE
  }

  private enum Stop implements Command {
    INSTANCE
  }

  public sealed interface Event extends CborSerializable {}

  public record Enqueued(Summary summary, boolean front, long seq) implements Event {}

  public record Admitted(String id) implements Event {}

  public record Updated(Summary summary) implements Event {}

  /**
   * @param entries every listed deploy by id, in order of arrival
   */
  public record State(Map<String, DeployQueue.Entry> entries, long nextSeq)
      implements CborSerializable {

    static State empty() {
      return new State(Map.of(), 1);
    }

    List<DeployQueue.Entry> list() {
      return List.copyOf(entries.values());
    }

    State apply(Event event) {
      Map<String, DeployQueue.Entry> next = new LinkedHashMap<>(entries);
      long seq = nextSeq;
      if (event instanceof Enqueued e) {
        next.putIfAbsent(
            e.summary().id(), new DeployQueue.Entry(e.summary(), e.front(), false, e.seq()));
        seq = Math.max(seq, e.seq() + 1);
      } else if (event instanceof Admitted e) {
        DeployQueue.Entry old = next.get(e.id());
        if (old != null) {
          next.put(e.id(), new DeployQueue.Entry(old.summary(), old.front(), true, old.seq()));
        }
      } else if (event instanceof Updated e) {
        DeployQueue.Entry old = next.get(e.summary().id());
        if (old != null) {
          boolean admitted = old.admitted() || e.summary().state() != DeployStatus.QUEUED;
          next.put(
              e.summary().id(),
              new DeployQueue.Entry(e.summary(), old.front(), admitted, old.seq()));
        }
      }
      long ended = next.values().stream().filter(x -> x.summary().state().ended()).count();
      if (ended > KEEP_ENDED) {
        List<DeployQueue.Entry> oldest =
            next.values().stream()
                .filter(x -> x.summary().state().ended())
                .sorted(Comparator.comparing(DeployQueue.Entry::seq))
                .limit(ended - KEEP_ENDED)
                .toList();
        oldest.forEach(x -> next.remove(x.summary().id()));
      }
      return new State(next, seq);
    }
  }

  /** Starts the singleton (once per cluster) and returns a proxy to it. */
  public static ActorRef<Command> init(ActorSystem<?> system) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Function<String, RecipientRef<DeployEntity.Command>> deploys =
        id -> sharding.entityRefFor(DeployEntity.ENTITY_TYPE_KEY, id);
    return Singletons.get(system)
        .init(
            SINGLETON,
            SingletonActor.of(create(deploys, WAKE_INTERVAL), PERSISTENCE_ID)
                .withStopMessage(Stop.INSTANCE),
            Describe::new);
  }

  public static Behavior<Command> create(
      Function<String, RecipientRef<DeployEntity.Command>> deploys, Duration wake) {
    return Behaviors.withTimers(
        timers -> {
          timers.startTimerWithFixedDelay(Tick.INSTANCE, wake);
          return Behaviors.setup(ctx -> new Directory(ctx, deploys));
        });
  }

  private static final class Directory
      extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, State> {

    private final ActorContext<Command> ctx;
    private final Function<String, RecipientRef<DeployEntity.Command>> deploys;

    Directory(
        ActorContext<Command> ctx, Function<String, RecipientRef<DeployEntity.Command>> deploys) {
      super(PersistenceId.ofUniqueId(PERSISTENCE_ID), EventSourcing.onJournalFailure());
      this.ctx = ctx;
      this.deploys = deploys;
    }

    @Override
    public State emptyState() {
      return State.empty();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return EventSourcing.snapshotEvery(200);
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
      return newEventHandlerBuilder().forAnyState().onAnyEvent(State::apply);
    }

    @Override
    public SignalHandler<State> signalHandler() {
      return newSignalHandlerBuilder()
          .onSignal(
              RecoveryCompleted.instance(),
              s -> {
                ctx.getLog()
                    .info(
                        "deploy directory started: {} deploys listed, {} waiting",
                        s.entries().size(),
                        s.entries().values().stream().filter(DeployQueue.Entry::waiting).count());
                ctx.getSelf().tell(Tick.INSTANCE);
              })
          .build();
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
      return newCommandHandlerWithReplyBuilder()
          .forAnyState()
          .onCommand(
              Enqueue.class,
              (s, c) -> {
                String id = c.summary().id();
                if (s.entries().containsKey(id)) {
                  return Effect().reply(c.replyTo(), Done.getInstance());
                }
                List<Event> events = new ArrayList<>();
                Enqueued enqueued = new Enqueued(c.summary(), c.front() || c.force(), s.nextSeq());
                events.add(enqueued);
                State after = s.apply(enqueued);
                List<String> forced =
                    c.force()
                        ? DeployQueue.overlapping(after.list(), c.summary().sites(), id)
                        : List.of();
                events.addAll(admissions(after));
                return Effect()
                    .persist(events)
                    .thenRun(
                        st -> {
                          int pos = DeployQueue.position(st.list(), id);
                          ctx.getLog()
                              .info(
                                  "deploy {}: queued for sites {}{}",
                                  id,
                                  c.summary().sites(),
                                  pos > 0 ? " at position " + pos : "");
                          for (String other : forced) {
                            ctx.getLog()
                                .warn(
                                    "deploy {}: started with force: aborting deploy {}", id, other);
                            deploys.apply(other).tell(new DeployEntity.Forced(id));
                          }
                          goAll(events);
                        })
                    .thenReply(c.replyTo(), st -> Done.getInstance());
              })
          .onCommand(
              Update.class,
              (s, c) -> {
                DeployQueue.Entry old = s.entries().get(c.summary().id());
                if (old == null) {
                  // listed before it was enqueued (or pruned): list it now
                  List<Event> events = new ArrayList<>();
                  Enqueued enqueued = new Enqueued(c.summary(), false, s.nextSeq());
                  events.add(enqueued);
                  events.add(new Updated(c.summary()));
                  return Effect().persist(events).thenReply(c.replyTo(), st -> Done.getInstance());
                }
                if (old.summary().equals(c.summary())) {
                  return Effect().reply(c.replyTo(), Done.getInstance());
                }
                List<Event> events = new ArrayList<>();
                Updated updated = new Updated(c.summary());
                events.add(updated);
                events.addAll(admissions(s.apply(updated)));
                return Effect()
                    .persist(events)
                    .thenRun(st -> goAll(events))
                    .thenReply(c.replyTo(), st -> Done.getInstance());
              })
          .onCommand(ListDeploys.class, (s, c) -> Effect().reply(c.replyTo(), listing(s, c)))
          .onCommand(Describe.class, (s, c) -> Effect().reply(c.replyTo(), describe(s)))
          .onCommand(
              Tick.class,
              (s, c) -> {
                List<Event> events = admissions(s);
                for (DeployQueue.Entry e : s.entries().values()) {
                  if (e.active()) {
                    deploys.apply(e.summary().id()).tell(DeployEntity.Go.INSTANCE);
                  }
                }
                if (events.isEmpty()) {
                  return Effect().noReply();
                }
                return Effect().persist(events).thenRun(st -> goAll(events)).thenNoReply();
              })
          .onCommand(Stop.class, (s, c) -> Effect().stop().thenNoReply())
          .build();
    }

    private SingletonInfo describe(State s) {
      ObjectNode details =
          Singletons.details()
              .put("deploys", s.entries().size())
              .put(
                  "queued",
                  s.entries().values().stream().filter(DeployQueue.Entry::waiting).count());
      var running = details.putArray("running");
      s.entries().values().stream()
          .filter(DeployQueue.Entry::active)
          .forEach(e -> running.add(e.summary().id()));
      return Singletons.get(ctx.getSystem()).describe(SINGLETON, SingletonInfo.RUNNING, details);
    }

    private List<Event> admissions(State s) {
      List<Event> events = new ArrayList<>();
      for (String id : DeployQueue.admissible(s.list())) {
        events.add(new Admitted(id));
      }
      return events;
    }

    private void goAll(List<Event> events) {
      for (Event e : events) {
        if (e instanceof Admitted a) {
          ctx.getLog().info("deploy {}: admitted, its sites are free", a.id());
          deploys.apply(a.id()).tell(DeployEntity.Go.INSTANCE);
        }
      }
    }

    private Listing listing(State s, ListDeploys c) {
      List<DeployQueue.Entry> all = new ArrayList<>(s.entries().values());
      all.sort(Comparator.comparing(DeployQueue.Entry::seq).reversed());
      List<Listed> out = new ArrayList<>();
      for (DeployQueue.Entry e : all) {
        Summary m = e.summary();
        if (c.site() != null && !m.sites().contains(c.site())) {
          continue;
        }
        if (c.state() != null && m.state() != c.state()) {
          continue;
        }
        if (out.size() >= c.limit()) {
          break;
        }
        out.add(
            new Listed(
                m.id(),
                m.state().json(),
                m.sites(),
                m.revision(),
                m.reason(),
                m.by(),
                time(m.createdAt()),
                time(m.startedAt()),
                time(m.endedAt()),
                m.revertOf(),
                DeployQueue.position(s.list(), m.id())));
      }
      return new Listing(out);
    }

    private static String time(long millis) {
      return millis <= 0 ? null : Instant.ofEpochMilli(millis).toString();
    }
  }
}
