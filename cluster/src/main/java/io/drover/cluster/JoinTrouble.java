package io.drover.cluster;

import io.drover.actors.common.Durations;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.eventstream.EventStream;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.event.Logging;

/**
 * Why a node did not become Up in time, in one line. Pekko logs a failed TLS handshake (a
 * certificate from another CA, say) among its connection warnings while it keeps retrying the join;
 * the join timeout then names it instead of only asking whether the other nodes run.
 */
final class JoinTrouble {

  /** Keeps the rest of a line short: a handshake error can carry a whole certificate path. */
  static final int MAX_ERROR_CHARS = 200;

  private static final Pattern TLS_ERROR =
      Pattern.compile("(?:javax\\.net\\.ssl\\.)?(SSL\\w*Exception: [^\\r\\n]*)");

  private JoinTrouble() {}

  /**
   * The TLS error in a logged line ({@code SSLHandshakeException: PKIX path validation failed:
   * ...}), without its package and cut to {@link #MAX_ERROR_CHARS}; empty when the line names none.
   */
  static Optional<String> tlsError(String logged) {
    if (logged == null) {
      return Optional.empty();
    }
    Matcher m = TLS_ERROR.matcher(logged);
    if (!m.find()) {
      return Optional.empty();
    }
    String error = m.group(1).trim();
    return Optional.of(
        error.length() <= MAX_ERROR_CHARS ? error : error.substring(0, MAX_ERROR_CHARS) + "...");
  }

  /**
   * The message of a node that did not become Up within {@code timeout}: the likely cause, and what
   * to check.
   *
   * @param lastTlsError the last TLS error logged while joining, if any
   */
  static String notUp(Duration timeout, ClusterSettings.Mode mode, Optional<String> lastTlsError) {
    String within = "could not join the cluster within " + Durations.format(timeout);
    if (lastTlsError.isPresent()) {
      return within
          + ": TLS handshakes with the other nodes failed (last: "
          + lastTlsError.get()
          + "); is this node's certificate (--tls-dir) from the same cluster CA as theirs?";
    }
    return within
        + switch (mode) {
          case SEEDS -> ": are the --join nodes running and reachable?";
          case DISCOVERY -> ": are enough (--expect-nodes) contact points up and reachable?";
          default -> "";
        };
  }

  /** Listens to the warnings and errors the actor system logs and keeps the last TLS error. */
  static final class Recorder {

    /** Stops the listener (internal). */
    private enum Stop {
      INSTANCE
    }

    private final AtomicReference<String> last = new AtomicReference<>();
    private final ActorSystem<?> system;
    private final ActorRef<Object> listener;

    private Recorder(ActorSystem<?> system) {
      this.system = system;
      this.listener =
          system.systemActorOf(
              Behaviors.receive(Object.class)
                  .onMessageEquals(Stop.INSTANCE, Behaviors::stopped)
                  .onMessage(
                      Logging.LogEvent.class,
                      e -> {
                        if (e.level() <= Logging.WarningLevel()) {
                          String text = String.valueOf(e.message());
                          if (e instanceof Logging.LogEventWithCause c && c.cause() != null) {
                            text = text + " " + c.cause();
                          }
                          tlsError(text).ifPresent(last::set);
                        }
                        return Behaviors.same();
                      })
                  .build(),
              "join-trouble",
              Props.empty());
      system
          .eventStream()
          .tell(new EventStream.Subscribe<>(Logging.LogEvent.class, listener.narrow()));
    }

    /** Starts listening to {@code system}'s log events. */
    static Recorder start(ActorSystem<?> system) {
      return new Recorder(system);
    }

    /** The last TLS error logged since {@link #start}, if any. */
    Optional<String> lastTlsError() {
      return Optional.ofNullable(last.get());
    }

    /** Stops listening (the node is Up, or gave up). */
    void stop() {
      system.eventStream().tell(new EventStream.Unsubscribe<>(listener.<Logging.LogEvent>narrow()));
      listener.tell(Stop.INSTANCE);
    }
  }
}
