package io.drover.http.auth;

import io.drover.actors.token.TokenRegistry;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's credential for its peers' APIs (revision transfers): a secret generated at start and
 * kept in memory only; its hash is registered with the {@link TokenRegistry} as the credential of
 * {@code node:<host>} (role viewer), replacing the one of the node's previous run. Registration is
 * retried with a backoff capped at {@link #MAX_BACKOFF} until the registry acknowledges it; until
 * then {@link #bearer()} is empty (a peer would refuse the secret anyway).
 */
public final class NodeCredential {

  private static final Logger log = LoggerFactory.getLogger(NodeCredential.class);

  static final Duration FIRST_BACKOFF = Duration.ofMillis(500);
  static final Duration MAX_BACKOFF = Duration.ofSeconds(10);
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  /** After this many failed attempts a warning says the node still has no credential. */
  static final int WARN_AFTER = 6;

  private final ActorSystem<?> system;
  private final ActorRef<TokenRegistry.Command> registry;
  private final String host;
  private final String secret = TokenHash.generate();
  private volatile boolean registered;

  private NodeCredential(
      ActorSystem<?> system, ActorRef<TokenRegistry.Command> registry, String host) {
    this.system = system;
    this.registry = registry;
    this.host = host;
  }

  /** Generates the secret and starts registering its hash. */
  public static NodeCredential start(
      ActorSystem<?> system, ActorRef<TokenRegistry.Command> registry, String host) {
    NodeCredential c = new NodeCredential(system, registry, host);
    c.attempt(1, FIRST_BACKOFF);
    return c;
  }

  /** The secret to send to peers, once the registry acknowledged it. */
  public Optional<String> bearer() {
    return registered ? Optional.of(secret) : Optional.empty();
  }

  /** Whether the registry acknowledged this node's credential. */
  public boolean registered() {
    return registered;
  }

  private void attempt(int n, Duration backoff) {
    if (system.whenTerminated().isCompleted()) {
      return;
    }
    AskPattern.<TokenRegistry.Command, TokenRegistry.Reply>ask(
            registry,
            r -> new TokenRegistry.RegisterNode(host, TokenHash.of(secret), r),
            ASK_TIMEOUT,
            system.scheduler())
        .whenComplete(
            (reply, err) -> {
              if (err == null && reply instanceof TokenRegistry.Registered) {
                registered = true;
                log.info(
                    "node credential node:{} registered: revision transfers to peers carry it",
                    host);
                return;
              }
              if (n == WARN_AFTER) {
                log.warn(
                    "node credential node:{} not registered yet ({}): peers refuse this node's"
                        + " revision transfers until it is; still trying",
                    host,
                    err != null ? err.toString() : reply);
              }
              Duration next = backoff.multipliedBy(2);
              Duration capped = next.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : next;
              try {
                system
                    .scheduler()
                    .scheduleOnce(backoff, () -> attempt(n + 1, capped), system.executionContext());
              } catch (IllegalStateException stopping) {
                // the scheduler is shut down: the node stops
              }
            });
  }
}
