package io.drover.cluster;

import com.typesafe.config.Config;
import io.drover.actors.agent.HostAgent;
import io.drover.actors.audit.AuditLog;
import io.drover.actors.audit.AuditSettings;
import io.drover.actors.common.Singletons;
import io.drover.actors.cron.CronScheduler;
import io.drover.actors.deploy.DeployDirectory;
import io.drover.actors.deploy.DeployEntity;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostEntity;
import io.drover.actors.retention.Janitor;
import io.drover.actors.retention.Retention;
import io.drover.actors.retention.RetentionSettings;
import io.drover.actors.revision.RevisionStore;
import io.drover.actors.site.SiteDirectory;
import io.drover.actors.site.SiteEntity;
import io.drover.actors.token.TokenRegistry;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The node's wiring root: every entity type, singleton and cluster-level part of a node is started
 * here, in order, one line each in {@link #FEATURES}; what a part hands to others (a singleton's
 * proxy, say) is put under a {@link Key} and read by whoever needs it (later features, the HTTP
 * routes through {@link Node#part}). A new feature is one line here, not a field through {@link
 * Node}.
 */
public final class Wiring {

  /** A part's name and type. */
  public record Key<T>(String name) {}

  /** The site directory singleton's proxy. */
  public static final Key<ActorRef<SiteDirectory.Command>> SITES = new Key<>("sites");

  /** The deploy list and queue singleton's proxy. */
  public static final Key<ActorRef<DeployDirectory.Command>> DEPLOYS = new Key<>("deploys");

  /** The cron scheduler singleton's proxy. */
  public static final Key<ActorRef<CronScheduler.Command>> CRON = new Key<>("cron");

  /** The token registry singleton's proxy (API tokens and node credentials). */
  public static final Key<ActorRef<TokenRegistry.Command>> TOKENS = new Key<>("tokens");

  /** The audit trail (one sharded entity per UTC day). */
  public static final Key<AuditLog> AUDIT = new Key<>("audit");

  /**
   * What a feature starts with.
   *
   * @param agent this node's host agent
   * @param hosts this node's host directory
   */
  public record Context(
      ActorSystem<?> system,
      Config config,
      NodeSettings settings,
      RevisionStore revisions,
      ActorRef<HostAgent.Command> agent,
      ActorRef<HostDirectory.Command> hosts,
      Wiring parts) {

    <T> T get(Key<T> key) {
      return parts.get(key);
    }

    <T> void put(Key<T> key, T value) {
      parts.put(key, value);
    }
  }

  /** One feature: starts its parts. */
  @FunctionalInterface
  interface Feature {
    void start(Context c);
  }

  /** Every feature of a node, in start order. */
  static final List<Feature> FEATURES =
      List.of(
          c -> SiteEntity.init(c.system(), c.hosts(), c.settings().site()),
          c -> HostEntity.init(c.system()),
          c -> c.put(SITES, SiteDirectory.init(c.system(), c.settings().site())),
          c -> c.put(DEPLOYS, DeployDirectory.init(c.system())),
          c -> DeployEntity.init(c.system(), c.hosts(), c.get(DEPLOYS)),
          c -> c.put(CRON, CronScheduler.init(c.system(), c.hosts())),
          c -> c.put(TOKENS, TokenRegistry.init(c.system())),
          c ->
              c.put(
                  AUDIT,
                  AuditLog.init(
                      c.system(), AuditSettings.fromConfig(c.config().getConfig("drover")))),
          Wiring::janitor);

  private final Map<Key<?>, Object> parts = new ConcurrentHashMap<>();

  private Wiring() {}

  /** Starts every feature and returns what they handed out. */
  static Wiring start(
      ActorSystem<?> system,
      Config config,
      NodeSettings settings,
      RevisionStore revisions,
      ActorRef<HostAgent.Command> agent,
      ActorRef<HostDirectory.Command> hosts) {
    Wiring w = new Wiring();
    // singletons name this node's host when asked where they run (GET /api/v1/singletons)
    Singletons.get(system).host(settings.host());
    Context c = new Context(system, config, settings, revisions, agent, hosts, w);
    for (Feature f : FEATURES) {
      f.start(c);
    }
    return w;
  }

  /** The part under {@code key}; a missing part is a wiring bug. */
  @SuppressWarnings("unchecked")
  public <T> T get(Key<T> key) {
    Object v = parts.get(key);
    if (v == null) {
      throw new IllegalStateException("no part " + key.name() + " was started");
    }
    return (T) v;
  }

  <T> void put(Key<T> key, T value) {
    if (parts.putIfAbsent(key, value) != null) {
      throw new IllegalStateException("part " + key.name() + " started twice");
    }
  }

  /** The revisions cronjobs run: kept by the retention like those of sites. */
  private static Janitor.RevisionUsers cronRevisions(ActorRef<CronScheduler.Command> cron) {
    return (timeout, scheduler) ->
        AskPattern.<CronScheduler.Command, CronScheduler.RevisionsInUse>ask(
                cron, CronScheduler.GetRevisions::new, timeout, scheduler)
            .thenApply(
                r ->
                    r.byJob().entrySet().stream()
                        .map(
                            e ->
                                new Retention.SiteRevisions(
                                    "cronjob " + e.getKey(), Set.of(e.getValue()), List.of()))
                        .toList());
  }

  /** Deletes what no longer needs to be kept on this host (revisions, releases, old logs). */
  private static void janitor(Context c) {
    ActorSystem<?> system = c.system();
    system.systemActorOf(
        Janitor.create(
            RetentionSettings.fromConfig(c.config().getConfig("drover")),
            c.revisions(),
            c.settings().dataDir().resolve("logs"),
            c.settings().host(),
            c.get(SITES),
            site -> ClusterSharding.get(system).entityRefFor(SiteEntity.ENTITY_TYPE_KEY, site),
            c.agent(),
            cronRevisions(c.get(CRON))),
        "revision-janitor",
        Props.empty());
  }
}
