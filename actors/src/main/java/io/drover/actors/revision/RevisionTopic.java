package io.drover.actors.revision;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The pub-sub topic {@value #NAME}, one local topic actor per actor system: site entities publish
 * {@link RevisionWanted} there, and each node's revision distributor subscribes. Delivery is at
 * most once; a node that missed an announcement catches up when it joins, or fetches on demand.
 */
public final class RevisionTopic implements Extension {

  /** The topic name, the same on every node. */
  public static final String NAME = "drover-revisions-wanted";

  private static final Id ID = new Id();

  private final ActorRef<Topic.Command<RevisionWanted>> topic;

  private RevisionTopic(ActorSystem<?> system) {
    this.topic =
        system.systemActorOf(
            Topic.create(RevisionWanted.class, NAME), "drover-revisions-topic", Props.empty());
  }

  /** The topic of {@code system}, started on first use. */
  public static RevisionTopic get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Tells every subscribed node that the hosts of {@code pool} should hold {@code revision}. */
  public void publish(RevisionWanted wanted) {
    topic.tell(Topic.publish(wanted));
  }

  /** Delivers every later announcement to {@code subscriber}. */
  public void subscribe(ActorRef<RevisionWanted> subscriber) {
    topic.tell(Topic.subscribe(subscriber));
  }

  private static final class Id extends ExtensionId<RevisionTopic> {
    @Override
    public RevisionTopic createExtension(ActorSystem<?> system) {
      return new RevisionTopic(system);
    }
  }
}
