package io.drover.actors.deploy;

import io.drover.actors.host.HostDirectory;
import io.drover.actors.site.SiteEntity;
import io.drover.actors.site.SiteRollout;
import io.drover.persistence.CborSerializable;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One deploy (sharded, event-sourced): a fixed revision rolled over the hosts of its sites in a
 * seeded order, up to {@code parallel} hosts at once, canaries first. Every step is an event; on
 * recovery it drives the hosts that were in flight again. The deploy decides (see {@link
 * DeployPlanner}); each site replaces its instances on the hosts the deploy releases (see {@link
 * SiteRollout}).
 */
public final class DeployEntity {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "deploy");

  private DeployEntity() {}

  public sealed interface Command extends CborSerializable {}

  /** Accepts the deploy (idempotent per id); answers {@code CREATED}, or {@code CONFLICT}. */
  public record Create(DeploySpec spec, ActorRef<Reply> replyTo) implements Command {}

  /** Answers {@code OK} with the deploy, or {@code NOT_FOUND}. */
  public record Get(ActorRef<Reply> replyTo) implements Command {}

  /** Answers with the steps after {@code after} (0 for all), at most {@code limit}. */
  public record GetSteps(long after, int limit, ActorRef<Steps> replyTo) implements Command {}

  /**
   * @param status null when the deploy does not exist
   * @param steps in order
   */
  public record Steps(String deploy, DeployStatus status, List<Step> steps)
      implements CborSerializable {
    public Steps {
      steps = List.copyOf(steps);
    }
  }

  /** Stops the deploy: {@code aborted}; finished hosts keep the new revision, the rest go back. */
  public record Abort(String by, String reason, ActorRef<Reply> replyTo) implements Command {}

  /** No new host starts; hosts in progress finish. */
  public record Pause(String by, String reason, ActorRef<Reply> replyTo) implements Command {}

  public record Resume(String by, ActorRef<Reply> replyTo) implements Command {}

  /**
   * Starts a deploy back to each site's previous revision with the same seed (so the same hosts go
   * first); a deploy still going ends {@code reverted} first. Answers with the revert deploy.
   */
  public record Revert(String by, String reason, ActorRef<Reply> replyTo) implements Command {}

  /** The queue lets the deploy start (idempotent). */
  public enum Go implements Command {
    INSTANCE
  }

  /** A deploy started with {@code force} takes the sites: this one ends aborted; no reply. */
  public record Forced(String byDeploy) implements Command {}

  /**
   * Told to a deploy started with {@code force} by each deploy it aborted (one that had already
   * ended does not tell); no reply.
   */
  public record ForcedAbort(String aborted) implements Command {}

  public enum Outcome {
    OK,
    CREATED,
    NOT_FOUND,
    CONFLICT,
    INVALID
  }

  /**
   * @param deploy the deploy after the request (for a revert: the revert deploy)
   */
  public record Reply(Outcome outcome, String message, DeployView deploy)
      implements CborSerializable {}

  // ---- internal commands

  record WrappedProgress(SiteEntity.HostProgress progress) implements Command {}

  record RolloutBegun(String site, SiteEntity.RolloutReply reply, String failure)
      implements Command {}

  record SiteEnded(String site, boolean ok) implements Command {}

  record Enqueued(boolean ok) implements Command {}

  /** The queue knows the deploy is {@code status}; null when it did not answer. */
  record ReportedToQueue(DeployStatus status) implements Command {}

  record RevertCreated(String revertId, boolean ok, String message) implements Command {}

  record WrappedHosts(HostDirectory.Hosts hosts) implements Command {}

  enum Tick implements Command {
    INSTANCE
  }

  enum Stop implements Command {
    INSTANCE
  }

  // ---- events

  public sealed interface Event extends CborSerializable {}

  public record Requested(DeploySpec spec) implements Event {}

  /**
   * @param previous each site's revision before
   * @param hosts every host in order, all pending
   * @param hostSites the deploy's sites on each host
   */
  public record Started(
      long at,
      Map<String, String> previous,
      List<DeployState.HostRow> hosts,
      Map<String, List<String>> hostSites)
      implements Event {}

  public record HostStarted(String host, long at) implements Event {}

  public record HostProgressed(String host, HostState state, int replaced, String site, long at)
      implements Event {}

  public record HostDone(String host, long at) implements Event {}

  public record HostFailed(String host, String reason, long at) implements Event {}

  /** A host left cleanly ({@code SKIPPED}) or vanished ({@code VANISHED}). */
  public record HostSkipped(String host, HostState state, String reason, long at)
      implements Event {}

  public record BakeStarted(long at, long until) implements Event {}

  public record Paused(String by, String reason, long at) implements Event {}

  public record Resumed(String by, long at) implements Event {}

  /**
   * @param revertId the revert deploy started because of this end; null for none
   */
  public record Ended(DeployStatus status, String reason, String by, long at, String revertId)
      implements Event {}

  public record RevertLinked(String revertId) implements Event {}

  /** This deploy, started with {@code force}, aborted deploy {@code aborted}. */
  public record AbortedByForce(String aborted, long at) implements Event {}

  /** Every site and the queue were told the deploy ended (and its revert, if any, was created). */
  public record Settled(long at) implements Event {}

  /** What a deploy needs from the node. */
  public record Deps(
      Function<String, RecipientRef<SiteEntity.Command>> sites,
      Function<String, RecipientRef<Command>> deploys,
      RecipientRef<DeployDirectory.Command> queue,
      ActorRef<HostDirectory.Command> hosts,
      LongSupplier clock,
      Duration tick,
      Duration askTimeout) {}

  /** Registers the entity type with Cluster Sharding. */
  public static void init(
      ActorSystem<?> system,
      ActorRef<HostDirectory.Command> hosts,
      RecipientRef<DeployDirectory.Command> queue) {
    ClusterSharding sharding = ClusterSharding.get(system);
    Deps deps =
        new Deps(
            site -> sharding.entityRefFor(SiteEntity.ENTITY_TYPE_KEY, site),
            id -> sharding.entityRefFor(ENTITY_TYPE_KEY, id),
            queue,
            hosts,
            System::currentTimeMillis,
            Duration.ofMillis(500),
            Duration.ofSeconds(5));
    sharding.init(
        Entity.of(ENTITY_TYPE_KEY, ctx -> create(ctx.getEntityId(), deps, ctx.getShard()))
            // a running deploy is kept awake by the queue's wake-ups; an ended one passivates
            .withSettings(ClusterShardingSettings.create(system))
            .withStopMessage(Stop.INSTANCE));
  }

  /** The behaviour of deploy {@code id}. */
  public static Behavior<Command> create(String id, Deps deps) {
    return create(id, deps, null);
  }

  /**
   * As above; {@code shard} (null outside sharding) is asked to passivate the entity of an id that
   * names no deploy, so asking for unknown ids leaves nothing running.
   */
  static Behavior<Command> create(
      String id, Deps deps, ActorRef<ClusterSharding.ShardCommand> shard) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Tick.INSTANCE, deps.tick());
                  return new DeployBehavior(id, ctx, deps, shard);
                }));
  }
}
