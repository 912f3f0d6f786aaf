package io.drover.cluster;

import io.drover.actors.revision.RevisionTopic;
import io.drover.actors.revision.RevisionWanted;
import io.drover.actors.site.SiteEntity;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.IntSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Background distribution of revisions, one per node. When a site starts using a revision, its site
 * entity announces {@link RevisionWanted} on the cluster topic {@value RevisionTopic#NAME} (again
 * when the entity recovers); every node hears it once, and a node whose pool is the site's pool and
 * that lacks the revision fetches it through its {@link RevisionFetcher} (any reachable holder, in
 * a random order), starting at a random moment within the spread so a large pool does not ask the
 * first holders all at once. Cost: one message per host per revision, no polling.
 *
 * <p>A node that joins after the announcement {@link CatchUp catches up} once: it asks every site
 * which revisions it uses (O(sites) asks, once per join) and fetches those of its pool it lacks,
 * the same way.
 */
public final class RevisionDistributor {

  /** Tries per revision before this host gives up (a failover still fetches on demand). */
  static final int ATTEMPTS = 3;

  /** Tries of a catch-up whose view of the sites is incomplete (right after a join, say). */
  static final int CATCH_UP_ATTEMPTS = 5;

  /** Time between tries of a catch-up. */
  static final Duration CATCH_UP_RETRY_AFTER = Duration.ofSeconds(5);

  /** Time between tries. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(10);

  private RevisionDistributor() {}

  public sealed interface Command {}

  /** Every host of {@code pool} should hold {@code revision} (from the topic, or a catch-up). */
  public record Wanted(String revision, String pool) implements Command {}

  /**
   * Local, once this node is Up: asks {@code sites} (every site's revisions, cluster-wide) after a
   * random delay within the spread and fetches the revisions of this pool this host lacks; tried up
   * to {@link #CATCH_UP_ATTEMPTS} times when the view is incomplete.
   */
  public record CatchUp(Supplier<CompletionStage<List<SiteEntity.Revisions>>> sites)
      implements Command {}

  private record Gather(CatchUp catchUp, int attempt) implements Command {}

  private record Gathered(
      CatchUp catchUp, int attempt, List<SiteEntity.Revisions> sites, Throwable error)
      implements Command {}

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
          // the logger name is otherwise guessed from the stack of the first log call, which may be
          // Pekko's (a piped or timed message) and then filtered out with Pekko's own logs
          ctx.setLoggerName(RevisionDistributor.class);
          RevisionTopic.get(ctx.getSystem())
              .subscribe(
                  ctx.messageAdapter(
                      RevisionWanted.class, w -> new Wanted(w.revision(), w.pool())));
          Set<String> pending = new HashSet<>();
          return Behaviors.withTimers(
              timers ->
                  Behaviors.receive(Command.class)
                      .onMessage(
                          CatchUp.class,
                          c -> {
                            Duration delay = delay(spread, members.getAsInt());
                            ctx.getLog()
                                .info(
                                    "revision catch-up: asking every site which revisions it uses"
                                        + " in {} ms",
                                    delay.toMillis());
                            timers.startSingleTimer("catch-up", new Gather(c, 1), delay);
                            return Behaviors.same();
                          })
                      .onMessage(
                          Gather.class,
                          g -> {
                            ctx.pipeToSelf(
                                g.catchUp().sites().get(),
                                (sites, err) -> new Gathered(g.catchUp(), g.attempt(), sites, err));
                            return Behaviors.same();
                          })
                      .onMessage(
                          Gathered.class,
                          g -> {
                            if (g.error() == null) {
                              List<String> missing = missing(g.sites(), pool, have);
                              ctx.getLog()
                                  .info(
                                      "revision catch-up: {} sites, {} revisions of pool {}"
                                          + " missing here",
                                      g.sites().size(),
                                      missing.size(),
                                      pool);
                              for (String revision : missing) {
                                ctx.getSelf().tell(new Wanted(revision, pool));
                              }
                            } else if (g.attempt() >= CATCH_UP_ATTEMPTS) {
                              ctx.getLog()
                                  .warn(
                                      "revision catch-up gave up after {} tries: {} (an instance"
                                          + " that needs a revision fetches it then)",
                                      g.attempt(),
                                      g.error().getMessage());
                            } else {
                              ctx.getLog()
                                  .info(
                                      "revision catch-up: the sites did not all answer ({});"
                                          + " retry in {} s",
                                      g.error().getMessage(),
                                      CATCH_UP_RETRY_AFTER.toSeconds());
                              timers.startSingleTimer(
                                  "catch-up",
                                  new Gather(g.catchUp(), g.attempt() + 1),
                                  CATCH_UP_RETRY_AFTER);
                            }
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

  /** The revisions the sites of {@code pool} use that this host lacks, each once, sorted. */
  static List<String> missing(
      List<SiteEntity.Revisions> sites, String pool, Predicate<String> have) {
    Set<String> out = new TreeSet<>();
    for (SiteEntity.Revisions s : sites) {
      if (pool.equals(s.pool())) {
        for (String r : s.inUse()) {
          if (!have.test(r)) {
            out.add(r);
          }
        }
      }
    }
    return List.copyOf(out);
  }

  /** A random start within the spread, the spread being at most 20 ms per member. */
  static Duration delay(Duration spread, int members) {
    long bound = Math.min(spread.toMillis(), 20L * Math.max(1, members));
    return Duration.ofMillis(bound <= 0 ? 0 : ThreadLocalRandom.current().nextLong(bound + 1));
  }
}
