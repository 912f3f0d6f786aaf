package io.drover.cluster;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.host.HostEntity;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Leave;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Leaving the cluster without dropping capacity: drain this host (its sites start replacements on
 * other hosts and stop the old copies once those are ready), wait until its agent runs nothing,
 * then leave. Each step logs one line.
 */
public final class GracefulLeave {

  private static final Logger log = LoggerFactory.getLogger(GracefulLeave.class);

  /** How often {@link #awaitEmpty} asks the agent. */
  static final Duration POLL = Duration.ofMillis(500);

  private static final Duration ASK_TIMEOUT = Duration.ofSeconds(5);

  private GracefulLeave() {}

  /**
   * How a graceful leave went; the node leaves in every case.
   *
   * @param drained the host entity recorded the drain
   * @param emptied the agent ran no instance any more before the deadline
   * @param remaining instances the agent still ran when the node left; -1 if it did not answer
   */
  public record Result(boolean drained, boolean emptied, int remaining) {}

  /**
   * Drains the node's host, waits at most {@code timeout} until its agent runs nothing, then tells
   * the cluster this node leaves. Instances that could not move in time (no other host of their
   * pool) stop when the node shuts down. Completes once {@code Leave} is sent; the node is removed
   * and shuts down asynchronously after that.
   */
  public static CompletionStage<Result> drainThenLeave(Node node, Duration timeout) {
    ActorSystem<?> system = node.system();
    return drainThenLeave(
        system,
        node.settings().host(),
        Cluster.get(system).selfMember().address(),
        node.agent(),
        timeout);
  }

  /**
   * Drains {@code host} (whose node is the member {@code address} and whose agent is {@code
   * agent}), waits at most {@code timeout} until the agent runs nothing, then makes that member
   * leave. Works from any node of the cluster.
   */
  public static CompletionStage<Result> drainThenLeave(
      ActorSystem<?> system,
      String host,
      Address address,
      ActorRef<HostAgent.Command> agent,
      Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    log.info(
        "graceful leave of host {}: draining (waiting at most {} ms)", host, timeout.toMillis());
    return AskPattern.<HostEntity.Command, HostEntity.Reply>ask(
            ClusterSharding.get(system).entityRefFor(HostEntity.ENTITY_TYPE_KEY, host),
            HostEntity.Drain::new,
            ASK_TIMEOUT,
            system.scheduler())
        .handle(
            (reply, failure) -> {
              if (failure == null && reply.outcome() == HostEntity.Outcome.OK) {
                return true;
              }
              log.warn(
                  "graceful leave of host {}: drain not recorded ({}); its instances do not move",
                  host,
                  failure != null ? failure.toString() : reply.message());
              return false;
            })
        .thenCompose(
            drained -> {
              Duration left = Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
              CompletionStage<Integer> remaining =
                  drained
                      ? awaitEmpty(agent, left, system)
                      : count(agent, system).exceptionally(e -> -1);
              return remaining.thenApply(n -> new Result(drained, n == 0, n));
            })
        .thenApply(
            result -> {
              if (result.emptied()) {
                log.info("graceful leave of host {}: no instance runs there any more", host);
              } else {
                log.warn(
                    "graceful leave of host {}: {} instances still run there; they stop with the"
                        + " node",
                    host,
                    result.remaining() < 0 ? "unknown number of" : result.remaining());
              }
              log.info("graceful leave of host {}: member {} leaves the cluster", host, address);
              Cluster.get(system).manager().tell(Leave.create(address));
              return result;
            });
  }

  /**
   * Asks {@code agent} every {@link #POLL} how many instances it runs, until none or until {@code
   * timeout}. Completes with the last count (0 when emptied; -1 if the agent never answered).
   */
  public static CompletionStage<Integer> awaitEmpty(
      ActorRef<HostAgent.Command> agent, Duration timeout, ActorSystem<?> system) {
    CompletableFuture<Integer> done = new CompletableFuture<>();
    poll(agent, System.nanoTime() + timeout.toNanos(), -1, system, done);
    return done;
  }

  private static void poll(
      ActorRef<HostAgent.Command> agent,
      long deadline,
      int last,
      ActorSystem<?> system,
      CompletableFuture<Integer> done) {
    count(agent, system)
        .whenComplete(
            (n, failure) -> {
              int seen = failure == null ? n : last;
              if (seen == 0 || System.nanoTime() >= deadline) {
                done.complete(seen);
                return;
              }
              Duration left = Duration.ofNanos(deadline - System.nanoTime());
              Duration wait = left.compareTo(POLL) < 0 ? left : POLL;
              try {
                system
                    .scheduler()
                    .scheduleOnce(
                        wait,
                        () -> poll(agent, deadline, seen, system, done),
                        system.executionContext());
              } catch (IllegalStateException stopped) {
                done.complete(seen);
              }
            });
  }

  private static CompletionStage<Integer> count(
      ActorRef<HostAgent.Command> agent, ActorSystem<?> system) {
    return AskPattern.<HostAgent.Command, HostAgent.Instances>ask(
            agent, HostAgent.GetInstances::new, ASK_TIMEOUT, system.scheduler())
        .thenApply(i -> i.all().size());
  }
}
