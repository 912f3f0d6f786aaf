package io.drover.actors.host;

import io.drover.persistence.CborSerializable;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;

/**
 * One per node, local: knows every host agent in the cluster (from the receptionist) and what each
 * host is (by asking it once). Sites subscribe to it to learn where they may place instances.
 */
public final class HostDirectory {

  private HostDirectory() {}

  public sealed interface Command extends CborSerializable {}

  /** {@code subscriber} gets the current {@link Hosts} now and again after every change. */
  public record Subscribe(ActorRef<Hosts> subscriber) implements Command {}

  /** Answers once with the current {@link Hosts}. */
  public record GetHosts(ActorRef<Hosts> replyTo) implements Command {}

  /** Every known host, sorted by name. */
  public record Hosts(List<HostInfo> hosts) implements CborSerializable {}

  public static Behavior<Command> create() {
    throw new UnsupportedOperationException("HostDirectory is being written");
  }
}
