package io.drover.actors.host;

import io.drover.actors.common.EventSourcing;
import io.drover.persistence.CborSerializable;
import java.time.Instant;
import java.util.Map;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The control-plane record of one host (sharded, event-sourced; entity id = host name): pool,
 * labels, latest incarnation and address of its agent, and whether an operator cordoned or drained
 * it. Every change is published as a {@link HostRecord} on {@link HostTopic}, where each node's
 * {@link HostDirectory} picks it up and tells the sites to keep new instances off the host (and,
 * when draining, to move the existing ones).
 */
public final class HostEntity {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "host");

  private HostEntity() {}

  public sealed interface Command extends CborSerializable {}

  /**
   * The host's node announces itself; idempotent. A new incarnation (or pool, labels, address) is
   * recorded; cordon and drain survive it. Answers {@code OK}, or {@code INVALID} without a pool or
   * incarnation.
   */
  public record Register(
      String pool,
      Map<String, String> labels,
      String incarnation,
      String address,
      ActorRef<Reply> replyTo)
      implements Command {}

  /** No new instances on this host; the running ones stay. Answers {@code OK} or NOT_FOUND. */
  public record Cordon(ActorRef<Reply> replyTo) implements Command {}

  /** Ends cordon and drain. Answers {@code OK} or {@code NOT_FOUND}. */
  public record Uncordon(ActorRef<Reply> replyTo) implements Command {}

  /**
   * Cordon, and move every instance on this host elsewhere, each replacement ready before its old
   * copy stops. Answers {@code OK} or {@code NOT_FOUND}.
   */
  public record Drain(ActorRef<Reply> replyTo) implements Command {}

  /** Answers {@code OK} with the record, or {@code NOT_FOUND}. */
  public record Get(ActorRef<Reply> replyTo) implements Command {}

  /** Sent by sharding on hand-off (internal). */
  private enum Stop implements Command {
    INSTANCE
  }

  /** How a request ended. */
  public enum Outcome {
    OK,
    NOT_FOUND,
    INVALID
  }

  /**
   * The answer to every request.
   *
   * @param outcome how it ended
   * @param message for a refusal, what to fix; otherwise {@code null}
   * @param host the record after the request; {@code null} unless registered
   */
  public record Reply(Outcome outcome, String message, HostRecord host)
      implements CborSerializable {}

  // ---- events

  public sealed interface Event extends CborSerializable {}

  /** The host registered for the first time. */
  public record HostRegistered(
      String pool, Map<String, String> labels, String incarnation, String address, Instant at)
      implements Event {}

  /** The host registered again with a new incarnation (or changed pool, labels or address). */
  public record HostIncarnated(
      String pool, Map<String, String> labels, String incarnation, String address, Instant at)
      implements Event {}

  public enum HostCordoned implements Event {
    INSTANCE
  }

  /** Cordoned and draining from now on. */
  public enum HostDrainStarted implements Event {
    INSTANCE
  }

  /** Neither cordoned nor draining from now on. */
  public enum HostUncordoned implements Event {
    INSTANCE
  }

  // ---- state

  /**
   * The persisted state; {@code incarnation == null} until the first registration.
   *
   * @param version number of events applied; see {@link HostRecord#version()}
   */
  public record State(
      String pool,
      Map<String, String> labels,
      String incarnation,
      String address,
      boolean cordoned,
      boolean draining,
      Instant registeredAt,
      long version)
      implements CborSerializable {

    static State empty() {
      return new State(null, Map.of(), null, null, false, false, null, 0);
    }

    public boolean registered() {
      return incarnation != null;
    }

    HostRecord record(String name) {
      return new HostRecord(
          name, pool, labels, incarnation, address, cordoned, draining, registeredAt, version);
    }

    State apply(Event event) {
      long v = version + 1;
      if (event instanceof HostRegistered e) {
        return new State(
            e.pool(), e.labels(), e.incarnation(), e.address(), cordoned, draining, e.at(), v);
      } else if (event instanceof HostIncarnated e) {
        return new State(
            e.pool(), e.labels(), e.incarnation(), e.address(), cordoned, draining, e.at(), v);
      } else if (event == HostCordoned.INSTANCE) {
        return new State(pool, labels, incarnation, address, true, draining, registeredAt, v);
      } else if (event == HostDrainStarted.INSTANCE) {
        return new State(pool, labels, incarnation, address, true, true, registeredAt, v);
      } else {
        return new State(pool, labels, incarnation, address, false, false, registeredAt, v);
      }
    }
  }

  /** Registers the entity type with Cluster Sharding. */
  public static void init(ActorSystem<?> system) {
    ClusterSharding.get(system)
        .init(
            Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId()))
                .withStopMessage(Stop.INSTANCE));
  }

  /**
   * The entity of each host name, for {@link HostDirectory#create(Function)}. Resolved on each
   * call, so it may be created before {@link #init} ran (calls fail until then).
   */
  public static Function<String, RecipientRef<Command>> lookup(ActorSystem<?> system) {
    return host -> ClusterSharding.get(system).entityRefFor(ENTITY_TYPE_KEY, host);
  }

  /** The behaviour of one host record; {@code name} is the entity id. */
  public static Behavior<Command> create(String name) {
    return Behaviors.setup(ctx -> new Host(name, ctx, HostTopic.get(ctx.getSystem()).topic()));
  }

  private static final class Host
      extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, State> {

    private final String name;
    private final ActorContext<Command> ctx;
    private final ActorRef<Topic.Command<HostRecord>> topic;

    Host(String name, ActorContext<Command> ctx, ActorRef<Topic.Command<HostRecord>> topic) {
      super(PersistenceId.of(ENTITY_TYPE_KEY.name(), name), EventSourcing.onJournalFailure());
      this.name = name;
      this.ctx = ctx;
      this.topic = topic;
    }

    @Override
    public State emptyState() {
      return State.empty();
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
    public SignalHandler<State> signalHandler() {
      return newSignalHandlerBuilder()
          .onSignal(
              RecoveryCompleted.instance(),
              state -> {
                // directories that missed a change (pub-sub is at most once) catch up here too
                if (state.registered()) {
                  publish(state);
                }
              })
          .build();
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
      return newCommandHandlerWithReplyBuilder()
          .forAnyState()
          .onCommand(Register.class, this::onRegister)
          .onCommand(Cordon.class, (s, c) -> change(s, HostCordoned.INSTANCE, c.replyTo()))
          .onCommand(Drain.class, (s, c) -> change(s, HostDrainStarted.INSTANCE, c.replyTo()))
          .onCommand(Uncordon.class, (s, c) -> change(s, HostUncordoned.INSTANCE, c.replyTo()))
          .onCommand(
              Get.class, (s, c) -> Effect().reply(c.replyTo(), s.registered() ? ok(s) : notFound()))
          .onCommand(Stop.class, (s, c) -> Effect().stop().thenNoReply())
          .build();
    }

    private ReplyEffect<Event, State> onRegister(State state, Register r) {
      if (r.pool() == null || r.pool().isBlank()) {
        return Effect().reply(r.replyTo(), invalid("register host " + name + " with a pool"));
      }
      if (r.incarnation() == null || r.incarnation().isBlank()) {
        return Effect()
            .reply(r.replyTo(), invalid("register host " + name + " with its agent's incarnation"));
      }
      Map<String, String> labels = r.labels() == null ? Map.of() : Map.copyOf(r.labels());
      if (state.registered()
          && state.incarnation().equals(r.incarnation())
          && state.pool().equals(r.pool())
          && state.labels().equals(labels)
          && java.util.Objects.equals(state.address(), r.address())) {
        return Effect().reply(r.replyTo(), ok(state));
      }
      Instant now = Instant.now();
      Event event =
          state.registered()
              ? new HostIncarnated(r.pool(), labels, r.incarnation(), r.address(), now)
              : new HostRegistered(r.pool(), labels, r.incarnation(), r.address(), now);
      return Effect()
          .persist(event)
          .thenRun(
              s -> {
                if (state.registered()) {
                  ctx.getLog()
                      .info(
                          "host {} registered incarnation {} at {} (was {}), pool {}{}",
                          name,
                          s.incarnation(),
                          s.address(),
                          state.incarnation(),
                          s.pool(),
                          s.draining()
                              ? ", still draining"
                              : s.cordoned() ? ", still cordoned" : "");
                } else {
                  ctx.getLog()
                      .info(
                          "host {} registered: pool {}, incarnation {} at {}",
                          name,
                          s.pool(),
                          s.incarnation(),
                          s.address());
                }
                publish(s);
              })
          .thenReply(r.replyTo(), this::ok);
    }

    /** Cordon, drain and uncordon: persist only what changes the state. */
    private ReplyEffect<Event, State> change(State state, Event event, ActorRef<Reply> replyTo) {
      if (!state.registered()) {
        return Effect().reply(replyTo, notFound());
      }
      State next = state.apply(event);
      if (next.cordoned() == state.cordoned() && next.draining() == state.draining()) {
        return Effect().reply(replyTo, ok(state));
      }
      return Effect()
          .persist(event)
          .thenRun(
              s -> {
                String what =
                    s.draining()
                        ? "draining: no new instances, its instances move to other hosts"
                        : s.cordoned()
                            ? "cordoned: no new instances, its instances stay"
                            : "uncordoned: takes instances again";
                ctx.getLog().info("host {} {}", name, what);
                publish(s);
              })
          .thenReply(replyTo, this::ok);
    }

    private void publish(State state) {
      topic.tell(Topic.publish(state.record(name)));
    }

    private Reply ok(State state) {
      return new Reply(Outcome.OK, null, state.record(name));
    }

    private Reply notFound() {
      return new Reply(
          Outcome.NOT_FOUND,
          "host " + name + " is not known: GET /api/v1/hosts lists the hosts",
          null);
    }

    private Reply invalid(String message) {
      return new Reply(Outcome.INVALID, message, null);
    }
  }
}
