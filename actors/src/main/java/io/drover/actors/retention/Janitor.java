package io.drover.actors.retention;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.revision.RevisionStore;
import io.drover.actors.site.AllSiteRevisions;
import io.drover.actors.site.SiteDirectory;
import io.drover.actors.site.SiteEntity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One per node (local): every {@link RetentionSettings#interval()} it asks the site directory for
 * every site, every site entity for the revisions it uses and used (a cluster-wide view), and this
 * host's agent what it runs; then deletes what {@link Retention} does not keep. If any of them does
 * not answer, it deletes nothing this round.
 */
public final class Janitor {

  private Janitor() {}

  public sealed interface Command {}

  /** Sweeps now and answers what was deleted (for tests and operators). */
  public record SweepNow(ActorRef<Swept> replyTo) implements Command {}

  /** What a sweep deleted; {@code skipped} says why nothing was, when the view was incomplete. */
  public record Swept(List<String> revisions, List<String> releases, int logs, String skipped) {}

  private enum Tick implements Command {
    INSTANCE
  }

  private record Gathered(Sweeper.Snapshot snapshot, Throwable failure) implements Command {}

  private record Done(Swept swept) implements Command {}

  /**
   * Users of revisions other than sites (the cron scheduler's jobs): each answers with what it
   * uses, as {@link Retention.SiteRevisions}; a failed or late answer skips the round, as a site's
   * does.
   */
  @FunctionalInterface
  public interface RevisionUsers {
    CompletionStage<List<Retention.SiteRevisions>> gather(Duration timeout, Scheduler scheduler);

    RevisionUsers NONE = (timeout, scheduler) -> CompletableFuture.completedFuture(List.of());
  }

  /** How long each ask of a sweep may take. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(10);

  /**
   * @param siteEntity the entity of a site name (in a node: through Cluster Sharding)
   * @param logsDir where the agent writes instance logs ({@code <data-dir>/logs})
   */
  public static Behavior<Command> create(
      RetentionSettings settings,
      RevisionStore store,
      Path logsDir,
      String host,
      ActorRef<SiteDirectory.Command> sites,
      Function<String, RecipientRef<SiteEntity.Command>> siteEntity,
      ActorRef<HostAgent.Command> agent,
      RevisionUsers others) {
    return create(settings, store, logsDir, host, sites, siteEntity, agent, others, ASK_TIMEOUT);
  }

  /** As above, with the timeout of each ask (for tests). */
  static Behavior<Command> create(
      RetentionSettings settings,
      RevisionStore store,
      Path logsDir,
      String host,
      ActorRef<SiteDirectory.Command> sites,
      Function<String, RecipientRef<SiteEntity.Command>> siteEntity,
      ActorRef<HostAgent.Command> agent,
      RevisionUsers others,
      Duration askTimeout) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  // its first line may come from a piped reply: name the logger, or it is Pekko's
                  ctx.setLoggerName(Janitor.class);
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, settings.interval());
                  Sweeper sweeper = new Sweeper(store, logsDir, settings, host);
                  return new Janitor.State(
                          ctx, sweeper, sites, siteEntity, agent, others, askTimeout)
                      .idle();
                }));
  }

  private static final class State {
    private final ActorContext<Command> ctx;
    private final Sweeper sweeper;
    private final ActorRef<SiteDirectory.Command> sites;
    private final Function<String, RecipientRef<SiteEntity.Command>> siteEntity;
    private final ActorRef<HostAgent.Command> agent;
    private final RevisionUsers others;
    private final Executor blocking;
    private final Scheduler scheduler;
    private final Duration askTimeout;
    private final List<ActorRef<Swept>> waiting = new ArrayList<>();
    private boolean busy;

    State(
        ActorContext<Command> ctx,
        Sweeper sweeper,
        ActorRef<SiteDirectory.Command> sites,
        Function<String, RecipientRef<SiteEntity.Command>> siteEntity,
        ActorRef<HostAgent.Command> agent,
        RevisionUsers others,
        Duration askTimeout) {
      this.askTimeout = askTimeout;
      this.others = others;
      this.ctx = ctx;
      this.sweeper = sweeper;
      this.sites = sites;
      this.siteEntity = siteEntity;
      this.agent = agent;
      this.blocking = ctx.getSystem().dispatchers().lookup(DispatcherSelector.blocking());
      this.scheduler = ctx.getSystem().scheduler();
    }

    Behavior<Command> idle() {
      return Behaviors.receive(Command.class)
          .onMessageEquals(Tick.INSTANCE, this::start)
          .onMessage(
              SweepNow.class,
              m -> {
                waiting.add(m.replyTo());
                return start();
              })
          .onMessage(Gathered.class, this::onGathered)
          .onMessage(Done.class, this::onDone)
          .build();
    }

    private Behavior<Command> start() {
      if (busy) {
        return Behaviors.same();
      }
      busy = true;
      ctx.pipeToSelf(gather(), Gathered::new);
      return Behaviors.same();
    }

    private CompletionStage<Sweeper.Snapshot> gather() {
      CompletionStage<List<Retention.SiteRevisions>> all =
          AllSiteRevisions.gather(sites, siteEntity, askTimeout, scheduler)
              .thenApply(
                  rs ->
                      rs.stream()
                          .map(r -> new Retention.SiteRevisions(r.site(), r.inUse(), r.recent()))
                          .toList())
              .thenCombine(
                  others.gather(askTimeout, scheduler),
                  (siteRevs, otherRevs) -> {
                    List<Retention.SiteRevisions> both = new ArrayList<>(siteRevs);
                    both.addAll(otherRevs);
                    return both;
                  });
      CompletionStage<HostAgent.Instances> running =
          AskPattern.ask(agent, HostAgent.GetInstances::new, askTimeout, scheduler);
      return all.thenCombine(
          running,
          (s, r) -> {
            Set<String> ids = new TreeSet<>();
            Set<String> revisions = new TreeSet<>();
            for (InstanceStatus i : r.instances()) {
              ids.add(i.id());
              if (i.revision() != null) {
                revisions.add(i.revision());
              }
            }
            return new Sweeper.Snapshot(s, ids, revisions);
          });
    }

    private Behavior<Command> onGathered(Gathered g) {
      if (g.failure() != null) {
        String why =
            "the cluster-wide view is incomplete ("
                + g.failure().getClass().getSimpleName()
                + ": "
                + g.failure().getMessage()
                + "); nothing deleted this round";
        ctx.getLog().warn("retention skipped: {}", why);
        return onDone(new Done(new Swept(List.of(), List.of(), 0, why)));
      }
      long now = System.currentTimeMillis();
      ctx.pipeToSelf(
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return sweeper.sweep(g.snapshot(), now);
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
              },
              blocking),
          (result, err) -> {
            if (err != null) {
              return new Done(new Swept(List.of(), List.of(), 0, "sweep failed: " + err));
            }
            return new Done(
                new Swept(result.revisions(), result.releases(), result.logs().size(), null));
          });
      return Behaviors.same();
    }

    private Behavior<Command> onDone(Done d) {
      busy = false;
      if (d.swept().skipped() != null && d.swept().skipped().startsWith("sweep failed")) {
        ctx.getLog().warn("retention: {}", d.swept().skipped());
      }
      for (ActorRef<Swept> w : waiting) {
        w.tell(d.swept());
      }
      waiting.clear();
      return Behaviors.same();
    }
  }
}
