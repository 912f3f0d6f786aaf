package io.drover.actors.site;

import io.drover.persistence.CborSerializable;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;

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

  /** Starts the singleton (once per cluster) and returns a proxy to it. */
  public static ActorRef<Command> init(ActorSystem<?> system, SiteSettings settings) {
    throw new UnsupportedOperationException("SiteDirectory is being written");
  }
}
