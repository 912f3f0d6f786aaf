package io.drover.actors.common;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.ClusterSingleton;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * This node's view of the cluster singletons (an actor-system extension), in two parts:
 *
 * <ul>
 *   <li>the <b>directory</b>: every singleton this node knows, by name, with how to ask it through
 *       its proxy ({@link #register}); {@code GET /api/v1/singletons} asks them all;
 *   <li>the <b>local registry</b>: which singletons run on <i>this</i> node and since when, kept by
 *       {@link #track} (start and {@code PostStop}); the Prometheus gauges read it, so a scrape
 *       asks nobody.
 * </ul>
 *
 * A singleton joins with two small pieces: it is started through {@link #init} (in place of {@code
 * ClusterSingleton.get(system).init}: same arguments plus its {@code Describe} command), and it
 * answers {@code Describe} with {@link #describe}:
 *
 * <pre>
 * ActorRef&lt;Command&gt; proxy = Singletons.get(system).init(
 *     NAME, SingletonActor.of(create(..), "cron-scheduler").withStopMessage(Stop.INSTANCE), Describe::new);
 * // in the command handler:
 * .onCommand(Describe.class, (s, c) -&gt; Effect().reply(c.replyTo(),
 *     Singletons.get(system).describe(NAME, SingletonInfo.RUNNING, Singletons.details().put("jobs", n))))
 * </pre>
 *
 * ({@link #init} is {@link #track} plus {@link #register}, for a singleton started otherwise.)
 */
public final class Singletons implements Extension {

  /** How to ask one singleton for its {@link SingletonInfo}. */
  @FunctionalInterface
  public interface Describer {
    /** Asks (through the proxy); completes exceptionally if no answer within {@code timeout}. */
    CompletionStage<SingletonInfo> describe(Duration timeout, Scheduler scheduler);
  }

  /** A singleton of the directory. */
  public record Registration(String name, Describer describer) {}

  /**
   * A singleton running on this node since {@code since}; {@code token} tells incarnations apart.
   */
  private record Local(Instant since, Object token) {}

  private static final ExtensionId<Singletons> ID =
      new ExtensionId<>() {
        @Override
        public Singletons createExtension(ActorSystem<?> system) {
          return new Singletons(system, Clock.systemUTC());
        }
      };

  private final ActorSystem<?> system;
  private final Clock clock;
  private final Map<String, Registration> directory = new ConcurrentHashMap<>();
  private final Map<String, Local> local = new ConcurrentHashMap<>();
  private volatile String host;

  Singletons(ActorSystem<?> system, Clock clock) {
    this.system = system;
    this.clock = clock;
    this.host = defaultHost(system);
  }

  /** This actor system's singletons. */
  public static Singletons get(ActorSystem<?> system) {
    return system.registerExtension(ID);
  }

  /** A fresh JSON object for {@link SingletonInfo#details}. */
  public static ObjectNode details() {
    return JsonNodeFactory.instance.objectNode();
  }

  // ---- host

  /** Sets this node's host name (the node does, from {@code drover.host}, before any singleton). */
  public void host(String name) {
    this.host = name;
  }

  /** This node's host name: as set by the node, else {@code drover.host}, else the address's. */
  public String host() {
    return host;
  }

  private static String defaultHost(ActorSystem<?> system) {
    var config = system.settings().config();
    if (config.hasPath("drover.host") && !config.getString("drover.host").isBlank()) {
      return config.getString("drover.host");
    }
    return system.address().getHost().orElse("localhost");
  }

  // ---- answering Describe

  /**
   * The answer of singleton {@code name} running here: this member's address, this node's host,
   * when it started here (from {@link #track}).
   *
   * @param details what the singleton knows; null reads as an empty object
   */
  public SingletonInfo describe(String name, String state, JsonNode details) {
    return new SingletonInfo(
        name,
        system.address().toString(),
        host,
        since(name).map(Instant::toString).orElse(null),
        state,
        details == null ? details() : details);
  }

  // ---- the directory

  /**
   * Starts {@code singleton} with {@code ClusterSingleton.init} (its behaviour wrapped in {@link
   * #track}), lists it under {@code name}, asked with {@code describe}, and returns its proxy.
   */
  public <C> ActorRef<C> init(
      String name, SingletonActor<C> singleton, Function<ActorRef<SingletonInfo>, C> describe) {
    ActorRef<C> proxy =
        ClusterSingleton.get(system)
            .init(
                new SingletonActor<>(
                    track(name, singleton.behavior()),
                    singleton.name(),
                    singleton.props(),
                    singleton.stopMessage(),
                    singleton.settings()));
    register(name, proxy, describe);
    return proxy;
  }

  /**
   * Lists singleton {@code name}, asked through {@code proxy} with the command {@code describe}
   * makes. One line where the singleton is started; a second registration of a name is a bug.
   */
  public <C> void register(
      String name, ActorRef<C> proxy, Function<ActorRef<SingletonInfo>, C> describe) {
    add(
        new Registration(
            name,
            (timeout, scheduler) -> AskPattern.ask(proxy, describe::apply, timeout, scheduler)));
  }

  /**
   * Lists singleton {@code name} that does not run in this cluster as this node is configured (its
   * feature is off here): it always answers {@code state}, with no address, host or since.
   */
  public void registerOff(String name, String state, JsonNode details) {
    SingletonInfo info = new SingletonInfo(name, null, null, null, state, details);
    add(new Registration(name, (timeout, scheduler) -> CompletableFuture.completedFuture(info)));
  }

  private void add(Registration r) {
    if (directory.putIfAbsent(r.name(), r) != null) {
      throw new IllegalStateException("singleton " + r.name() + " registered twice");
    }
  }

  /** Every registered singleton, sorted by name. */
  public List<Registration> registered() {
    List<Registration> all = new ArrayList<>(directory.values());
    all.sort(Comparator.comparing(Registration::name));
    return all;
  }

  // ---- the local registry

  /**
   * Wraps a singleton's behaviour so that the local registry knows while it runs on this node: from
   * its start to its {@code PostStop} (hand-over, downing, or a failure that stops it).
   */
  public static <T> Behavior<T> track(String name, Behavior<T> behavior) {
    return Behaviors.intercept(() -> new SingletonTracker<T>(name), behavior);
  }

  /**
   * Records that singleton {@code name} started here now; returns the token for {@link #stopped}.
   */
  Object started(String name) {
    Object token = new Object();
    local.put(name, new Local(clock.instant(), token));
    return token;
  }

  /** Records that the incarnation {@code token} of {@code name} stopped here. */
  void stopped(String name, Object token) {
    local.computeIfPresent(name, (n, l) -> l.token() == token ? null : l);
  }

  /** When singleton {@code name} started on this node; empty when it does not run here. */
  public Optional<Instant> since(String name) {
    return Optional.ofNullable(local.get(name)).map(Local::since);
  }

  /** The singletons running on this node, by name, with when each started here. */
  public Map<String, Instant> runningHere() {
    Map<String, Instant> out = new TreeMap<>();
    local.forEach((n, l) -> out.put(n, l.since()));
    return out;
  }
}
