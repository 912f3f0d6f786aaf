package io.drover.actors.token;

import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.pubsub.Topic;

/**
 * The pub-sub topic {@value #NAME}: the token registry publishes its whole {@link TokenTable} after
 * every change and when it (re)starts; every node's token cache subscribes. Delivery is at most
 * once: the caches also pull the table's version every few seconds.
 */
public final class TokenTopic implements Extension {

  public static final String NAME = "drover-tokens";

  private static final Id ID = new Id();

  private final ActorRef<Topic.Command<TokenTable>> topic;

  private TokenTopic(ActorSystem<?> system) {
    this.topic =
        system.systemActorOf(
            Topic.create(TokenTable.class, NAME), "drover-token-topic", Props.empty());
  }

  public static TokenTopic get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  public void publish(TokenTable table) {
    topic.tell(Topic.publish(table));
  }

  public void subscribe(ActorRef<TokenTable> subscriber) {
    topic.tell(Topic.subscribe(subscriber));
  }

  private static final class Id extends ExtensionId<TokenTopic> {
    @Override
    public TokenTopic createExtension(ActorSystem<?> system) {
      return new TokenTopic(system);
    }
  }
}
