package io.drover.cluster;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.host.HostEntity;
import io.drover.actors.host.HostInfo;
import io.drover.actors.host.HostRecord;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Registers this node's host with its {@link HostEntity}: asks the agent who it is ({@link
 * HostAgent.Describe}: pool, labels, incarnation), then sends {@link HostEntity.Register} with the
 * node's cluster address. Retries with capped exponential backoff until it succeeds, logging one
 * line per failed attempt.
 */
final class HostRegistration {

  private static final Logger log = LoggerFactory.getLogger(HostRegistration.class);

  static final Duration FIRST_DELAY = Duration.ofMillis(500);
  static final Duration MAX_DELAY = Duration.ofSeconds(30);
  private static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration REGISTER_TIMEOUT = Duration.ofSeconds(10);

  private HostRegistration() {}

  /** Starts registering; completes with the record once registered. */
  static CompletionStage<HostRecord> start(Node node) {
    return start(node, node.agent(), node.settings().host());
  }

  /**
   * Starts registering another agent of this node (a simulated host); completes with the record
   * once registered.
   */
  static CompletionStage<HostRecord> start(
      Node node, ActorRef<HostAgent.Command> agent, String host) {
    CompletableFuture<HostRecord> done = new CompletableFuture<>();
    attempt(node, agent, host, 1, done);
    return done;
  }

  private static void attempt(
      Node node,
      ActorRef<HostAgent.Command> agent,
      String host,
      int attempt,
      CompletableFuture<HostRecord> done) {
    ActorSystem<?> system = node.system();
    if (system.whenTerminated().isCompleted()) {
      done.completeExceptionally(new IllegalStateException("node stopped before registering"));
      return;
    }
    String address = Cluster.get(system).selfMember().address().toString();
    AskPattern.<HostAgent.Command, HostInfo>ask(
            agent, HostAgent.Describe::new, DESCRIBE_TIMEOUT, system.scheduler())
        .thenCompose(
            info ->
                AskPattern.<HostEntity.Command, HostEntity.Reply>ask(
                    ClusterSharding.get(system)
                        .entityRefFor(HostEntity.ENTITY_TYPE_KEY, info.name()),
                    r ->
                        new HostEntity.Register(
                            info.pool(), info.labels(), info.incarnation(), address, r),
                    REGISTER_TIMEOUT,
                    system.scheduler()))
        .whenComplete(
            (reply, failure) -> {
              if (failure == null && reply.outcome() == HostEntity.Outcome.OK) {
                // the entity logs the registration itself
                log.debug(
                    "host {} registered (incarnation {}, {}{})",
                    reply.host().name(),
                    reply.host().incarnation(),
                    reply.host().address(),
                    reply.host().draining()
                        ? ", draining"
                        : reply.host().cordoned() ? ", cordoned" : "");
                done.complete(reply.host());
              } else if (failure == null && reply.outcome() == HostEntity.Outcome.INVALID) {
                log.error("host registration refused: {}", reply.message());
                done.completeExceptionally(new IllegalArgumentException(reply.message()));
              } else {
                long millis =
                    Math.min(
                        MAX_DELAY.toMillis(), FIRST_DELAY.toMillis() << Math.min(attempt - 1, 10));
                Duration delay = Duration.ofMillis(millis);
                log.warn(
                    "host {} not registered yet (attempt {}): {}; retrying in {} ms",
                    host,
                    attempt,
                    failure != null ? failure.toString() : reply.message(),
                    delay.toMillis());
                try {
                  system
                      .scheduler()
                      .scheduleOnce(
                          delay,
                          () -> attempt(node, agent, host, attempt + 1, done),
                          system.executionContext());
                } catch (IllegalStateException stopped) {
                  done.completeExceptionally(stopped);
                }
              }
            });
  }
}
