package io.drover.actors.agent;

import io.drover.actors.host.HostInfo;
import io.drover.actors.site.SiteSpec;
import io.drover.persistence.CborSerializable;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.receptionist.ServiceKey;
import org.apache.pekko.pattern.StatusReply;

/**
 * The data plane of one host (one per node, local, not sharded): starts, watches, health-checks,
 * restarts and stops real OS processes. Sites tell it what to run with {@link Assign}; it answers
 * with {@link SiteReport}s whenever an instance changes and every report interval.
 */
public final class HostAgent {

  /** Every agent registers under this key with the receptionist. */
  public static final ServiceKey<Command> SERVICE_KEY =
      ServiceKey.create(Command.class, "drover-host-agent");

  private HostAgent() {}

  public sealed interface Command extends CborSerializable {}

  /**
   * Desired state of one site on this host: run exactly {@code instances}, stop any other instance
   * of {@code site}. Idempotent; sites re-send it every reconcile interval.
   *
   * @param site the site name
   * @param instances what should run here; empty means nothing of this site runs here
   * @param reportTo where the agent sends this site's {@link SiteReport}s from now on
   */
  public record Assign(String site, List<Assignment> instances, ActorRef<SiteReport> reportTo)
      implements Command {}

  /**
   * One instance to run.
   *
   * @param instanceId {@code <site>-<epoch>}
   * @param epoch the placement epoch
   * @param spec what the instance runs; fixed for the life of the instance id
   */
  public record Assignment(String instanceId, long epoch, SiteSpec spec)
      implements CborSerializable {}

  /** Answers with this host's identity. */
  public record Describe(ActorRef<HostInfo> replyTo) implements Command {}

  /** Answers with every instance this agent runs, of all sites. */
  public record GetInstances(ActorRef<List<InstanceStatus>> replyTo) implements Command {}

  /**
   * Answers with the last {@code tail} lines of an instance's log (stdout and stderr together), or
   * an error if this agent does not know the instance.
   */
  public record GetLogs(String instanceId, int tail, ActorRef<StatusReply<String>> replyTo)
      implements Command {}

  /** Stops every instance (SIGTERM, grace, SIGKILL) and answers when all are gone. */
  public record StopAll(ActorRef<Done> replyTo) implements Command {}

  /**
   * Everything the agent runs of one site. Sent on every change of an instance and every report
   * interval.
   */
  public record SiteReport(String host, String site, List<InstanceStatus> instances)
      implements CborSerializable {}

  public static Behavior<Command> create(AgentSettings settings, ReleaseDirs releases) {
    throw new UnsupportedOperationException("HostAgent is being written");
  }
}
