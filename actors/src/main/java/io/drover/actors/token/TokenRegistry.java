package io.drover.actors.token;

import io.drover.actors.common.SingletonInfo;
import io.drover.actors.common.Singletons;
import io.drover.persistence.CborSerializable;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * The API tokens and node credentials of the cluster: a cluster singleton, event-sourced, that
 * stores only SHA-256 hashes of secrets (a secret is generated where the request arrives, returned
 * once, and never sent to the registry). Every change is pushed to the token caches of all nodes
 * ({@link TokenTopic}); they also pull {@link GetVersion} every few seconds, so a revocation
 * reaches every node within seconds, across a failover too. Decisions are the pure {@link
 * TokenRules}.
 */
public final class TokenRegistry {

  private TokenRegistry() {}

  /** Its name among the singletons. */
  public static final String NAME = "tokens";

  static final String PERSISTENCE_ID = "token-registry";

  public sealed interface Command extends CborSerializable {}

  /**
   * Creates token {@code name}; answers {@link Created} or {@link Refused}.
   *
   * @param role the role's wire name
   * @param hash SHA-256 of the secret, lowercase hex (the secret itself stays with the caller)
   * @param ttlMillis how long it works, from now
   * @param createdBy who asks
   */
  public record Create(
      String name,
      String role,
      String hash,
      long ttlMillis,
      String createdBy,
      ActorRef<Reply> replyTo)
      implements Command {}

  /** Revokes token {@code name}; answers {@link Revoked} or {@link Refused} (not found). */
  public record Revoke(String name, String by, ActorRef<Reply> replyTo) implements Command {}

  /**
   * Registers the credential of node {@code host} (replacing its previous one); answers {@link
   * Registered} once it is persisted.
   */
  public record RegisterNode(String host, String hash, ActorRef<Reply> replyTo)
      implements Command {}

  /** Answers {@link Listing}: tokens and node credentials, no hash. */
  public record ListTokens(ActorRef<Reply> replyTo) implements Command {}

  /** Answers {@link Version}: cheap, for the caches' periodic pull. */
  public record GetVersion(ActorRef<Version> replyTo) implements Command {}

  /** Answers the whole {@link TokenTable}. */
  public record GetTable(ActorRef<TokenTable> replyTo) implements Command {}

  /** A cache's batch of last uses (token name → epoch ms). No answer. */
  public record ReportUse(Map<String, Long> lastUse) implements Command {}

  /** Where the registry runs and how many tokens it holds. */
  public record Describe(ActorRef<SingletonInfo> replyTo) implements Command {}

  enum Stop implements Command {
    INSTANCE
  }

  public sealed interface Reply extends CborSerializable {}

  public record Created(TokenView token) implements Reply {}

  public record Revoked(String name) implements Reply {}

  public record Registered(String host) implements Reply {}

  public record Listing(List<TokenView> tokens) implements Reply {}

  /** The request changed nothing: invalid (400), conflict (409), or not found (404). */
  public record Refused(TokenRules.Why why, String message) implements Reply {}

  public record Version(long version) implements CborSerializable {}

  /**
   * A token or node credential as listed; never a hash or secret.
   *
   * @param expires epoch ms; null for a node credential
   * @param lastUsed epoch ms, approximate; null when no use was reported
   */
  public record TokenView(
      String name, String role, long created, Long expires, String createdBy, Long lastUsed)
      implements CborSerializable {}

  /** Starts the singleton (once per cluster) and returns a proxy to it. */
  public static ActorRef<Command> init(ActorSystem<?> system) {
    TokenTopic topic = TokenTopic.get(system);
    return Singletons.get(system)
        .init(
            NAME,
            SingletonActor.of(create(PERSISTENCE_ID, Clock.systemUTC(), topic::publish), NAME)
                .withStopMessage(Stop.INSTANCE),
            Describe::new);
  }

  /**
   * The registry's behaviour.
   *
   * @param publish hears the whole table after every change and once recovered
   */
  public static Behavior<Command> create(
      String persistenceId, Clock clock, Consumer<TokenTable> publish) {
    return Behaviors.setup(ctx -> new RegistryBehavior(ctx, persistenceId, clock, publish));
  }
}
