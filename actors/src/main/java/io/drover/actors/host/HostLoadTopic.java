package io.drover.actors.host;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The pub-sub topic {@value #NAME}, one local topic actor per actor system: every host agent
 * publishes its {@link HostLoad} there when its instance count changes, and every {@link
 * HostDirectory} subscribes. This replaces directories asking every agent every few seconds (work
 * that grew with nodes x hosts). Delivery is at most once; agents re-publish every {@link
 * HostLoad#REPUBLISH_INTERVAL}.
 */
public final class HostLoadTopic implements Extension {

  /** The topic name, the same on every node. */
  public static final String NAME = "drover-host-load";

  private static final Id ID = new Id();

  private final ActorRef<Topic.Command<HostLoad>> topic;

  private HostLoadTopic(ActorSystem<?> system) {
    this.topic =
        system.systemActorOf(
            Topic.create(HostLoad.class, NAME), "drover-host-load-topic", Props.empty());
  }

  /** The topic of {@code system}, started on first use. */
  public static HostLoadTopic get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Tells every subscribed directory how many instances a host runs. */
  public void publish(HostLoad load) {
    topic.tell(Topic.publish(load));
  }

  /** Delivers every later publication to {@code subscriber}. */
  public void subscribe(ActorRef<HostLoad> subscriber) {
    topic.tell(Topic.subscribe(subscriber));
  }

  private static final class Id extends ExtensionId<HostLoadTopic> {
    @Override
    public HostLoadTopic createExtension(ActorSystem<?> system) {
      return new HostLoadTopic(system);
    }
  }
}
