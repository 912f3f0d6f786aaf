package io.drover.actors.host;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The pub-sub topic {@value #NAME}, one local topic actor per actor system: every {@link
 * HostEntity} publishes its {@link HostRecord} there after each change, and every {@link
 * HostDirectory} subscribes. Delivery is at most once (topic actors find each other through the
 * receptionist, eventually), so directories also ask the entities directly; see {@link
 * HostDirectory}.
 */
public final class HostTopic implements Extension {

  /** The topic name, the same on every node. */
  public static final String NAME = "drover-hosts";

  private static final Id ID = new Id();

  private final ActorRef<Topic.Command<HostRecord>> topic;

  private HostTopic(ActorSystem<?> system) {
    this.topic =
        system.systemActorOf(
            Topic.create(HostRecord.class, NAME), "drover-hosts-topic", Props.empty());
  }

  /** The topic of {@code system}, started on first use. */
  public static HostTopic get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Send it {@code Topic.publish(record)} or {@code Topic.subscribe(ref)}. */
  public ActorRef<Topic.Command<HostRecord>> topic() {
    return topic;
  }

  private static final class Id extends ExtensionId<HostTopic> {
    @Override
    public HostTopic createExtension(ActorSystem<?> system) {
      return new HostTopic(system);
    }
  }
}
