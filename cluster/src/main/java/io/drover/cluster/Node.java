package io.drover.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.HostAgent;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostEntity;
import io.drover.actors.revision.RevisionStore;
import io.drover.actors.site.SiteDirectory;
import io.drover.actors.site.SiteEntity;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Drover node: the actor system with its host agent, host directory, site sharding and the site
 * directory singleton. Tests and the launcher both start nodes through {@link #start}.
 */
public final class Node {

  private static final Logger log = LoggerFactory.getLogger(Node.class);

  private final ActorSystem<Void> system;
  private final NodeSettings settings;
  private final RevisionStore revisions;
  private final ActorRef<HostAgent.Command> agent;
  private final ActorRef<HostDirectory.Command> hosts;
  private final ActorRef<SiteDirectory.Command> sites;

  private Node(
      ActorSystem<Void> system,
      NodeSettings settings,
      RevisionStore revisions,
      Refs refs,
      ActorRef<SiteDirectory.Command> sites) {
    this.system = system;
    this.settings = settings;
    this.revisions = revisions;
    this.agent = refs.agent();
    this.hosts = refs.hosts();
    this.sites = sites;
  }

  private record Refs(ActorRef<HostAgent.Command> agent, ActorRef<HostDirectory.Command> hosts) {}

  /**
   * The node configuration: {@code overrides} (from flags) over system properties over {@code
   * application.conf} over the libraries' {@code reference.conf}.
   */
  public static Config config(Config overrides) {
    return ConfigFactory.load(
        overrides.withFallback(ConfigFactory.parseResourcesAnySyntax("application")));
  }

  /**
   * Starts a node, joins it to itself (a single-node cluster) and returns once it is Up.
   *
   * @param overrides settings that win over every file, e.g. {@code drover.http.port}
   */
  public static Node start(Config overrides) {
    Config config = config(overrides);
    NodeSettings settings = NodeSettings.fromConfig(config);
    Path dataDir = settings.dataDir();
    prepareDataDir(dataDir);

    Map<String, Object> derived = new HashMap<>();
    derived.put("pekko.persistence.journal.leveldb.dir", dataDir.resolve("journal").toString());
    derived.put(
        "pekko.persistence.snapshot-store.local.dir", dataDir.resolve("snapshots").toString());
    derived.put("pekko.remote.artery.canonical.hostname", settings.bind());
    long stopBudget = settings.agent().stopGrace().plusSeconds(10).toMillis();
    derived.put("pekko.coordinated-shutdown.phases.before-service-unbind.timeout", stopBudget);
    Config full = ConfigFactory.parseMap(derived).withFallback(config);

    RevisionStore revisions =
        new RevisionStore(
            dataDir, settings.revisionMaxBytes(), settings.revisionMaxUnpackedBytes());
    CompletableFuture<Refs> refs = new CompletableFuture<>();
    ActorSystem<Void> system =
        ActorSystem.create(guardian(settings, revisions, refs), "drover", full);
    try {
      Refs started = refs.get(30, TimeUnit.SECONDS);
      SiteEntity.init(system, started.hosts(), settings.site());
      HostEntity.init(system);
      ActorRef<SiteDirectory.Command> sites = SiteDirectory.init(system, settings.site());
      Node node = new Node(system, settings, revisions, started, sites);
      node.registerShutdown();
      Cluster cluster = Cluster.get(system);
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
      node.awaitUp(Duration.ofSeconds(60));
      HostRegistration.start(node);
      log.info(
          "node up: host {} pool {} data-dir {} cluster {}:{}",
          settings.host(),
          settings.pool(),
          dataDir,
          settings.bind(),
          settings.clusterPort());
      return node;
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("node did not start: " + e.getMessage(), e);
    }
  }

  private static Behavior<Void> guardian(
      NodeSettings settings, RevisionStore revisions, CompletableFuture<Refs> refs) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<HostAgent.Command> agent =
              ctx.spawn(HostAgent.create(settings.agent(), revisions::releaseDir), "host-agent");
          ActorRef<HostDirectory.Command> hosts =
              ctx.spawn(HostDirectory.create(HostEntity.lookup(ctx.getSystem())), "host-directory");
          refs.complete(new Refs(agent, hosts));
          return Behaviors.empty();
        });
  }

  /**
   * Creates the data directory and gives the JVM a temp directory inside it: leveldbjni unpacks its
   * native library there, and a killed JVM leaves the copy behind, so stale copies are removed.
   */
  private static void prepareDataDir(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      Path tmp = Files.createDirectories(dataDir.resolve("tmp"));
      try (DirectoryStream<Path> stale = Files.newDirectoryStream(tmp, "*leveldbjni*")) {
        for (Path p : stale) {
          Files.deleteIfExists(p);
        }
      }
      System.setProperty("java.io.tmpdir", tmp.toString());
    } catch (IOException e) {
      throw new IllegalStateException(
          "cannot use data directory " + dataDir + ": " + e.getMessage() + " (choose --data-dir)",
          e);
    }
  }

  private void registerShutdown() {
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseBeforeServiceUnbind(),
            "stop-instances",
            () ->
                AskPattern.<HostAgent.Command, Done>ask(
                    agent,
                    HostAgent.StopAll::new,
                    settings.agent().stopGrace().plusSeconds(5),
                    system.scheduler()));
  }

  private void awaitUp(Duration timeout) throws InterruptedException {
    Cluster cluster = Cluster.get(system);
    long deadline = System.nanoTime() + timeout.toNanos();
    while (cluster.selfMember().status() != MemberStatus.up()) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("did not become Up within " + timeout);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  public ActorSystem<Void> system() {
    return system;
  }

  public NodeSettings settings() {
    return settings;
  }

  public RevisionStore revisions() {
    return revisions;
  }

  public ActorRef<HostAgent.Command> agent() {
    return agent;
  }

  public ActorRef<HostDirectory.Command> hosts() {
    return hosts;
  }

  public ActorRef<SiteDirectory.Command> sites() {
    return sites;
  }

  /** Runs coordinated shutdown (instances stop first) and completes when the system is gone. */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system)
        .runAll(CoordinatedShutdown.unknownReason())
        .thenCompose(done -> system.getWhenTerminated());
  }
}
