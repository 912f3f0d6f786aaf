package io.drover.actors.deploy;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The pub-sub topic {@value #NAME}: every deploy publishes each {@link Step} after it is persisted;
 * the event streams, metrics and webhooks of every node subscribe. Delivery is at most once: a
 * stream that resumes asks the deploy for the steps it missed.
 */
public final class DeployTopic implements Extension {

  public static final String NAME = "drover-deploy-steps";

  private static final Id ID = new Id();

  private final ActorRef<Topic.Command<Step>> topic;

  private DeployTopic(ActorSystem<?> system) {
    this.topic =
        system.systemActorOf(Topic.create(Step.class, NAME), "drover-deploy-topic", Props.empty());
  }

  public static DeployTopic get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public void publish(Step step) {
    topic.tell(Topic.publish(step));
  }

  public void subscribe(ActorRef<Step> subscriber) {
    topic.tell(Topic.subscribe(subscriber));
  }

  public void unsubscribe(ActorRef<Step> subscriber) {
    topic.tell(Topic.unsubscribe(subscriber));
  }

  private static final class Id extends ExtensionId<DeployTopic> {
    @Override
    public DeployTopic createExtension(ActorSystem<?> system) {
      return new DeployTopic(system);
    }
  }
}
