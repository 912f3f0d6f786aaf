package io.drover.actors.site;

import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.host.HostDirectory;
import io.drover.persistence.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * One site (sharded, event-sourced): its desired spec and where its instances are placed. It tells
 * host agents what to run and replaces instances that stay missing longer than the grace period.
 */
public final class SiteEntity {

  public static final EntityTypeKey<Command> ENTITY_TYPE_KEY =
      EntityTypeKey.create(Command.class, "site");

  private SiteEntity() {}

  public sealed interface Command extends CborSerializable {}

  /** Creates the site or changes its spec; answers {@code CREATED} or {@code OK}. */
  public record Put(SiteSpec spec, ActorRef<Reply> replyTo) implements Command {}

  /** Answers {@code OK} with the site, or {@code NOT_FOUND}. */
  public record Get(ActorRef<Reply> replyTo) implements Command {}

  /** Stops every instance and forgets the site; answers {@code OK} or {@code NOT_FOUND}. */
  public record Delete(ActorRef<Reply> replyTo) implements Command {}

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
    CONFLICT
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
    throw new UnsupportedOperationException("SiteEntity is being written");
  }
}
