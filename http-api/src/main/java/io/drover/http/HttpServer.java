package io.drover.http;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.common.Singletons;
import io.drover.actors.deploy.DeployEntity;
import io.drover.actors.retention.DiskFloor;
import io.drover.cluster.Node;
import io.drover.cluster.NodeSettings;
import io.drover.http.auth.Authentication;
import io.drover.http.auth.Bootstrap;
import io.drover.http.auth.Credentials;
import io.drover.http.auth.TokenCache;
import io.drover.http.events.DeployMetrics;
import io.drover.http.events.EventSettings;
import io.drover.http.events.Webhooks;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.japi.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The HTTP API of one node: every resource's routes under {@code /api/v1}, plus /metrics. */
public final class HttpServer extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(HttpServer.class);

  /**
   * What the health endpoint answers.
   *
   * @param status {@code ok}; {@code degraded} (200) while the disk is under its floor (uploads are
   *     refused, instances run on); {@code unavailable} (503) while this node is not an Up member
   *     or its host agent does not answer (nothing here is supervised then)
   * @param agent {@code ok}, or {@code not responding}
   * @param disk the data directory's free space and its floor; {@code null} if unreadable
   */
  record Health(
      String status,
      String host,
      String pool,
      String member,
      long uptimeSeconds,
      String agent,
      Disk disk) {}

  /**
   * @param free bytes still writable in the data directory
   * @param floor under this, uploads are refused with 507
   * @param low free is under the floor
   */
  record Disk(long free, long floor, boolean low) {}

  /** How long health waits for the host agent. */
  private static final Duration AGENT_PROBE = Duration.ofSeconds(2);

  private final Node node;
  private final Metrics metrics;
  private final Asks asks;
  private final EventSettings events;

  /** How long each singleton has to answer {@code GET /api/v1/singletons}. */
  private final Duration singletonTimeout;

  /** Event streams open on this node (bounded by {@code drover.deploy.events.max-streams}). */
  private final AtomicInteger openStreams = new AtomicInteger();

  /** Checks every request but health (and /metrics when open). */
  private final Authentication authentication;

  /** {@code drover.http.open-metrics}: /metrics is served without a token. */
  private final boolean openMetrics;

  private HttpServer(Node node, Metrics metrics, Credentials credentials) {
    this.node = node;
    this.metrics = metrics;
    this.authentication = new Authentication(credentials);
    ActorSystem<?> system = node.system();
    this.asks = new Asks(system.scheduler(), node.settings().askTimeout());
    this.events = EventSettings.fromConfig(system.settings().config());
    this.singletonTimeout =
        system.settings().config().getDuration("drover.http.singleton-ask-timeout");
    this.openMetrics = system.settings().config().getBoolean("drover.http.open-metrics");
  }

  /**
   * Binds the API on the node's HTTP address and unbinds it on coordinated shutdown; starts the
   * deploy meters and webhooks.
   */
  public static CompletionStage<ServerBinding> start(Node node) {
    try {
      return start(node, Bootstrap.load(node.settings().dataDir(), System.getenv()), NO_TOKENS);
    } catch (Bootstrap.Refused e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** No credentials besides the bootstrap token and the token registry's. */
  public static final Credentials NO_TOKENS = token -> Optional.empty();

  /**
   * Binds the API with the bootstrap admin token, the token registry's tokens (and node
   * credentials, through this node's {@link TokenCache}) and {@code extra} credentials (tests;
   * {@link #NO_TOKENS} for none) as the only ways in.
   */
  public static CompletionStage<ServerBinding> start(
      Node node, Bootstrap bootstrap, Credentials extra) {
    HttpServer server =
        new HttpServer(node, new Metrics(), bootstrap.or(TokenCache.start(node)).or(extra));
    DeployMetrics.start(node.system(), new DeployMetrics(server.metrics.registry()));
    Webhooks.start(node.system(), server.events);
    server.metrics.singletons(Singletons.get(node.system()));
    return server.bind();
  }

  Route routes() {
    NodeSettings s = node.settings();
    ActorSystem<?> system = node.system();
    Route api =
        pathPrefix(
            "api",
            () ->
                pathPrefix(
                    "v1",
                    () ->
                        concat(
                            new SitesRoutes(
                                    ClusterSharding.get(system),
                                    node.sites(),
                                    node.hosts(),
                                    node.revisionFetcher(),
                                    asks,
                                    system
                                        .dispatchers()
                                        .lookup(
                                            org.apache.pekko.actor.typed.DispatcherSelector
                                                .blocking()))
                                .route(),
                            new HostsRoutes(ClusterSharding.get(system), node.hosts(), asks)
                                .route(),
                            new DeploysRoutes(
                                    ClusterSharding.get(system),
                                    node.part(io.drover.cluster.Wiring.DEPLOYS),
                                    node.sites(),
                                    asks)
                                .route(),
                            new CronRoutes(
                                    node.part(io.drover.cluster.Wiring.CRON),
                                    id -> RevisionCheck.uploaded(node.revisionFetcher(), id),
                                    system
                                        .dispatchers()
                                        .lookup(
                                            org.apache.pekko.actor.typed.DispatcherSelector
                                                .blocking()),
                                    asks)
                                .route(),
                            path("revisions", () -> post(this::refuseUploadWhenDiskLow)),
                            new RevisionsRoutes(
                                    system,
                                    node.revisions(),
                                    s.revisionMaxBytes(),
                                    node.revisionFetcher(),
                                    node.revisionReplicator())
                                .route(),
                            new ClusterRoutes(system, node.hosts(), asks, s.leaveDrainTimeout())
                                .route(),
                            new DeployEventsRoutes(system, this::deploy, asks, events, openStreams)
                                .route(),
                            new TokensRoutes(node.part(io.drover.cluster.Wiring.TOKENS), asks)
                                .route(),
                            new SingletonsRoutes(
                                    Singletons.get(system), system.scheduler(), singletonTimeout)
                                .route(),
                            new AuditRoutes(node.part(io.drover.cluster.Wiring.AUDIT), asks)
                                .route(),
                            new DashboardRoutes().whoami())));
    Route health =
        pathPrefix("api", () -> pathPrefix("v1", () -> path("health", () -> get(this::health))));
    Route metricsRoute =
        path(
            "metrics",
            () ->
                get(
                    () ->
                        complete(
                            HttpResponse.create()
                                .withEntity(
                                    HttpEntities.create(
                                        ContentTypes.parse(
                                            "text/plain; version=0.0.4; charset=utf-8"),
                                        metrics
                                            .scrape()
                                            .getBytes(java.nio.charset.StandardCharsets.UTF_8))))));
    AuditTrail audit =
        new AuditTrail(
            node.part(io.drover.cluster.Wiring.AUDIT),
            s.host(),
            ApiErrors.exceptions(s.askTimeout()),
            ApiErrors.rejections());
    Route open =
        concat(new DashboardRoutes().ui(), openMetrics ? concat(health, metricsRoute) : health);
    Route guarded = openMetrics ? api : concat(api, metricsRoute);
    return handleExceptions(
        ApiErrors.exceptions(s.askTimeout()),
        () ->
            handleRejections(
                ApiErrors.rejections(),
                () ->
                    concat(
                        open,
                        authentication.authenticated(
                            caller ->
                                audit.audited(
                                    caller,
                                    () -> authentication.authorized(caller, () -> guarded))))));
  }

  private RecipientRef<DeployEntity.Command> deploy(String id) {
    return ClusterSharding.get(node.system()).entityRefFor(DeployEntity.ENTITY_TYPE_KEY, id);
  }

  private Route health() {
    CompletionStage<Boolean> agentAlive =
        asks.<HostAgent.Command, io.drover.actors.host.HostInfo>ask(
                node.agent(), HostAgent.Describe::new, AGENT_PROBE)
            .handle((info, err) -> err == null);
    return completeWithFuture(agentAlive.thenApply(this::healthResponse));
  }

  private HttpResponse healthResponse(boolean agentAlive) {
    Cluster cluster = Cluster.get(node.system());
    MemberStatus status = cluster.selfMember().status();
    boolean up = status == MemberStatus.up() && agentAlive;
    DiskFloor.Status disk = diskStatus();
    String summary = !up ? "unavailable" : disk != null && disk.low() ? "degraded" : "ok";
    Health h =
        new Health(
            summary,
            node.settings().host(),
            node.settings().pool(),
            status.toString(),
            node.system().uptime(),
            agentAlive ? "ok" : "not responding",
            disk == null ? null : new Disk(disk.free(), disk.floor(), disk.low()));
    return HttpResponse.create()
        .withStatus(up ? StatusCodes.OK : StatusCodes.SERVICE_UNAVAILABLE)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.bytes(h)));
  }

  private DiskFloor.Status diskStatus() {
    try {
      return node.disk().check();
    } catch (java.io.IOException e) {
      log.warn("cannot read free space of {}: {}", node.settings().dataDir(), e.toString());
      return null;
    }
  }

  /**
   * Answers an upload with 507 while the data directory is under its free-space floor; otherwise
   * leaves it to the revisions routes. Checked per request.
   */
  private Route refuseUploadWhenDiskLow() {
    return extractRequestContext(
        ctx -> {
          DiskFloor.Status disk = diskStatus();
          if (disk == null || !disk.low()) {
            return reject();
          }
          log.warn(
              "upload refused on host {}: {}",
              node.settings().host(),
              disk.message(node.settings().dataDir()));
          return complete(
              Problem.response(
                  StatusCodes.INSUFFICIENT_STORAGE, disk.message(node.settings().dataDir())));
        });
  }

  private CompletionStage<ServerBinding> bind() {
    ActorSystem<?> system = node.system();
    NodeSettings s = node.settings();
    Function<HttpRequest, CompletionStage<HttpResponse>> handler = routes().seal().handler(system);
    Function<HttpRequest, CompletionStage<HttpResponse>> timed =
        req -> {
          long start = System.nanoTime();
          return handler
              .apply(req)
              .thenApply(
                  resp -> {
                    metrics.recordRequest(
                        req.method().name(),
                        Metrics.routeOf(req.getUri().path()),
                        resp.status().intValue(),
                        System.nanoTime() - start);
                    return resp;
                  });
        };
    pollInstances(system, s.agent().reportInterval());
    java.util.Optional<javax.net.ssl.SSLContext> tls;
    try {
      tls = io.drover.http.tls.ApiTls.fromConfig(system.settings().config());
    } catch (io.drover.http.tls.ApiTls.Invalid e) {
      return java.util.concurrent.CompletableFuture.failedFuture(
          new IllegalStateException(e.getMessage(), e));
    }
    var server = Http.get(system).newServerAt(s.bind(), s.httpPort());
    if (tls.isPresent()) {
      server =
          server.enableHttps(
              org.apache.pekko.http.javadsl.ConnectionContext.httpsServer(tls.get()));
    }
    String scheme = tls.isPresent() ? "https" : "http";
    return server
        .adaptSettings(settings -> settings.withParsingErrorHandler(ParsingErrors.class.getName()))
        .bind(timed)
        .thenApply(
            binding -> {
              log.info("HTTP API listening on {}://{}:{}/api/v1", scheme, s.bind(), s.httpPort());
              binding.addToCoordinatedShutdown(Duration.ofSeconds(5), system);
              return binding;
            });
  }

  private void pollInstances(ActorSystem<?> system, Duration every) {
    var task =
        system
            .scheduler()
            .scheduleWithFixedDelay(
                Duration.ZERO,
                every,
                () ->
                    asks.<HostAgent.Command, HostAgent.Instances>ask(
                            node.agent(), HostAgent.GetInstances::new)
                        .thenAccept(i -> metrics.observe(i.instances())),
                system.executionContext());
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceUnbind(),
            "stop-metrics-poll",
            () -> {
              task.cancel();
              return java.util.concurrent.CompletableFuture.completedFuture(Done.getInstance());
            });
  }
}
