package io.drover.actors.audit;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;
import io.drover.actors.common.EventSourcing;
import io.drover.persistence.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The audit records of one UTC day (sharded, event-sourced; entity id = the day, {@code
 * 2026-12-01}), in the order they were appended. At most {@code max-per-day} records are kept; the
 * first refused one is logged at WARN (the caller logs each refused record).
 */
public final class AuditDay {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "audit");

  /** A snapshot every this many records (the state is the whole day). */
  static final int SNAPSHOT_EVERY = 1000;

  private AuditDay() {}

  public sealed interface Command extends CborSerializable {}

  /** Keeps {@code record}; answers {@link Appended#KEPT}, or {@link Appended#FULL} over the cap. */
  public record Append(AuditRecord record, ActorRef<Appended> replyTo) implements Command {}

  /**
   * One page of the day, newest first: records appended before sequence number {@code before}, from
   * {@code since} on, matching {@code target} ({@link AuditPaging#matches}); at most {@code limit}
   * (and at most a page's size).
   */
  public record Read(Instant since, String target, long before, int limit, ActorRef<Page> replyTo)
      implements Command {}

  /** Sent by sharding on hand-off (internal). */
  private enum Stop implements Command {
    INSTANCE
  }

  /** The answer to {@link Append}. */
  public enum Appended implements CborSerializable {
    KEPT,
    FULL
  }

  /**
   * The answer to {@link Read}.
   *
   * @param records newest first
   * @param more whether older records of the day were not looked at yet
   * @param next the {@code before} of the next page when {@code more}
   */
  public record Page(List<AuditRecord> records, boolean more, long next)
      implements CborSerializable {}

  // ---- events

  public sealed interface Event extends CborSerializable {}

  /** A request was recorded. */
  public record Recorded(AuditRecord record) implements Event {}

  // ---- state

  /**
   * The day's records: an immutable list, newest first, that grows in O(1) and reads as a plain
   * list (oldest first) in snapshots. Record {@code n} (1-based, oldest first) has sequence number
   * {@code n}.
   */
  public static final class State implements CborSerializable {

    private record Link(AuditRecord record, Link older) {}

    private static final State EMPTY = new State(null, 0);

    private final Link newest;
    private final int count;

    private State(Link newest, int count) {
      this.newest = newest;
      this.count = count;
    }

    static State empty() {
      return EMPTY;
    }

    @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
    static State of(List<AuditRecord> oldestFirst) {
      State s = EMPTY;
      for (AuditRecord r : oldestFirst) {
        s = s.with(r);
      }
      return s;
    }

    /** Every record, oldest first (the snapshot form). */
    @JsonValue
    public List<AuditRecord> oldestFirst() {
      List<AuditRecord> out = new ArrayList<>(count);
      for (Link l = newest; l != null; l = l.older()) {
        out.add(l.record());
      }
      java.util.Collections.reverse(out);
      return out;
    }

    public int count() {
      return count;
    }

    State with(AuditRecord r) {
      return new State(new Link(r, newest), count + 1);
    }

    Page read(Instant since, String target, long before, int limit) {
      int max = Math.min(limit, AuditPaging.PAGE_RECORDS);
      List<AuditRecord> out = new ArrayList<>();
      int weight = 0;
      long seq = count;
      Link l = newest;
      for (; l != null && seq >= before; l = l.older()) {
        seq--;
      }
      for (; l != null; l = l.older(), seq--) {
        if (out.size() >= max || weight >= AuditPaging.PAGE_WEIGHT) {
          return new Page(List.copyOf(out), true, seq + 1);
        }
        AuditRecord r = l.record();
        if (!r.time().isBefore(since) && AuditPaging.matches(target, r.target())) {
          out.add(r);
          weight += r.weight();
        }
      }
      return new Page(List.copyOf(out), false, 0);
    }
  }

  /**
   * A day's entity stops this long after its last request: reads may start many days, and a full
   * day holds all its records in memory.
   */
  static final java.time.Duration IDLE = java.time.Duration.ofSeconds(30);

  /** Registers the entity type with Cluster Sharding. */
  public static void init(ActorSystem<?> system, int maxPerDay) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), maxPerDay))
                .withSettings(
                    ClusterShardingSettings.create(system)
                        .withPassivationStrategy(
                            ClusterShardingSettings.PassivationStrategySettings$.MODULE$
                                .defaults()
                                .withIdleEntityPassivation(IDLE)))
                .withStopMessage(Stop.INSTANCE));
  }

  /** The behaviour of one day's records; {@code day} is the entity id. */
  public static Behavior<Command> create(String day, int maxPerDay) {
    return create(day, maxPerDay, SNAPSHOT_EVERY);
  }

  /** As {@link #create(String, int)} with a snapshot every {@code snapshotEvery} records. */
  static Behavior<Command> create(String day, int maxPerDay, int snapshotEvery) {
    return Behaviors.setup(ctx -> new Day(day, maxPerDay, snapshotEvery, ctx));
  }

  private static final class Day
      extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, State> {

    private final String day;
    private final int maxPerDay;
    private final int snapshotEvery;
    private final ActorContext<Command> ctx;

    /** Whether this incarnation already warned that the day is full. */
    private boolean warned;

    Day(String day, int maxPerDay, int snapshotEvery, ActorContext<Command> ctx) {
      super(PersistenceId.of(ENTITY_TYPE_KEY.name(), day), EventSourcing.onJournalFailure());
      this.day = day;
      this.maxPerDay = maxPerDay;
      this.snapshotEvery = snapshotEvery;
      this.ctx = ctx;
    }

    @Override
    public State emptyState() {
      return State.empty();
    }

    @Override
    public RetentionCriteria retentionCriteria() {
      return EventSourcing.snapshotEvery(snapshotEvery);
    }

    @Override
    public EventHandler<State, Event> eventHandler() {
      return newEventHandlerBuilder()
          .forAnyState()
          .onEvent(Recorded.class, (s, e) -> s.with(e.record()))
          .build();
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
      return newCommandHandlerWithReplyBuilder()
          .forAnyState()
          .onCommand(Append.class, this::onAppend)
          .onCommand(
              Read.class,
              (s, c) ->
                  Effect().reply(c.replyTo(), s.read(c.since(), c.target(), c.before(), c.limit())))
          .onCommand(Stop.class, (s, c) -> Effect().stop().thenNoReply())
          .build();
    }

    private ReplyEffect<Event, State> onAppend(State state, Append a) {
      if (state.count() >= maxPerDay) {
        if (!warned) {
          warned = true;
          ctx.getLog()
              .warn(
                  "audit trail of {} is full: {} records (drover.audit.max-per-day); further"
                      + " mutating requests of this day are served but only logged, not kept",
                  day,
                  maxPerDay);
        }
        return Effect().reply(a.replyTo(), Appended.FULL);
      }
      return Effect().persist(new Recorded(a.record())).thenReply(a.replyTo(), s -> Appended.KEPT);
    }
  }
}
