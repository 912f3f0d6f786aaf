package io.drover.actors.site;

import io.drover.actors.common.EventSourcing;
import io.drover.actors.common.SingletonInfo;
import io.drover.actors.common.Singletons;
import io.drover.persistence.CborSerializable;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
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
 * The names of all sites (cluster singleton, event-sourced). It lists them for the API and wakes
 * every site entity on start-up and every reconcile interval, so a site keeps being reconciled
 * after a restart or after its shard moved.
 */
public final class SiteDirectory {

  private SiteDirectory() {}

  public sealed interface Command extends CborSerializable {}

  /** Records a site name; idempotent. */
  public record Register(String site, ActorRef<Done> replyTo) implements Command {}

  /** Forgets a site name; idempotent. */
  public record Unregister(String site, ActorRef<Done> replyTo) implements Command {}

  /** Answers with every site name, sorted. */
  public record ListSites(ActorRef<Names> replyTo) implements Command {}

  public record Names(List<String> sites) implements CborSerializable {}

  /** Answers whether one name is recorded: a point query, not the whole list. */
  public record HasSite(String site, ActorRef<Known> replyTo) implements Command {}

  public record Known(boolean known) implements CborSerializable {}

  /** Answers where the directory runs, since when, and how many sites it lists. */
  public record Describe(ActorRef<SingletonInfo> replyTo) implements Command {}

  /** Its name in {@code GET /api/v1/singletons}. */
  public static final String SINGLETON = "site-directory";

  /** Starts the singleton (once per cluster) and returns a proxy to it. */
  public static ActorRef<Command> init(ActorSystem<?> system, SiteSettings settings) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Consumer<String> wake =
        site ->
            sharding.entityRefFor(SiteEntity.ENTITY_TYPE_KEY, site).tell(SiteEntity.Wake.INSTANCE);
    return Singletons.get(system)
        .init(
            SINGLETON,
            SingletonActor.of(create(wake, settings.reconcileInterval()), PERSISTENCE_ID)
                .withStopMessage(Stop.INSTANCE),
            Describe::new);
  }

  static final String PERSISTENCE_ID = "site-directory";

  /**
   * The directory's behaviour.
   *
   * @param wake starts (or pokes) the site entity of one name
   * @param interval how often every site is woken
   */
  public static Behavior<Command> create(Consumer<String> wake, Duration interval) {
    return Behaviors.withTimers(
        timers -> {
          timers.startTimerWithFixedDelay(Tick.INSTANCE, interval);
          return Behaviors.setup(ctx -> new Directory(ctx, wake));
        });
  }

  /** Time to wake every site (internal). */
  private enum Tick implements Command {
    INSTANCE
  }

  /** Sent by the singleton manager on hand-over (internal). */
  private enum Stop implements Command {
    INSTANCE
  }

  public sealed interface Event extends CborSerializable {}

  public record SiteRegistered(String site) implements Event {}

  public record SiteUnregistered(String site) implements Event {}

  /**
   * @param sites every registered site name, sorted
   */
  public record State(List<String> sites) implements CborSerializable {
    State apply(Event event) {
      TreeSet<String> s = new TreeSet<>(sites);
      if (event instanceof SiteRegistered e) {
        s.add(e.site());
      } else if (event instanceof SiteUnregistered e) {
        s.remove(e.site());
      }
      return new State(List.copyOf(s));
    }
  }

  private static final class Directory
      extends EventSourcedBehaviorWithEnforcedReplies<Command, Event, State> {
    private final ActorContext<Command> ctx;
    private final Consumer<String> wake;

    Directory(ActorContext<Command> ctx, Consumer<String> wake) {
      super(PersistenceId.ofUniqueId(PERSISTENCE_ID), EventSourcing.onJournalFailure());
      this.ctx = ctx;
      this.wake = wake;
    }

    @Override
    public State emptyState() {
      return new State(List.of());
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
                ctx.getLog().info("site directory started with {} sites", state.sites().size());
                wakeAll(state);
              })
          .build();
    }

    @Override
    public CommandHandlerWithReply<Command, Event, State> commandHandler() {
      return newCommandHandlerWithReplyBuilder()
          .forAnyState()
          .onCommand(
              Register.class,
              (state, c) -> {
                if (state.sites().contains(c.site())) {
                  return Effect().reply(c.replyTo(), Done.getInstance());
                }
                return Effect()
                    .persist(new SiteRegistered(c.site()))
                    .thenRun(s -> ctx.getLog().info("site {} registered", c.site()))
                    .thenReply(c.replyTo(), s -> Done.getInstance());
              })
          .onCommand(
              Unregister.class,
              (state, c) -> {
                if (!state.sites().contains(c.site())) {
                  return Effect().reply(c.replyTo(), Done.getInstance());
                }
                return Effect()
                    .persist(new SiteUnregistered(c.site()))
                    .thenRun(s -> ctx.getLog().info("site {} unregistered", c.site()))
                    .thenReply(c.replyTo(), s -> Done.getInstance());
              })
          .onCommand(
              ListSites.class, (state, c) -> Effect().reply(c.replyTo(), new Names(state.sites())))
          .onCommand(
              HasSite.class,
              (state, c) ->
                  Effect().reply(c.replyTo(), new Known(state.sites().contains(c.site()))))
          .onCommand(
              Describe.class,
              (state, c) ->
                  Effect()
                      .reply(
                          c.replyTo(),
                          Singletons.get(ctx.getSystem())
                              .describe(
                                  SINGLETON,
                                  SingletonInfo.RUNNING,
                                  Singletons.details().put("sites", state.sites().size()))))
          .onCommand(
              Tick.class,
              (state, c) -> {
                wakeAll(state);
                return Effect().noReply();
              })
          .onCommand(Stop.class, (state, c) -> Effect().stop().thenNoReply())
          .build();
    }

    private void wakeAll(State state) {
      for (String site : state.sites()) {
        wake.accept(site);
      }
    }
  }
}
