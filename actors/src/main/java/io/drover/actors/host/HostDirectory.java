package io.drover.actors.host;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.common.Coalescer;
import io.drover.actors.host.HostsView.Known;
import io.drover.persistence.CborSerializable;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Function;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.actor.typed.pubsub.Topic;
import org.apache.pekko.actor.typed.receptionist.Receptionist;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.SelfUp;

/**
 * One per node, local: knows every host agent in the cluster (from the receptionist), what each
 * host is (by asking it once), which hosts are unreachable right now (from cluster reachability),
 * and which are cordoned or draining (from the {@link HostEntity} records). Sites subscribe to it
 * to learn where they may place instances.
 *
 * <p>Host records arrive three ways, newest {@link HostRecord#version()} wins: published on {@link
 * HostTopic} after every change (fast, at most once); asked from the entity when a host is first
 * seen (so a directory that starts late still knows); and asked again for every host each {@link
 * #REFRESH_INTERVAL} (bounds how long a lost publication can go unnoticed).
 *
 * <p>Load (instances per host) is published by the agents themselves on {@link HostLoadTopic} when
 * it changes; the directory asks an agent once, when it first describes it. A snapshot that differs
 * from the last one only in load goes out at most once per {@link #LOAD_PUBLISH_GAP}; any other
 * change goes out at once.
 *
 * <p>On a cluster node, host records are asked only once this node is an Up member: before that the
 * {@code host} shard region cannot deliver, and every message sent to it waits in its buffer (and
 * makes it log a warning every retry interval). The hosts seen before are asked for at once when
 * the node is Up, each once.
 */
public final class HostDirectory {

  private HostDirectory() {}

  public sealed interface Command extends CborSerializable {}

  /** {@code subscriber} gets the current {@link Hosts} now and again after every change. */
  public record Subscribe(ActorRef<Hosts> subscriber) implements Command {}

  /** Answers once with the current {@link Hosts}. */
  public record GetHosts(ActorRef<Hosts> replyTo) implements Command {}

  /** Answers once with every {@link HostRecord} this directory knows, sorted by name. */
  public record GetRecords(ActorRef<Records> replyTo) implements Command {}

  /** The answer to {@link GetRecords}; may include hosts whose agent is gone. */
  public record Records(List<HostRecord> records) implements CborSerializable {
    public Records {
      records = List.copyOf(records);
    }
  }

  /**
   * Every known host, sorted by name, one entry per name (of two incarnations of a host, the
   * reachable and newest one).
   *
   * @param hosts every host whose agent is registered, reachable or not
   * @param unreachable names of hosts whose node the failure detector cannot reach now; they take
   *     no new placements and their instances stop reporting
   * @param unschedulable names of hosts that take no new placements (cordoned or draining); their
   *     instances stay unless the host is also draining. Always includes {@code draining}
   * @param draining names of hosts to empty: their instances move to other hosts, each replacement
   *     ready before the old copy stops
   * @param departed names of hosts this directory saw go (their agent left when their node was
   *     removed or stopped) and that have not come back; their instances are gone, so sites replace
   *     them at once instead of waiting out the grace
   * @param vanished the departed hosts that did not leave cleanly: their node was unreachable or
   *     downed when their agent went (a SIGKILL, a crash, a partition), as opposed to a node that
   *     left the cluster (a deploy reports the first {@code vanished}, the second {@code skipped})
   * @param load instances each host's agent runs, of all sites, as its agent last published ({@link
   *     HostLoad}); hosts not heard of yet are absent. Sites place on the least loaded first
   */
  public record Hosts(
      List<HostInfo> hosts,
      Set<String> unreachable,
      Set<String> unschedulable,
      Set<String> draining,
      Set<String> departed,
      Map<String, Integer> load,
      Set<String> vanished)
      implements CborSerializable {

    public Hosts {
      hosts = List.copyOf(hosts);
      load = Map.copyOf(load);
      unreachable = Set.copyOf(unreachable);
      draining = Set.copyOf(draining);
      departed = Set.copyOf(departed);
      vanished = vanished == null ? Set.of() : Set.copyOf(vanished);
      Set<String> all = new TreeSet<>(unschedulable);
      all.addAll(draining);
      unschedulable = Set.copyOf(all);
    }

    /** No departed host is known to have vanished. */
    public Hosts(
        List<HostInfo> hosts,
        Set<String> unreachable,
        Set<String> unschedulable,
        Set<String> draining,
        Set<String> departed,
        Map<String, Integer> load) {
      this(hosts, unreachable, unschedulable, draining, departed, load, Set.of());
    }

    /** No load known yet. */
    public Hosts(
        List<HostInfo> hosts,
        Set<String> unreachable,
        Set<String> unschedulable,
        Set<String> draining,
        Set<String> departed) {
      this(hosts, unreachable, unschedulable, draining, departed, Map.of());
    }

    /** No host is draining. */
    public Hosts(List<HostInfo> hosts, Set<String> unreachable, Set<String> unschedulable) {
      this(hosts, unreachable, unschedulable, Set.of(), Set.of());
    }

    /** No host departed. */
    public Hosts(
        List<HostInfo> hosts,
        Set<String> unreachable,
        Set<String> unschedulable,
        Set<String> draining) {
      this(hosts, unreachable, unschedulable, draining, Set.of());
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

  /** Ask timeout for {@link HostEntity.Get}. */
  static final Duration GET_TIMEOUT = Duration.ofSeconds(3);

  /** How often a host record is asked again after a failed {@link HostEntity.Get} in a row. */
  static final int GET_ATTEMPTS = 5;

  /** Ask timeout for the one {@link HostAgent.GetInstances} when an agent is first described. */
  static final Duration LOAD_ASK_TIMEOUT = Duration.ofSeconds(3);

  /** Least time between two snapshots that differ from the previous one only in load. */
  public static final Duration LOAD_PUBLISH_GAP = Duration.ofMillis(200);

  /** How often every known host's record is asked again. */
  static final Duration REFRESH_INTERVAL = Duration.ofSeconds(30);

  /** A directory that learns host records from the topic only (for tests of agents alone). */
  public static Behavior<Command> create() {
    return create(null);
  }

  /**
   * A directory that also asks host records itself.
   *
   * @param entities the {@link HostEntity} of a host name (in a node {@link HostEntity#lookup});
   *     may throw until the entity type is initialised, which counts as a failed ask
   */
  public static Behavior<Command> create(
      Function<String, RecipientRef<HostEntity.Command>> entities) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  ctx.setLoggerName(HostDirectory.class);
                  ActorRef<Receptionist.Listing> listingAdapter =
                      ctx.messageAdapter(Receptionist.Listing.class, AgentsChanged::new);
                  ctx.getSystem()
                      .receptionist()
                      .tell(Receptionist.subscribe(HostAgent.SERVICE_KEY, listingAdapter));
                  boolean clustered = isClustered(ctx);
                  if (clustered && entities != null) {
                    ActorRef<SelfUp> up = ctx.messageAdapter(SelfUp.class, m -> NodeUp.INSTANCE);
                    Cluster.get(ctx.getSystem())
                        .subscriptions()
                        .tell(org.apache.pekko.cluster.typed.Subscribe.create(up, SelfUp.class));
                  }
                  if (clustered) {
                    ActorRef<ClusterEvent.ReachabilityEvent> reachability =
                        ctx.messageAdapter(
                            ClusterEvent.ReachabilityEvent.class, ReachabilityChanged::new);
                    Cluster.get(ctx.getSystem())
                        .subscriptions()
                        .tell(
                            org.apache.pekko.cluster.typed.Subscribe.create(
                                reachability, ClusterEvent.ReachabilityEvent.class));
                    // An unreachable member that is downed and removed never becomes reachable
                    // again; without this its address stayed unreachable, and a node restarted on
                    // the same host:port (a new incarnation) never took new instances.
                    ActorRef<ClusterEvent.MemberRemoved> removed =
                        ctx.messageAdapter(ClusterEvent.MemberRemoved.class, MemberGone::new);
                    Cluster.get(ctx.getSystem())
                        .subscriptions()
                        .tell(
                            org.apache.pekko.cluster.typed.Subscribe.create(
                                removed, ClusterEvent.MemberRemoved.class));
                  }
                  ActorRef<HostRecord> records =
                      ctx.messageAdapter(HostRecord.class, RecordPublished::new);
                  HostTopic.get(ctx.getSystem()).topic().tell(Topic.subscribe(records));
                  HostLoadTopic.get(ctx.getSystem())
                      .subscribe(ctx.messageAdapter(HostLoad.class, LoadPublished::new));
                  if (entities != null) {
                    timers.startTimerWithFixedDelay(RefreshAll.INSTANCE, REFRESH_INTERVAL);
                  }
                  return new Directory(ctx, timers, entities, !clustered).behavior();
                }));
  }

  private static boolean isClustered(ActorContext<?> ctx) {
    return ctx.getSystem().settings().config().getString("pekko.actor.provider").equals("cluster");
  }

  private record AgentsChanged(Receptionist.Listing listing) implements Command {}

  private record ReachabilityChanged(ClusterEvent.ReachabilityEvent event) implements Command {}

  /** A member left the cluster for good (internal). */
  private record MemberGone(ClusterEvent.MemberRemoved event) implements Command {}

  private record Described(ActorRef<HostAgent.Command> agent, HostInfo info) implements Command {}

  private record DescribeFailed(ActorRef<HostAgent.Command> agent, int attempt, Throwable cause)
      implements Command {}

  private record Retry(ActorRef<HostAgent.Command> agent, int attempt) implements Command {}

  private record SubscriberGone(ActorRef<Hosts> subscriber) implements Command {}

  private record RecordPublished(HostRecord record) implements Command {}

  private record RecordFetched(String host, int attempt, HostEntity.Reply reply, Throwable failure)
      implements Command {}

  private record FetchAgain(String host, int attempt) implements Command {}

  private enum RefreshAll implements Command {
    INSTANCE
  }

  /** This node became an Up member: host records may be asked now (internal). */
  private enum NodeUp implements Command {
    INSTANCE
  }

  /** Time to publish load changes held back by the gap (internal). */
  private enum FlushLoad implements Command {
    INSTANCE
  }

  /** An agent published its instance count (internal). */
  private record LoadPublished(HostLoad load) implements Command {}

  private static final class Directory {
    private final ActorContext<Command> ctx;
    private final TimerScheduler<Command> timers;
    private final Address selfAddress;
    private final Function<String, RecipientRef<HostEntity.Command>> entities;

    /**
     * This node is an Up member (always true outside a cluster): until then the host shard region
     * only buffers, so no record is asked.
     */
    private boolean up;

    /** Hosts whose record is to be asked once this node is Up; each name once. */
    private final Set<String> fetchWhenUp = new TreeSet<>();

    /** The newest record of every host name seen. */
    private final Map<String, HostRecord> records = new TreeMap<>();

    /** Every described agent. */
    private final Map<ActorRef<HostAgent.Command>, Known> known = new HashMap<>();

    /** Every agent the receptionist lists, described or not yet. */
    private Set<ActorRef<HostAgent.Command>> agents = Set.of();

    /** Node addresses the failure detector cannot reach now. */
    private final Set<Address> unreachableNodes = new HashSet<>();

    private static final int MAX_DOWNED_NODES = 1024;

    private final Set<ActorRef<Hosts>> subscribers = new HashSet<>();
    private final Coalescer loadPublications = new Coalescer(LOAD_PUBLISH_GAP.toMillis());
    private long seq;
    private Hosts last = new Hosts(List.of(), Set.of(), Set.of(), Set.of(), Set.of());

    /** Instances per host, as its agent last published (or answered when first described). */
    private final Map<String, Integer> load = new TreeMap<>();

    /** Hosts whose last agent left the receptionist and that have not come back. */
    private final Set<String> departed = new TreeSet<>();

    /** The departed hosts whose node was unreachable or downed when their agent left. */
    private final Set<String> vanished = new TreeSet<>();

    /**
     * Nodes removed after being downed or unreachable, newest last (bounded): their agents may
     * leave the receptionist after the removal, when the node no longer counts as unreachable.
     */
    private final Set<Address> downedNodes = new java.util.LinkedHashSet<>();

    Directory(
        ActorContext<Command> ctx,
        TimerScheduler<Command> timers,
        Function<String, RecipientRef<HostEntity.Command>> entities,
        boolean up) {
      this.ctx = ctx;
      this.timers = timers;
      this.selfAddress = ctx.getSystem().address();
      this.entities = entities;
      this.up = up;
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
              GetRecords.class,
              m -> {
                m.replyTo().tell(new Records(List.copyOf(records.values())));
                return Behaviors.same();
              })
          .onMessage(RecordPublished.class, m -> onRecord(m.record()))
          .onMessage(RecordFetched.class, this::onRecordFetched)
          .onMessage(
              FetchAgain.class,
              m -> {
                fetch(m.host(), m.attempt());
                return Behaviors.same();
              })
          .onMessage(RefreshAll.class, m -> onRefreshAll())
          .onMessageEquals(NodeUp.INSTANCE, this::onNodeUp)
          .onMessage(LoadPublished.class, m -> onLoad(m.load()))
          .onMessage(
              FlushLoad.class,
              m -> {
                loadPublications.flushed(now());
                send();
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
          .onMessage(
              MemberGone.class,
              m -> {
                Address node = m.event().member().address();
                boolean wasUnreachable = unreachableNodes.remove(node);
                if (wasUnreachable
                    || m.event().previousStatus() == org.apache.pekko.cluster.MemberStatus.down()) {
                  downedNodes.add(node);
                  if (downedNodes.size() > MAX_DOWNED_NODES) {
                    downedNodes.remove(downedNodes.iterator().next());
                  }
                }
                if (wasUnreachable) {
                  ctx.getLog().info("node {} was removed: no longer unreachable", node);
                  publish();
                }
                return Behaviors.same();
              })
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
                String name = e.getValue().info().name();
                departed.add(name);
                Address node = e.getKey().path().address();
                if (!reachable(e.getKey()) || downedNodes.contains(node)) {
                  vanished.add(name);
                }
                return true;
              });
      // a host with another incarnation still registered has not departed
      known.values().forEach(k -> departed.remove(k.info().name()));
      vanished.retainAll(departed);
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
      departed.remove(info.name());
      vanished.remove(info.name());
      publish();
      askLoad(m.agent(), info);
      fetch(info.name(), 1);
      return Behaviors.same();
    }

    private Behavior<Command> onRecord(HostRecord r) {
      HostRecord old = records.get(r.name());
      if (old != null && old.version() >= r.version()) {
        return Behaviors.same();
      }
      records.put(r.name(), r);
      if (old == null || old.cordoned() != r.cordoned() || old.draining() != r.draining()) {
        ctx.getLog()
            .debug(
                "host {} is {}",
                r.name(),
                r.draining() ? "draining" : r.cordoned() ? "cordoned" : "schedulable");
      }
      publish();
      return Behaviors.same();
    }

    private Behavior<Command> onRecordFetched(RecordFetched m) {
      if (m.reply() != null) {
        if (m.reply().host() != null) {
          return onRecord(m.reply().host());
        }
        return Behaviors.same();
      }
      if (m.attempt() < GET_ATTEMPTS) {
        Duration delay = Duration.ofMillis(500L << Math.min(m.attempt(), 5));
        ctx.getLog()
            .debug(
                "record of host {} not fetched (attempt {}): {}; retrying in {}",
                m.host(),
                m.attempt(),
                m.failure().toString(),
                delay);
        FetchAgain again = new FetchAgain(m.host(), m.attempt() + 1);
        timers.startSingleTimer(again, again, delay);
      } else if (m.attempt() > GET_ATTEMPTS) {
        ctx.getLog().debug("record of host {} not refreshed: {}", m.host(), m.failure().toString());
      } else {
        ctx.getLog()
            .warn(
                "record of host {} not fetched after {} attempts ({}); asking again within {}",
                m.host(),
                m.attempt(),
                m.failure().toString(),
                REFRESH_INTERVAL);
      }
      return Behaviors.same();
    }

    /** A count of an incarnation this directory does not know (yet, or any more) is ignored. */
    private Behavior<Command> onLoad(HostLoad m) {
      boolean current =
          known.values().stream()
              .anyMatch(
                  k ->
                      k.info().name().equals(m.host())
                          && k.info().incarnation().equals(m.incarnation()));
      if (m.instances() < 0
          || !current
          || Integer.valueOf(m.instances()).equals(load.put(m.host(), m.instances()))) {
        return Behaviors.same();
      }
      long d = loadPublications.changed(now());
      if (d == Coalescer.SEND_NOW) {
        send();
      } else if (d > 0) {
        timers.startSingleTimer(FlushLoad.INSTANCE, FlushLoad.INSTANCE, Duration.ofMillis(d));
      }
      return Behaviors.same();
    }

    /** Asks a newly described agent once for its count; later counts it publishes itself. */
    private void askLoad(ActorRef<HostAgent.Command> agent, HostInfo info) {
      ctx.ask(
          HostAgent.Instances.class,
          agent,
          LOAD_ASK_TIMEOUT,
          HostAgent.GetInstances::new,
          (r, failure) ->
              new LoadPublished(
                  new HostLoad(
                      info.name(), info.incarnation(), r == null ? -1 : r.instances().size())));
    }

    private Behavior<Command> onRefreshAll() {
      Set<String> names = new TreeSet<>(records.keySet());
      for (Known k : known.values()) {
        names.add(k.info().name());
      }
      for (String name : names) {
        // no retries: the next refresh is the retry
        fetch(name, GET_ATTEMPTS + 1);
      }
      return Behaviors.same();
    }

    private Behavior<Command> onNodeUp() {
      if (!up) {
        up = true;
        List<String> waiting = List.copyOf(fetchWhenUp);
        fetchWhenUp.clear();
        waiting.forEach(host -> fetch(host, 1));
      }
      return Behaviors.same();
    }

    /**
     * Asks the host's entity for its record; a no-op without {@code entities}, and deferred to when
     * this node is Up before that.
     */
    private void fetch(String host, int attempt) {
      if (entities == null) {
        return;
      }
      if (!up) {
        fetchWhenUp.add(host);
        return;
      }
      RecipientRef<HostEntity.Command> entity;
      try {
        entity = entities.apply(host);
      } catch (RuntimeException e) {
        ctx.getSelf().tell(new RecordFetched(host, attempt, null, e));
        return;
      }
      ctx.ask(
          HostEntity.Reply.class,
          entity,
          GET_TIMEOUT,
          HostEntity.Get::new,
          (reply, failure) -> new RecordFetched(host, attempt, reply, failure));
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
      return HostsView.of(known, this::reachable, records.values(), departed, vanished, load);
    }

    /** Publishes a changed snapshot at once (a pending load flush is carried along). */
    private void publish() {
      if (send()) {
        loadPublications.sent(now());
      }
    }

    /** Sends the snapshot to every subscriber if it changed; true if it did. */
    private boolean send() {
      Hosts now = hosts();
      if (now.equals(last)) {
        return false;
      }
      last = now;
      for (ActorRef<Hosts> s : subscribers) {
        s.tell(now);
      }
      return true;
    }

    private static long now() {
      return System.nanoTime() / 1_000_000;
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
