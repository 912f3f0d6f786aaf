package io.drover.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.token.TokenRegistry;
import io.drover.actors.token.TokenRules;
import io.drover.actors.token.TokenTable;
import io.drover.actors.token.TokenTopic;
import io.drover.http.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The node-local cache against a real registry (in-memory journal): a push and a pull each bring a
 * new token and a revocation, an expired token is refused at verify time, verify never asks anyone,
 * uses are reported in batches, and a node credential verifies as {@code node:<host>} viewer until
 * the node registers a new one.
 */
class TokenCacheTest {

  static final Config CONFIG;

  static {
    try {
      Path snapshots = Files.createTempDirectory("token-cache-test");
      snapshots.toFile().deleteOnExit();
      CONFIG =
          ConfigFactory.parseString(
                  "pekko.actor.provider = local\n"
                      + "pekko.persistence.journal.plugin = \"pekko.persistence.journal.inmem\"\n"
                      + "pekko.persistence.snapshot-store.plugin ="
                      + " \"pekko.persistence.snapshot-store.local\"\n"
                      + "pekko.persistence.snapshot-store.local.dir = \""
                      + snapshots
                      + "\"\n"
                      + "pekko.loglevel = WARNING\n")
              .withFallback(ConfigFactory.load());
    } catch (java.io.IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final ActorTestKit kit = ActorTestKit.create("TokenCacheTest", CONFIG);
  private static final AtomicInteger counter = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration NEVER = Duration.ofHours(1);

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    final AtomicLong millis = new AtomicLong(Instant.parse("2026-12-01T03:00:00Z").toEpochMilli());

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }
  }

  private static ActorRef<TokenRegistry.Command> registry(boolean push) {
    TokenTopic topic = TokenTopic.get(kit.system());
    return kit.spawn(
        TokenRegistry.create(
            "cache-test-" + counter.incrementAndGet(),
            Clock.systemUTC(),
            push ? topic::publish : t -> {}));
  }

  /** Creates a token through the registry; returns its secret. */
  static String create(ActorRef<TokenRegistry.Command> registry, String name, String role)
      throws Exception {
    String secret = TokenHash.generate();
    TokenRegistry.Reply reply =
        AskPattern.<TokenRegistry.Command, TokenRegistry.Reply>ask(
                registry,
                r ->
                    new TokenRegistry.Create(
                        name, role, TokenHash.of(secret), 3_600_000, "admin", r),
                WAIT,
                kit.scheduler())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertTrue(reply instanceof TokenRegistry.Created, reply.toString());
    return secret;
  }

  static void revoke(ActorRef<TokenRegistry.Command> registry, String name) throws Exception {
    TokenRegistry.Reply reply =
        AskPattern.<TokenRegistry.Command, TokenRegistry.Reply>ask(
                registry, r -> new TokenRegistry.Revoke(name, "admin", r), WAIT, kit.scheduler())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertEquals(new TokenRegistry.Revoked(name), reply);
  }

  @Test
  void aPushBringsANewTokenAndItsRevocation() throws Exception {
    ActorRef<TokenRegistry.Command> registry = registry(true);
    TokenCache cache = new TokenCache(kit.system(), registry, Clock.systemUTC(), NEVER, NEVER);
    cache.start();
    try {
      TestNode.await(WAIT, "first table", () -> cache.version() >= 0);
      String secret = create(registry, "ci", "deployer");
      TestNode.await(WAIT, "token known by push", () -> cache.verify(secret).isPresent());
      assertEquals(Optional.of(new Caller("ci", Role.DEPLOYER)), cache.verify(secret));
      revoke(registry, "ci");
      TestNode.await(WAIT, "revocation seen by push", () -> cache.verify(secret).isEmpty());
    } finally {
      cache.stop();
    }
  }

  @Test
  void thePullBringsChangesWhenNoPushArrives() throws Exception {
    ActorRef<TokenRegistry.Command> registry = registry(false);
    TokenCache cache =
        new TokenCache(kit.system(), registry, Clock.systemUTC(), Duration.ofMillis(200), NEVER);
    cache.start();
    try {
      String secret = create(registry, "ci", "viewer");
      TestNode.await(WAIT, "token known by pull", () -> cache.verify(secret).isPresent());
      revoke(registry, "ci");
      TestNode.await(WAIT, "revocation seen by pull", () -> cache.verify(secret).isEmpty());
    } finally {
      cache.stop();
    }
  }

  @Test
  void aRevocationByTheNextIncarnationReachesTheCache() throws Exception {
    String pid = "cache-failover-" + counter.incrementAndGet();
    TokenTopic topic = TokenTopic.get(kit.system());
    ActorRef<TokenRegistry.Command> first =
        kit.spawn(TokenRegistry.create(pid, Clock.systemUTC(), topic::publish));
    // the cache asks a proxy; here a forwarder to whichever incarnation runs now
    AtomicReference<ActorRef<TokenRegistry.Command>> now = new AtomicReference<>(first);
    ActorRef<TokenRegistry.Command> proxy =
        kit.spawn(
            Behaviors.receiveMessage(
                (TokenRegistry.Command c) -> {
                  now.get().tell(c);
                  return Behaviors.same();
                }));
    TokenCache cache =
        new TokenCache(kit.system(), proxy, Clock.systemUTC(), Duration.ofMillis(300), NEVER);
    cache.start();
    try {
      String secret = create(first, "ci", "admin");
      TestNode.await(WAIT, "token known", () -> cache.verify(secret).isPresent());
      kit.stop(first);
      ActorRef<TokenRegistry.Command> second =
          kit.spawn(TokenRegistry.create(pid, Clock.systemUTC(), topic::publish));
      now.set(second);
      assertTrue(cache.verify(secret).isPresent(), "still verified while the registry moves");
      revoke(second, "ci");
      TestNode.await(
          WAIT, "revocation by the new incarnation", () -> cache.verify(secret).isEmpty());
    } finally {
      cache.stop();
    }
  }

  @Test
  void anExpiredTokenFailsAtVerifyTime() {
    TestClock clock = new TestClock();
    TestProbe<TokenRegistry.Command> registry = kit.createTestProbe();
    TokenCache cache = new TokenCache(kit.system(), registry.ref(), clock, NEVER, NEVER);
    String secret = TokenHash.generate();
    long expires = clock.millis() + 1000;
    cache.pushed(
        new TokenTable(
            1, List.of(new TokenTable.Entry("ci", "admin", TokenHash.of(secret), expires))));
    assertEquals(Optional.of(new Caller("ci", Role.ADMIN)), cache.verify(secret));
    clock.millis.set(expires);
    assertEquals(Optional.empty(), cache.verify(secret));
    assertEquals(Optional.empty(), cache.verify("drv_wrong"));
    assertEquals(Optional.empty(), cache.verify(""));
    assertEquals(Optional.empty(), cache.verify(null));
  }

  @Test
  void verifyIsALocalLookupEvenWithManyTokens() {
    TestProbe<TokenRegistry.Command> registry = kit.createTestProbe();
    TokenCache cache =
        new TokenCache(kit.system(), registry.ref(), Clock.systemUTC(), NEVER, NEVER);
    List<TokenTable.Entry> entries = new ArrayList<>();
    List<String> secrets = new ArrayList<>();
    for (int i = 0; i < 20_000; i++) {
      String s = TokenHash.generate();
      secrets.add(s);
      entries.add(new TokenTable.Entry("t" + i, "viewer", TokenHash.of(s), null));
    }
    cache.pushed(new TokenTable(7, entries));
    long start = System.nanoTime();
    for (int round = 0; round < 5; round++) {
      for (int i = 0; i < secrets.size(); i += 97) {
        assertEquals("t" + i, cache.verify(secrets.get(i)).orElseThrow().name());
      }
    }
    long millis = (System.nanoTime() - start) / 1_000_000;
    assertTrue(millis < 5_000, "1000 verifies took " + millis + " ms");
    registry.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aPushNeverGoesBackAndAPullOnlyWhenTheRegistryInsists() {
    TestProbe<TokenRegistry.Command> registry = kit.createTestProbe();
    TokenCache cache =
        new TokenCache(kit.system(), registry.ref(), Clock.systemUTC(), NEVER, NEVER);
    String a = TokenHash.generate();
    String b = TokenHash.generate();
    cache.pushed(
        new TokenTable(5, List.of(new TokenTable.Entry("a", "viewer", TokenHash.of(a), null))));
    cache.pushed(
        new TokenTable(4, List.of(new TokenTable.Entry("b", "viewer", TokenHash.of(b), null))));
    assertTrue(cache.verify(a).isPresent(), "an older push is ignored");
    assertFalse(cache.verify(b).isPresent());
    TokenTable older =
        new TokenTable(2, List.of(new TokenTable.Entry("b", "viewer", TokenHash.of(b), null)));
    cache.pulled(older);
    assertTrue(cache.verify(a).isPresent(), "one older pull may have been overtaken by a push");
    cache.pulled(older);
    assertTrue(cache.verify(b).isPresent(), "twice older: the registry's journal was reset");
    assertFalse(cache.verify(a).isPresent());
    assertEquals(2, cache.version());
  }

  @Test
  void usesAreReportedInBatches() {
    TestProbe<TokenRegistry.Command> registry = kit.createTestProbe();
    TestClock clock = new TestClock();
    TokenCache cache = new TokenCache(kit.system(), registry.ref(), clock, NEVER, NEVER);
    String s = TokenHash.generate();
    cache.pushed(
        new TokenTable(
            1, List.of(new TokenTable.Entry("ci", "viewer", TokenHash.of(s), Long.MAX_VALUE))));
    cache.verify(s);
    clock.millis.addAndGet(1000);
    cache.verify(s);
    String node = TokenHash.generate();
    cache.pushed(
        new TokenTable(
            2,
            List.of(
                new TokenTable.Entry("ci", "viewer", TokenHash.of(s), Long.MAX_VALUE),
                new TokenTable.Entry("node:h1", "viewer", TokenHash.of(node), null))));
    assertTrue(cache.verify(node).isPresent());
    cache.report();
    assertEquals(
        new TokenRegistry.ReportUse(Map.of("ci", clock.millis())),
        registry.expectMessageClass(TokenRegistry.ReportUse.class));
    cache.report();
    registry.expectNoMessage(Duration.ofMillis(200));
  }

  @Test
  void aNodeCredentialVerifiesAsViewerUntilTheNodeRegistersAnother() throws Exception {
    ActorRef<TokenRegistry.Command> registry = registry(true);
    TokenCache cache = new TokenCache(kit.system(), registry, Clock.systemUTC(), NEVER, NEVER);
    cache.start();
    try {
      NodeCredential first = NodeCredential.start(kit.system(), registry, "h1");
      TestNode.await(WAIT, "registered", first::registered);
      String secret = first.bearer().orElseThrow();
      TestNode.await(WAIT, "node credential verifies", () -> cache.verify(secret).isPresent());
      assertEquals(
          Optional.of(new Caller(TokenRules.nodeName("h1"), Role.VIEWER)), cache.verify(secret));
      NodeCredential restarted = NodeCredential.start(kit.system(), registry, "h1");
      TestNode.await(WAIT, "registered again", restarted::registered);
      String next = restarted.bearer().orElseThrow();
      TestNode.await(WAIT, "the new one verifies", () -> cache.verify(next).isPresent());
      assertEquals(Optional.empty(), cache.verify(secret), "the previous run's is replaced");
    } finally {
      cache.stop();
    }
  }

  @Test
  void aNodeCredentialIsRetriedUntilTheRegistryAnswers() throws Exception {
    TestProbe<TokenRegistry.Command> registry = kit.createTestProbe();
    NodeCredential c = NodeCredential.start(kit.system(), registry.ref(), "h2");
    registry.expectMessageClass(TokenRegistry.RegisterNode.class, WAIT);
    assertTrue(c.bearer().isEmpty(), "no bearer before the registry acknowledged");
    TokenRegistry.RegisterNode again =
        registry.expectMessageClass(TokenRegistry.RegisterNode.class, Duration.ofSeconds(15));
    again.replyTo().tell(new TokenRegistry.Registered("h2"));
    TestNode.await(WAIT, "registered", c::registered);
    assertEquals(TokenHash.of(c.bearer().orElseThrow()), again.hash());
  }
}
