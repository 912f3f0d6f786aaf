package io.drover.cluster;

import io.drover.persistence.CborSerializable;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * Background distribution of revisions, one per node. When a site starts using a revision, the node
 * that accepted the change {@link Announce announces} it; every node hears {@link Wanted} once on
 * the cluster topic {@value #TOPIC}, and a node whose pool is the site's pool and that lacks the
 * revision fetches it through its {@link RevisionFetcher} (any reachable holder, in a random
 * order), starting at a random moment within the spread so a large pool does not ask the first
 * holders all at once. Cost: one message per host per revision, no polling.
 */
public final class RevisionDistributor {

  /** The pub/sub topic on which "revision wanted by pool" is published. */
  public static final String TOPIC = "drover-revisions-wanted";

  /** Tries per revision before this host gives up (a failover still fetches on demand). */
  static final int ATTEMPTS = 3;

  /** Time between tries. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(10);

  private RevisionDistributor() {}

  public sealed interface Command {}

  /** Local: a site of {@code pool} now uses {@code revision}; tell every node. */
  public record Announce(String revision, String pool) implements Command {}

  /** On the topic: every host of {@code pool} should hold {@code revision}. */
  public record Wanted(String revision, String pool) implements Command, CborSerializable {}

  private record Start(String revision, int attempt) implements Command {}

  private record Finished(String revision, int attempt, Throwable error) implements Command {}

  /**
   * @param pool this host's pool
   * @param have true when this host already stores a revision
   * @param members the number of cluster members, to scale the spread down in small clusters
   */
  public static Behavior<Command> create(
      String pool,
      Predicate<String> have,
      RevisionFetcher fetcher,
      Duration spread,
      IntSupplier members) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<Topic.Command<Command>> topic =
              ctx.spawn(Topic.create(Command.class, TOPIC), "topic");
          topic.tell(Topic.subscribe(ctx.getSelf()));
          Set<String> pending = new HashSet<>();
          return Behaviors.withTimers(
              timers ->
                  Behaviors.receive(Command.class)
                      .onMessage(
                          Announce.class,
                          a -> {
                            topic.tell(Topic.publish(new Wanted(a.revision(), a.pool())));
                            return Behaviors.same();
                          })
                      .onMessage(
                          Wanted.class,
                          w -> {
                            if (!pool.equals(w.pool())
                                || pending.contains(w.revision())
                                || have.test(w.revision())) {
                              return Behaviors.same();
                            }
                            pending.add(w.revision());
                            Duration delay = delay(spread, members.getAsInt());
                            ctx.getLog()
                                .info(
                                    "revision {} wanted by pool {}: fetching it in the background"
                                        + " in {} ms",
                                    w.revision(),
                                    pool,
                                    delay.toMillis());
                            timers.startSingleTimer(
                                "start-" + w.revision(), new Start(w.revision(), 1), delay);
                            return Behaviors.same();
                          })
                      .onMessage(
                          Start.class,
                          s -> {
                            ctx.pipeToSelf(
                                fetcher.fetch(s.revision()),
                                (info, err) -> new Finished(s.revision(), s.attempt(), err));
                            return Behaviors.same();
                          })
                      .onMessage(
                          Finished.class,
                          f -> {
                            if (f.error() == null) {
                              pending.remove(f.revision());
                              return Behaviors.same();
                            }
                            Throwable cause =
                                f.error().getCause() != null ? f.error().getCause() : f.error();
                            if (f.attempt() >= ATTEMPTS) {
                              pending.remove(f.revision());
                              ctx.getLog()
                                  .warn(
                                      "revision {}: background fetch gave up after {} tries: {}"
                                          + " (an instance that needs it fetches it then)",
                                      f.revision(),
                                      f.attempt(),
                                      cause.getMessage());
                            } else {
                              ctx.getLog()
                                  .warn(
                                      "revision {}: background fetch failed ({}); retry in {} s",
                                      f.revision(),
                                      cause.getMessage(),
                                      RETRY_AFTER.toSeconds());
                              timers.startSingleTimer(
                                  "start-" + f.revision(),
                                  new Start(f.revision(), f.attempt() + 1),
                                  RETRY_AFTER);
                            }
                            return Behaviors.same();
                          })
                      .build());
        });
  }

  /** A random start within the spread, the spread being at most 20 ms per member. */
  static Duration delay(Duration spread, int members) {
    long bound = Math.min(spread.toMillis(), 20L * Math.max(1, members));
    return Duration.ofMillis(bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound + 1));
  }
}
