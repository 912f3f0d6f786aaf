package io.drover.http.auth;

import io.drover.actors.token.TokenRegistry;
import io.drover.actors.token.TokenTable;
import io.drover.actors.token.TokenTopic;
import io.drover.cluster.Node;
import io.drover.cluster.Wiring;
import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's copy of the cluster's API tokens and node credentials, for {@link #verify}: a map
 * from SHA-256 hash to (name, role, expiry), so a request is checked locally in O(1), never with a
 * round trip to the {@link TokenRegistry}.
 *
 * <ul>
 *   <li>Kept current by a push (the registry publishes its whole table on {@link TokenTopic} after
 *       every change) and a pull every {@link #PULL_EVERY}: the registry's version is asked (a
 *       number), the table fetched only when it differs. So a revocation reaches every node within
 *       seconds, also when a push was lost or the registry failed over.
 *   <li>Expiry is checked at verify time: an expired token fails at once, whatever the table says.
 *   <li>Last use: each verify records name → now locally; the uses are reported to the registry in
 *       a batch at most every {@link #REPORT_EVERY}, and the registry persists a use only when it
 *       advanced by a minute. So {@code lastUsed} in {@code GET /api/v1/tokens} is approximate (to
 *       about a minute and a half), and uses not yet reported are lost when a node stops.
 * </ul>
 */
public final class TokenCache implements Credentials {

  private static final Logger log = LoggerFactory.getLogger(TokenCache.class);

  /** How often the registry's version is asked. */
  public static final Duration PULL_EVERY = Duration.ofSeconds(5);

  /** How often the uses seen here are reported to the registry (when there are any). */
  public static final Duration REPORT_EVERY = Duration.ofSeconds(30);

  /** How long one ask of the registry may take. */
  static final Duration ASK_TIMEOUT = Duration.ofSeconds(3);

  private static final AtomicInteger instances = new AtomicInteger();

  /** One credential as verified. */
  private record Known(Caller caller, Long expires) {}

  /** The table in use: replaced whole, never changed in place. */
  private record Current(long version, Map<String, Known> byHash) {}

  private final ActorSystem<?> system;
  private final ActorRef<TokenRegistry.Command> registry;
  private final Clock clock;
  private final Duration pullEvery;
  private final Duration reportEvery;
  private volatile Current current = new Current(-1, Map.of());

  /** Pulls in a row that answered a table older than the one in use (guarded by this). */
  private int olderPulls;

  private final ConcurrentHashMap<String, Long> lastUse = new ConcurrentHashMap<>();
  private volatile Cancellable pull;
  private volatile Cancellable report;

  /**
   * @param registry the token registry (its singleton proxy)
   */
  public TokenCache(
      ActorSystem<?> system,
      ActorRef<TokenRegistry.Command> registry,
      Clock clock,
      Duration pullEvery,
      Duration reportEvery) {
    this.system = system;
    this.registry = registry;
    this.clock = clock;
    this.pullEvery = pullEvery;
    this.reportEvery = reportEvery;
  }

  /**
   * Starts this node's cache (with {@link #PULL_EVERY} and {@link #REPORT_EVERY}) and its node
   * credential, which the revision fetcher then sends to peers.
   */
  public static TokenCache start(Node node) {
    ActorRef<TokenRegistry.Command> registry = node.part(Wiring.TOKENS);
    TokenCache cache =
        new TokenCache(node.system(), registry, Clock.systemUTC(), PULL_EVERY, REPORT_EVERY)
            .start();
    NodeCredential credential =
        NodeCredential.start(node.system(), registry, node.settings().host());
    node.revisionFetcher().bearer(credential::bearer);
    return cache;
  }

  /** Subscribes to the registry's pushes and starts the pull and the use reports. */
  public TokenCache start() {
    ActorRef<TokenTable> pushes =
        system.systemActorOf(
            Behaviors.receiveMessage(
                (TokenTable t) -> {
                  pushed(t);
                  return Behaviors.same();
                }),
            "token-cache-" + instances.incrementAndGet(),
            Props.empty());
    TokenTopic.get(system).subscribe(pushes);
    pull =
        system
            .scheduler()
            .scheduleWithFixedDelay(
                Duration.ZERO, pullEvery, this::pull, system.executionContext());
    report =
        system
            .scheduler()
            .scheduleWithFixedDelay(
                reportEvery, reportEvery, this::report, system.executionContext());
    CoordinatedShutdown.get(system)
        .addTask(
            CoordinatedShutdown.PhaseServiceUnbind(),
            "stop-token-cache-" + instances.get(),
            () -> {
              stop();
              return CompletableFuture.completedFuture(Done.getInstance());
            });
    return this;
  }

  /** Stops pulling and reporting (the table stays as it is). */
  public void stop() {
    if (pull != null) {
      pull.cancel();
    }
    if (report != null) {
      report.cancel();
    }
  }

  @Override
  public Optional<Caller> verify(String token) {
    if (token == null || token.isEmpty()) {
      return Optional.empty();
    }
    Known k = current.byHash().get(TokenHash.of(token));
    if (k == null) {
      return Optional.empty();
    }
    long now = clock.millis();
    if (k.expires() != null && now >= k.expires()) {
      return Optional.empty();
    }
    if (k.expires() != null) {
      // a token, not a node credential (those are not listed with a last use)
      lastUse.put(k.caller().name(), now);
    }
    return Optional.of(k.caller());
  }

  /** The registry version of the table in use; -1 before the first one arrived. */
  public long version() {
    return current.version();
  }

  /** A pushed table: newer ones only (pushes of one registry arrive in order). */
  synchronized void pushed(TokenTable t) {
    if (t.version() > current.version()) {
      use(t, "push");
    }
  }

  /**
   * A pulled table: a newer one is used at once. An older one is used only when the pull before
   * also answered older than the table in use (the registry's journal was reset), not when a push
   * overtook this pull's answer: that would bring a revoked token back for a while.
   */
  synchronized void pulled(TokenTable t) {
    if (t.version() > current.version()) {
      olderPulls = 0;
      use(t, "pull");
    } else if (t.version() < current.version()) {
      if (++olderPulls >= 2) {
        log.warn(
            "the token registry answers version {}, older than {} here: using its table",
            t.version(),
            current.version());
        olderPulls = 0;
        use(t, "pull");
      }
    } else {
      olderPulls = 0;
    }
  }

  private void use(TokenTable t, String how) {
    Map<String, Known> byHash = new HashMap<>();
    for (TokenTable.Entry e : t.entries()) {
      Optional<Role> role = Role.parse(e.role());
      if (role.isEmpty()) {
        log.warn("token {} has an unknown role '{}': ignored", e.name(), e.role());
        continue;
      }
      byHash.put(e.hash(), new Known(new Caller(e.name(), role.get()), e.expires()));
    }
    long before = current.version();
    current = new Current(t.version(), Map.copyOf(byHash));
    log.debug(
        "token table {} -> {} by {} ({} credentials)", before, t.version(), how, byHash.size());
  }

  /** Asks the registry's version; fetches the table when it differs from the one in use. */
  void pull() {
    AskPattern.<TokenRegistry.Command, TokenRegistry.Version>ask(
            registry, TokenRegistry.GetVersion::new, ASK_TIMEOUT, system.scheduler())
        .thenCompose(
            v ->
                v.version() == current.version()
                    ? CompletableFuture.completedFuture((TokenTable) null)
                    : AskPattern.<TokenRegistry.Command, TokenTable>ask(
                        registry, TokenRegistry.GetTable::new, ASK_TIMEOUT, system.scheduler()))
        .whenComplete(
            (t, err) -> {
              if (err != null) {
                log.debug("token registry not asked now: {}", err.toString());
              } else if (t != null) {
                pulled(t);
              }
            });
  }

  /** Reports the uses seen since the last report, if any. */
  void report() {
    if (lastUse.isEmpty()) {
      return;
    }
    Map<String, Long> batch = new HashMap<>(lastUse);
    batch.forEach(lastUse::remove);
    registry.tell(new TokenRegistry.ReportUse(batch));
  }
}
