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
import java.util.TreeSet;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * One per node, local: knows every host agent in the cluster (from the receptionist), what each
 * host is (by asking it once), and which hosts are unreachable right now (from cluster
 * reachability). Sites subscribe to it to learn where they may place instances.
 */
public final class HostDirectory {

  private HostDirectory() {}

  public sealed interface Command extends CborSerializable {}

  /** {@code subscriber} gets the current {@link Hosts} now and again after every change. */
  public record Subscribe(ActorRef<Hosts> subscriber) implements Command {}

  /** Answers once with the current {@link Hosts}. */
  public record GetHosts(ActorRef<Hosts> replyTo) implements Command {}

  /**
   * Every known host, sorted by name, one entry per name (of two incarnations of a host, the
   * reachable and newest one).
   *
   * @param hosts every host whose agent is registered, reachable or not
   * @param unreachable names of hosts whose node the failure detector cannot reach now; they take
   *     no new placements and their instances stop reporting
   * @param unschedulable names of hosts that take no new placements and should be emptied (cordoned
   *     or draining)
   */
  public record Hosts(List<HostInfo> hosts, Set<String> unreachable, Set<String> unschedulable)
      implements CborSerializable {

    public Hosts {
      hosts = List.copyOf(hosts);
      unreachable = Set.copyOf(unreachable);
      unschedulable = Set.copyOf(unschedulable);
    }

    /** Hosts may take new placements unless unreachable or unschedulable. */
    public boolean schedulable(String host) {
      return !unreachable.contains(host) && !unschedulable.contains(host);
    }
  }

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
                  if (isClustered(ctx)) {
                    ActorRef<ClusterEvent.ReachabilityEvent> reachability =
                        ctx.messageAdapter(
                            ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new);
                    Cluster.get(ctx.getSystem())
                        .subscriptions()
                        .tell(
                            org.apache.pekko.cluster.typed.Subscribe.create(
                                reachability, ClusterEvent.ReachabilityEvent.class));
                  }
                  return new Directory(ctx, timers).behavior();
                }));
  }

  private static boolean isClustered(ActorContext<?> ctx) {
    return ctx.getSystem().settings().config().getString("pekko.actor.provider").equals("cluster");
  }

  private record AgentsChanged(Receptionist.Listing listing) implements Command {}

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

  private record Described(ActorRef<HostAgent.Command> agent, HostInfo info) implements Command {}

  private record DescribeFailed(ActorRef<HostAgent.Command> agent, int attempt, Throwable cause)
      implements Command {}

  private record Retry(ActorRef<HostAgent.Command> agent, int attempt) implements Command {}

  private record SubscriberGone(ActorRef<Hosts> subscriber) implements Command {}

  /** A described agent and when it was described (a newer incarnation wins a name). */
  private record Known(HostInfo info, long seq) {}

  private static final class Directory {
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final Address selfAddress;

    /** Every described agent. */
    private final Map<ActorRef<HostAgent.Command>, Known> known = new HashMap<>();

    /** Every agent the receptionist lists, described or not yet. */
    private Set<ActorRef<HostAgent.Command>> agents = Set.of();

    /** Node addresses the failure detector cannot reach now. */
    private final Set<Address> unreachableNodes = new HashSet<>();

    private final Set<ActorRef<Hosts>> subscribers = new HashSet<>();
    private long seq;
    private Hosts last = new Hosts(List.of(), Set.of(), Set.of());

    Directory(ActorContext<Command> ctx, TimerScheduler<Command> timers) {
      this.ctx = ctx;
      this.timers = timers;
      this.selfAddress = ctx.getSystem().address();
    }

    Behavior<Command> behavior() {
      return Behaviors.receive(Command.class)
          .onMessage(Subscribe.class, this::onSubscribe)
          .onMessage(
              GetHosts.class,
              m -> {
                m.replyTo().tell(last);
                return Behaviors.same();
              })
          .onMessage(
              SubscriberGone.class,
              m -> {
                subscribers.remove(m.subscriber());
                return Behaviors.same();
              })
          .onMessage(AgentsChanged.class, this::onAgentsChanged)
          .onMessage(ReachabilityChanged.class, this::onReachability)
          .onMessage(Described.class, this::onDescribed)
          .onMessage(DescribeFailed.class, this::onDescribeFailed)
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

    private Behavior<Command> onSubscribe(Subscribe m) {
      ctx.watchWith(m.subscriber(), new SubscriberGone(m.subscriber()));
      subscribers.add(m.subscriber());
      m.subscriber().tell(last);
      return Behaviors.same();
    }

    private Behavior<Command> onAgentsChanged(AgentsChanged m) {
      // all instances, reachable or not: an unreachable host is still a host (its instances may
      // come back); reachability is tracked separately
      Set<ActorRef<HostAgent.Command>> listed =
          Set.copyOf(m.listing().getAllServiceInstances(HostAgent.SERVICE_KEY));
      for (ActorRef<HostAgent.Command> agent : listed) {
        if (!agents.contains(agent)) {
          describe(agent, 1);
        }
      }
      known
          .entrySet()
          .removeIf(
              e -> {
                if (listed.contains(e.getKey())) {
                  return false;
                }
                ctx.getLog()
                    .info(
                        "host {} left (incarnation {})",
                        e.getValue().info().name(),
                        e.getValue().info().incarnation());
                return true;
              });
      agents = listed;
      publish();
      return Behaviors.same();
    }

    private Behavior<Command> onReachability(ReachabilityChanged m) {
      Address node = m.event().member().address();
      if (m.event() instanceof ClusterEvent.UnreachableMember) {
        unreachableNodes.add(node);
        ctx.getLog().warn("node {} is unreachable: its hosts take no new instances", node);
      } else {
        unreachableNodes.remove(node);
        ctx.getLog().info("node {} is reachable again", node);
      }
      publish();
      return Behaviors.same();
    }

    private Behavior<Command> onDescribed(Described m) {
      if (!agents.contains(m.agent())) {
        return Behaviors.same();
      }
      HostInfo i = m.info();
      HostInfo info = new HostInfo(i.name(), i.pool(), i.labels(), i.incarnation(), m.agent());
      ctx.getLog()
          .info(
              "host {} joined: pool {}, incarnation {}",
              info.name(),
              info.pool(),
              info.incarnation());
      known.put(m.agent(), new Known(info, ++seq));
      publish();
      return Behaviors.same();
    }

    private Behavior<Command> onDescribeFailed(DescribeFailed m) {
      if (agents.contains(m.agent()) && m.attempt() < DESCRIBE_ATTEMPTS) {
        Duration delay = Duration.ofMillis(200L << Math.min(m.attempt(), 6));
        ctx.getLog()
            .warn(
                "host agent {} did not describe itself (attempt {}): {}; retrying in {}",
                m.agent().path(),
                m.attempt(),
                m.cause().getMessage(),
                delay);
        Retry retry = new Retry(m.agent(), m.attempt() + 1);
        timers.startSingleTimer(retry, retry, delay);
      } else if (agents.contains(m.agent())) {
        ctx.getLog()
            .warn(
                "host agent {} ignored: no answer to Describe after {} attempts",
                m.agent().path(),
                m.attempt());
      }
      return Behaviors.same();
    }

    private boolean reachable(ActorRef<?> agent) {
      Address a = agent.path().address();
      return !unreachableNodes.contains(a.hasLocalScope() ? selfAddress : a);
    }

    private Hosts hosts() {
      Map<String, Map.Entry<ActorRef<HostAgent.Command>, Known>> byName = new HashMap<>();
      for (Map.Entry<ActorRef<HostAgent.Command>, Known> e : known.entrySet()) {
        String name = e.getValue().info().name();
        Map.Entry<ActorRef<HostAgent.Command>, Known> other = byName.get(name);
        if (other == null || better(e, other)) {
          byName.put(name, e);
        }
      }
      Set<String> unreachable = new TreeSet<>();
      for (Map.Entry<ActorRef<HostAgent.Command>, Known> e : byName.values()) {
        if (!reachable(e.getKey())) {
          unreachable.add(e.getValue().info().name());
        }
      }
      List<HostInfo> sorted =
          byName.values().stream()
              .map(e -> e.getValue().info())
              .sorted(Comparator.comparing(HostInfo::name))
              .toList();
      return new Hosts(sorted, unreachable, Set.of());
    }

    /** Of two incarnations of one host name, the reachable one, else the newer one. */
    private boolean better(
        Map.Entry<ActorRef<HostAgent.Command>, Known> a,
        Map.Entry<ActorRef<HostAgent.Command>, Known> b) {
      boolean ra = reachable(a.getKey());
      boolean rb = reachable(b.getKey());
      if (ra != rb) {
        return ra;
      }
      return a.getValue().seq() > b.getValue().seq();
    }

    private void publish() {
      Hosts now = hosts();
      if (now.equals(last)) {
        return;
      }
      last = now;
      for (ActorRef<Hosts> s : subscribers) {
        s.tell(now);
      }
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
  }
}
