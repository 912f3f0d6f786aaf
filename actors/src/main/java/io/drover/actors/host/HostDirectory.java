package io.drover.actors.host;

import io.drover.actors.agent.HostAgent;
import io.drover.persistence.CborSerializable;
import java.time.Duration;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;

/**
 * One per node, local: knows every host agent in the cluster (from the receptionist) and what each
 * host is (by asking it once). Sites subscribe to it to learn where they may place instances.
 */
public final class HostDirectory {

  private HostDirectory() {}

  public sealed interface Command extends CborSerializable {}

  /** {@code subscriber} gets the current {@link Hosts} now and again after every change. */
  public record Subscribe(ActorRef<Hosts> subscriber) implements Command {}

  /** Answers once with the current {@link Hosts}. */
  public record GetHosts(ActorRef<Hosts> replyTo) implements Command {}

  /** Every known host, sorted by name. */
  public record Hosts(List<HostInfo> hosts) implements CborSerializable {}

  /** Ask timeout for {@link HostAgent.Describe}. */
  static final Duration DESCRIBE_TIMEOUT = Duration.ofSeconds(3);

  /** How often a silent agent is asked again before it is ignored until it re-registers. */
  static final int DESCRIBE_ATTEMPTS = 5;

  public static Behavior<Command> create() {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  ActorRef<Receptionist.Listing> listingAdapter =
                      ctx.messageAdapter(Receptionist.Listing.class, AgentsChanged::new);
                  ctx.getSystem()
                      .receptionist()
                      .tell(Receptionist.subscribe(HostAgent.SERVICE_KEY, listingAdapter));
                  return new Directory(ctx, timers).running(Map.of(), Set.of(), Set.of());
                }));
  }

  private record AgentsChanged(Receptionist.Listing listing) implements Command {}

  private record Described(ActorRef<HostAgent.Command> agent, HostInfo info) implements Command {}

  private record DescribeFailed(ActorRef<HostAgent.Command> agent, int attempt, Throwable cause)
      implements Command {}

  private record Retry(ActorRef<HostAgent.Command> agent, int attempt) implements Command {}

  private record SubscriberGone(ActorRef<Hosts> subscriber) implements Command {}

  private static final class Directory {
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;

    Directory(ActorContext<Command> ctx, TimerScheduler<Command> timers) {
      this.ctx = ctx;
      this.timers = timers;
    }

    /**
     * @param known every described agent
     * @param agents every agent the receptionist lists (described or not yet)
     * @param subscribers who gets {@link Hosts} on every change
     */
    Behavior<Command> running(
        Map<ActorRef<HostAgent.Command>, HostInfo> known,
        Set<ActorRef<HostAgent.Command>> agents,
        Set<ActorRef<Hosts>> subscribers) {
      return Behaviors.receive(Command.class)
          .onMessage(
              Subscribe.class,
              m -> {
                ctx.watchWith(m.subscriber(), new SubscriberGone(m.subscriber()));
                m.subscriber().tell(hosts(known));
                Set<ActorRef<Hosts>> s = new HashSet<>(subscribers);
                s.add(m.subscriber());
                return running(known, agents, Set.copyOf(s));
              })
          .onMessage(
              GetHosts.class,
              m -> {
                m.replyTo().tell(hosts(known));
                return Behaviors.same();
              })
          .onMessage(
              SubscriberGone.class,
              m -> {
                Set<ActorRef<Hosts>> s = new HashSet<>(subscribers);
                s.remove(m.subscriber());
                return running(known, agents, Set.copyOf(s));
              })
          .onMessage(
              AgentsChanged.class,
              m -> {
                Set<ActorRef<HostAgent.Command>> listed =
                    Set.copyOf(m.listing().getServiceInstances(HostAgent.SERVICE_KEY));
                for (ActorRef<HostAgent.Command> agent : listed) {
                  if (!agents.contains(agent)) {
                    describe(agent, 1);
                  }
                }
                Map<ActorRef<HostAgent.Command>, HostInfo> k = new HashMap<>();
                for (Map.Entry<ActorRef<HostAgent.Command>, HostInfo> e : known.entrySet()) {
                  if (listed.contains(e.getKey())) {
                    k.put(e.getKey(), e.getValue());
                  } else {
                    ctx.getLog().info("host {} left ({})", e.getValue().name(), e.getKey().path());
                  }
                }
                if (k.size() != known.size()) {
                  publish(k, subscribers);
                }
                return running(Map.copyOf(k), listed, subscribers);
              })
          .onMessage(
              Described.class,
              m -> {
                if (!agents.contains(m.agent())) {
                  return Behaviors.same();
                }
                HostInfo i = m.info();
                HostInfo info =
                    new HostInfo(i.name(), i.pool(), i.labels(), i.incarnation(), m.agent());
                ctx.getLog()
                    .info(
                        "host {} joined: pool {}, incarnation {}",
                        info.name(),
                        info.pool(),
                        info.incarnation());
                Map<ActorRef<HostAgent.Command>, HostInfo> k = new HashMap<>(known);
                k.put(m.agent(), info);
                publish(k, subscribers);
                return running(Map.copyOf(k), agents, subscribers);
              })
          .onMessage(
              DescribeFailed.class,
              m -> {
                if (agents.contains(m.agent()) && m.attempt() < DESCRIBE_ATTEMPTS) {
                  Duration delay = Duration.ofMillis(200L << Math.min(m.attempt(), 6));
                  ctx.getLog()
                      .warn(
                          "host agent {} did not describe itself (attempt {}): {}; retrying in {}",
                          m.agent().path(),
                          m.attempt(),
                          m.cause().getMessage(),
                          delay);
                  timers.startSingleTimer(
                      new Retry(m.agent(), m.attempt() + 1),
                      new Retry(m.agent(), m.attempt() + 1),
                      delay);
                } else if (agents.contains(m.agent())) {
                  ctx.getLog()
                      .warn(
                          "host agent {} ignored: no answer to Describe after {} attempts",
                          m.agent().path(),
                          m.attempt());
                }
                return Behaviors.same();
              })
          .onMessage(
              Retry.class,
              m -> {
                if (agents.contains(m.agent()) && !known.containsKey(m.agent())) {
                  describe(m.agent(), m.attempt());
                }
                return Behaviors.same();
              })
          .build();
    }

    private void describe(ActorRef<HostAgent.Command> agent, int attempt) {
      ctx.ask(
          HostInfo.class,
          agent,
          DESCRIBE_TIMEOUT,
          HostAgent.Describe::new,
          (info, failure) ->
              info != null
                  ? new Described(agent, info)
                  : new DescribeFailed(agent, attempt, failure));
    }

    private static Hosts hosts(Map<ActorRef<HostAgent.Command>, HostInfo> known) {
      return new Hosts(
          known.values().stream()
              .sorted(Comparator.comparing(HostInfo::name).thenComparing(HostInfo::incarnation))
              .toList());
    }

    private static void publish(
        Map<ActorRef<HostAgent.Command>, HostInfo> known, Set<ActorRef<Hosts>> subscribers) {
      Hosts hosts = hosts(known);
      for (ActorRef<Hosts> s : subscribers) {
        s.tell(hosts);
      }
    }
  }
}
