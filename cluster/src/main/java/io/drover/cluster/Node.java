package io.drover.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.HostAgent;
import io.drover.actors.common.Durations;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostEntity;
import io.drover.actors.retention.DiskFloor;
import io.drover.actors.retention.RetentionSettings;
import io.drover.actors.revision.RevisionStore;
import io.drover.actors.site.SiteDirectory;
import java.io.IOException;
import java.net.URI;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
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
  private final RevisionFetcher fetcher;
  private final Revisions revisionParts;
  private final ActorRef<HostAgent.Command> agent;
  private final ActorRef<HostDirectory.Command> hosts;
  private final Wiring parts;
  private final ClusterSettings cluster;
  private final DiskFloor disk;

  /**
   * Runs before the instances stop when this node leaves the cluster on purpose (the "drain before
   * leave" hook: move instances to other hosts first). Not yet wired: instances stop at once.
   */
  private volatile Supplier<CompletionStage<Done>> beforeLeave =
      () -> CompletableFuture.completedFuture(Done.getInstance());

  private Node(
      ActorSystem<Void> system,
      NodeSettings settings,
      RevisionStore revisions,
      RevisionFetcher fetcher,
      Revisions revisionParts,
      Refs refs,
      Wiring parts,
      ClusterSettings cluster,
      DiskFloor disk) {
    this.parts = parts;
    this.system = system;
    this.disk = disk;
    this.cluster = cluster;
    this.settings = settings;
    this.revisions = revisions;
    this.fetcher = fetcher;
    this.revisionParts = revisionParts;
    this.agent = refs.agent();
    this.hosts = refs.hosts();
  }

  private record Refs(
      ActorRef<HostAgent.Command> agent,
      ActorRef<HostDirectory.Command> hosts,
      List<SimulatedHosts.Spawned> simulated) {}

  /**
   * The node configuration: system properties over {@code overrides} (from flags) over {@code
   * application.conf} over the libraries' {@code reference.conf}. With {@code drover.journal =
   * postgres}, {@code persistence-postgres.conf} sits between the overrides and {@code
   * application.conf}.
   */
  public static Config config(Config overrides) {
    Config application = ConfigFactory.parseResourcesAnySyntax("application");
    Config config = ConfigFactory.load(overrides.withFallback(application));
    if (JournalSettings.Kind.parse(config.getString("drover.journal"))
        == JournalSettings.Kind.POSTGRES) {
      Config postgres = ConfigFactory.parseResourcesAnySyntax("persistence-postgres");
      config = ConfigFactory.load(overrides.withFallback(postgres).withFallback(application));
    }
    return config;
  }

  /**
   * Starts a node, joins it (to itself, to the seed nodes, through discovery, or not at all with
   * manual join; see {@link ClusterSettings#mode()}) and returns once it is Up; with manual join it
   * returns at once and {@link #whenUp()} tells when it joined. With the PostgreSQL journal it
   * first makes sure the database is reachable and has the journal tables.
   *
   * @param overrides settings that win over every file, e.g. {@code drover.http.port}
   * @throws StartRefused when the journal database cannot be reached or prepared
   */
  public static Node start(Config overrides) {
    Config config = config(overrides);
    NodeSettings settings = NodeSettings.fromConfig(config);
    JournalSettings journal = JournalSettings.fromConfig(config);
    if (journal.kind() == JournalSettings.Kind.POSTGRES) {
      PostgresSchema.ensure(journal);
    }
    ClusterSettings clusterSettings = ClusterSettings.fromConfig(config);
    clusterSettings
        .problem()
        .ifPresent(
            p -> {
              throw new IllegalArgumentException(p);
            });
    SimulatedHosts simulated = SimulatedHosts.fromConfig(config);
    Path dataDir = settings.dataDir();
    prepareDataDir(dataDir);
    RunAsCheck.atStart(settings.agent().sandbox(), dataDir);
    Path releasesDir =
        RunAsCheck.releasesDirAtStart(
            config.getString("drover.agent.releases-dir"),
            settings.agent().sandbox(),
            dataDir,
            settings.host());

    Map<String, Object> derived = new HashMap<>();
    derived.put("pekko.persistence.journal.leveldb.dir", dataDir.resolve("journal").toString());
    derived.put(
        "pekko.persistence.snapshot-store.local.dir", dataDir.resolve("snapshots").toString());
    derived.put("pekko.remote.artery.canonical.hostname", settings.bind());
    java.util.Optional<io.drover.cluster.tls.TlsDir> tls =
        io.drover.cluster.tls.NodeTls.start(config, settings.bind());
    List<String> roles = new ArrayList<>(config.getStringList("pekko.cluster.roles"));
    roles.add(ApiRole.of(io.drover.cluster.tls.NodeTls.httpsApi(config), advertisedApi(settings)));
    roles.add(
        journal.kind() == JournalSettings.Kind.LEVELDB
            ? JournalGuard.LEVELDB_ROLE
            : JournalGuard.SHARED_ROLE);
    derived.put("pekko.cluster.roles", roles);
    boolean ranBefore = Files.exists(dataDir.resolve("agent").resolve("id"));
    clusterSettings
        .firstSeedWait(
            settings.bind() + ":" + settings.clusterPort(),
            ranBefore,
            config.getDuration("drover.rejoin-seed-timeout"))
        .ifPresent(
            wait -> {
              log.info(
                  "this node ran before on {} and is the first seed node: it waits up to {} for"
                      + " the other seed nodes before it forms a new cluster",
                  dataDir,
                  Durations.format(wait));
              derived.put("pekko.cluster.seed-node-timeout", wait.toMillis() + "ms");
            });
    long stopBudget = settings.agent().stopGrace().plusSeconds(10).toMillis();
    derived.put("pekko.coordinated-shutdown.phases.before-service-unbind.timeout", stopBudget);
    Config full =
        ConfigFactory.parseMap(derived)
            .withFallback(
                tls.map(io.drover.cluster.tls.TlsDir::arteryConfig).orElse(ConfigFactory.empty()))
            .withFallback(clusterSettings.pekkoConfig(settings.bind()))
            .withFallback(config);

    RevisionStore revisions =
        new RevisionStore(
            dataDir, releasesDir, settings.revisionMaxBytes(), settings.revisionLimits());
    CompletableFuture<Refs> refs = new CompletableFuture<>();
    AtomicReference<ActorSystem<Void>> systemRef = new AtomicReference<>();
    DiskFloor disk = RetentionSettings.diskFloor(config.getConfig("drover"), dataDir);
    RevisionFetcher fetcher =
        new RevisionFetcher(
            revisions, () -> peerApis(systemRef.get()), RevisionSettings.fromConfig(config), disk);
    tls.ifPresent(t -> fetcher.useTls(io.drover.cluster.tls.PeerTls.of(t)));
    ActorSystem<Void> system =
        ActorSystem.create(
            guardian(settings, Revisions.releaseDirs(fetcher), refs, simulated), "drover", full);
    systemRef.set(system);
    system.systemActorOf(JournalGuard.create(), "journal-guard", Props.empty());
    Revisions revisionParts = Revisions.start(system, settings, fetcher, advertisedApi(settings));
    try {
      Refs started = refs.get(30, TimeUnit.SECONDS);
      Wiring parts =
          Wiring.start(system, config, settings, revisions, started.agent(), started.hosts());
      Node node =
          new Node(
              system,
              settings,
              revisions,
              fetcher,
              revisionParts,
              started,
              parts,
              clusterSettings,
              disk);
      node.registerShutdown();
      // a join that times out names the TLS error the remoting logged meanwhile, if any
      JoinTrouble.Recorder trouble =
          clusterSettings.mode() == ClusterSettings.Mode.MANUAL
              ? null
              : JoinTrouble.Recorder.start(system);
      Membership.join(system, clusterSettings);
      // the host's control-plane record is registered as soon as this node is a member
      node.whenUp().thenRun(() -> HostRegistration.start(node));
      node.whenUp()
          .thenRun(
              () ->
                  started
                      .simulated()
                      .forEach(s -> HostRegistration.start(node, s.agent(), s.host())));
      // a host that joins after its pool's sites took their revisions fetches them now
      node.whenUp()
          .thenRun(() -> revisionParts.catchUp(system, node.sites()))
          .exceptionally(
              e -> {
                log.warn("revision catch-up not started: {}", e.toString());
                return null;
              });
      if (clusterSettings.mode() == ClusterSettings.Mode.MANUAL) {
        log.info(
            "node started without joining: POST /api/v1/cluster/join on {}:{} names the cluster",
            settings.bind(),
            settings.httpPort());
        return node;
      }
      node.awaitUp(clusterSettings.joinTimeout(), clusterSettings.mode(), trouble);
      if (system.whenTerminated().isCompleted()) {
        return node;
      }
      log.info(
          "node up: host {} pool {} data-dir {} journal {} member {} ({} members)",
          settings.host(),
          settings.pool(),
          dataDir,
          journal.kind() == JournalSettings.Kind.POSTGRES ? journal.url() : "leveldb",
          Cluster.get(system).selfMember().address(),
          Cluster.get(system).state().members().size());
      return node;
    } catch (StartRefused e) {
      system.terminate();
      throw e;
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("node did not start: " + e.getMessage(), e);
    }
  }

  private static Behavior<Void> guardian(
      NodeSettings settings,
      io.drover.actors.agent.ReleaseDirs releases,
      CompletableFuture<Refs> refs,
      SimulatedHosts simulated) {
    return Behaviors.setup(
        ctx -> {
          ActorRef<HostAgent.Command> agent =
              ctx.spawn(HostAgent.create(settings.agent(), releases), "host-agent");
          ActorRef<HostDirectory.Command> hosts =
              ctx.spawn(HostDirectory.create(HostEntity.lookup(ctx.getSystem())), "host-directory");
          refs.complete(new Refs(agent, hosts, simulated.spawn(ctx, settings)));
          return Behaviors.empty();
        });
  }

  /** host:port under which other nodes reach this node's HTTP API. */
  private static String advertisedApi(NodeSettings settings) {
    String host = settings.bind();
    if (host.equals("0.0.0.0") || host.equals("::")) {
      host = NodeSettings.localHostName();
    }
    return host + ":" + settings.httpPort();
  }

  /** The HTTP APIs of the other Up members, from their advertised roles. */
  private static List<URI> peerApis(ActorSystem<Void> system) {
    if (system == null) {
      return List.of();
    }
    Cluster cluster = Cluster.get(system);
    List<URI> peers = new ArrayList<>();
    for (Member m : cluster.state().getMembers()) {
      if (m.status() != MemberStatus.up()
          || m.equals(cluster.selfMember())
          || cluster.state().getUnreachable().contains(m)) {
        continue;
      }
      for (String role : m.getRoles()) {
        ApiRole.uri(role).ifPresent(peers::add);
      }
    }
    return peers;
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

  /**
   * Every way out (leave, downing, SIGTERM) stops the instances first; a graceful leave runs the
   * {@link #beforeLeave} hook before that.
   */
  private void registerShutdown() {
    CoordinatedShutdown shutdown = CoordinatedShutdown.get(system);
    shutdown.addTask(
        CoordinatedShutdown.PhaseBeforeServiceUnbind(),
        "stop-instances",
        () -> {
          boolean leaving =
              shutdown
                  .getShutdownReason()
                  .filter(r -> r == CoordinatedShutdown.clusterLeavingReason())
                  .isPresent();
          CompletionStage<Done> first =
              leaving ? beforeLeave.get() : CompletableFuture.completedFuture(Done.getInstance());
          return first
              .exceptionally(
                  e -> {
                    log.warn(
                        "before-leave step failed, stopping instances anyway: {}", e.toString());
                    return Done.getInstance();
                  })
              .thenCompose(
                  done ->
                      AskPattern.<HostAgent.Command, Done>ask(
                          agent,
                          HostAgent.StopAll::new,
                          settings.agent().stopGrace().plusSeconds(5),
                          system.scheduler()));
        });
    Path releases = revisions.releasesDir();
    if (releases.startsWith(RunAsCheck.FALLBACK_RELEASES)) {
      // a cache of the revisions in the data directory, outside it: not left behind
      shutdown.addTask(
          CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
          "delete-fallback-releases",
          () -> {
            try {
              RunAsCheck.deleteTree(releases);
            } catch (java.io.IOException | RuntimeException e) {
              log.warn("could not delete releases directory {}: {}", releases, e.toString());
            }
            return CompletableFuture.completedFuture(Done.getInstance());
          });
    }
  }

  /**
   * Waits until this node is Up, or until it terminated while joining (downed by the cluster it
   * tried to join: the caller reads {@link #exit()}).
   *
   * @throws StartRefused (exit code 1) when it is not Up within {@code timeout}, with the likely
   *     cause
   */
  private void awaitUp(Duration timeout, ClusterSettings.Mode mode, JoinTrouble.Recorder trouble)
      throws Exception {
    try {
      CompletableFuture.anyOf(whenUp(), system.getWhenTerminated().toCompletableFuture())
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new StartRefused(
          JoinTrouble.notUp(timeout, mode, trouble.lastTlsError()), e, StartRefused.FAILED);
    } finally {
      trouble.stop();
    }
  }

  /** Completes when this node is an Up member (at once if it is already). */
  public CompletableFuture<Done> whenUp() {
    CompletableFuture<Done> up = new CompletableFuture<>();
    org.apache.pekko.cluster.Cluster.get(system)
        .registerOnMemberUp(() -> up.complete(Done.getInstance()));
    return up;
  }

  /** How this node finds its cluster and when silent members are downed. */
  public ClusterSettings cluster() {
    return cluster;
  }

  /**
   * Sets what runs, on a graceful leave, before the instances stop (e.g. drain the host: move its
   * instances elsewhere and wait until they are ready there). It must complete within the {@code
   * before-service-unbind} phase timeout; if it fails the instances stop anyway.
   */
  public void beforeLeave(Supplier<CompletionStage<Done>> step) {
    this.beforeLeave = step;
  }

  /** Why this node stopped, and the exit code that says so; call after the system terminated. */
  public Exit exit() {
    return Exit.of(CoordinatedShutdown.get(system).getShutdownReason());
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

  /** Revisions of this host, fetched from peers when missing. */
  public RevisionFetcher revisionFetcher() {
    return fetcher;
  }

  /** Asks other hosts to store an uploaded revision too. */
  public RevisionReplicator revisionReplicator() {
    return revisionParts.replicator();
  }

  public ActorRef<HostAgent.Command> agent() {
    return agent;
  }

  public ActorRef<HostDirectory.Command> hosts() {
    return hosts;
  }

  public ActorRef<SiteDirectory.Command> sites() {
    return parts.get(Wiring.SITES);
  }

  /** What the wiring root started under {@code key} (see {@link Wiring}). */
  public <T> T part(Wiring.Key<T> key) {
    return parts.get(key);
  }

  /** The data directory's free-space floor (uploads are refused under it). */
  public DiskFloor disk() {
    return disk;
  }

  /** Runs coordinated shutdown (instances stop first) and completes when the system is gone. */
  public CompletionStage<Done> stop() {
    return CoordinatedShutdown.get(system)
        .runAll(CoordinatedShutdown.unknownReason())
        .thenCompose(done -> system.getWhenTerminated());
  }
}
