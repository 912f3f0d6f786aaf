package io.drover.actors.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The registry's behaviour with a test clock: create, a live name 409, revoke, expiry frees the
 * name and the table says when it expires, node credentials replace each other, use reports, every
 * change pushed, and the same state after recovery from the journal.
 */
class TokenRegistryTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "TokenRegistryTest",
          EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AtomicInteger counter = new AtomicInteger();
  private static final String H1 = "a".repeat(64);
  private static final String H2 = "b".repeat(64);
  private static final String H3 = "c".repeat(64);
  private static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    final AtomicLong millis = new AtomicLong(T0.toEpochMilli());

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

  private final TestClock clock = new TestClock();
  private final List<TokenTable> published = new CopyOnWriteArrayList<>();
  private EventSourcedBehaviorTestKit<TokenRegistry.Command, TokenEvent, TokenState> kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            TokenRegistry.create(
                "tokens-test-" + counter.incrementAndGet(), clock, published::add));
  }

  private TokenRegistry.Reply create(String name, String role, String hash, Duration ttl) {
    return kit.<TokenRegistry.Reply>runCommand(
            r -> new TokenRegistry.Create(name, role, hash, ttl.toMillis(), "admin", r))
        .reply();
  }

  private TokenTable table() {
    return kit.<TokenTable>runCommand(TokenRegistry.GetTable::new).reply();
  }

  @Test
  void createsListsAndRefusesALiveNameTwice() {
    var result =
        kit.<TokenRegistry.Reply>runCommand(
            r -> new TokenRegistry.Create("ci", "deployer", H1, 3_600_000, "admin", r));
    TokenRegistry.Created created = assertInstanceOf(TokenRegistry.Created.class, result.reply());
    assertEquals("ci", created.token().name());
    assertEquals(T0.toEpochMilli() + 3_600_000, created.token().expires());
    assertEquals(
        new TokenEvent.TokenCreated(
            "ci", "deployer", H1, T0.toEpochMilli(), T0.toEpochMilli() + 3_600_000, "admin"),
        result.event());
    TokenTable pushed = published.get(published.size() - 1);
    assertEquals(1, pushed.version(), "the change is pushed");
    assertEquals(H1, pushed.entries().get(0).hash());

    TokenRegistry.Refused twice =
        assertInstanceOf(
            TokenRegistry.Refused.class, create("ci", "admin", H2, Duration.ofHours(1)));
    assertEquals(TokenRules.Why.CONFLICT, twice.why());
    TokenRegistry.Refused bad =
        assertInstanceOf(
            TokenRegistry.Refused.class, create("Bad Name", "admin", H2, Duration.ofHours(1)));
    assertEquals(TokenRules.Why.INVALID, bad.why());
    assertEquals(1, table().version(), "refusals change nothing");

    TokenRegistry.Listing l =
        assertInstanceOf(
            TokenRegistry.Listing.class,
            kit.<TokenRegistry.Reply>runCommand(TokenRegistry.ListTokens::new).reply());
    assertEquals(1, l.tokens().size());
    TokenRegistry.TokenView v = l.tokens().get(0);
    assertEquals("deployer", v.role());
    assertEquals("admin", v.createdBy());
    assertNull(v.lastUsed());
  }

  @Test
  void revokeRemovesTheTokenEverywhereAndFreesTheName() {
    create("ci", "viewer", H1, Duration.ofDays(1));
    var revoked =
        kit.<TokenRegistry.Reply>runCommand(r -> new TokenRegistry.Revoke("ci", "bob", r));
    assertEquals(new TokenRegistry.Revoked("ci"), revoked.reply());
    assertEquals(new TokenEvent.TokenRevoked("ci", "bob", T0.toEpochMilli()), revoked.event());
    assertTrue(table().entries().isEmpty());
    assertTrue(published.get(published.size() - 1).entries().isEmpty(), "the revocation pushed");
    TokenRegistry.Refused again =
        assertInstanceOf(
            TokenRegistry.Refused.class,
            kit.<TokenRegistry.Reply>runCommand(r -> new TokenRegistry.Revoke("ci", "bob", r))
                .reply());
    assertEquals(TokenRules.Why.NOT_FOUND, again.why());
    assertInstanceOf(TokenRegistry.Created.class, create("ci", "admin", H2, Duration.ofDays(1)));
  }

  @Test
  void anExpiredTokenStaysListedUntilItsNameIsTakenAgain() {
    create("ci", "viewer", H1, Duration.ofMinutes(1));
    clock.millis.addAndGet(Duration.ofMinutes(1).toMillis());
    assertEquals(
        T0.toEpochMilli() + 60_000, table().entries().get(0).expires(), "caches refuse it now");
    assertInstanceOf(TokenRegistry.Created.class, create("ci", "admin", H2, Duration.ofDays(1)));
    assertEquals(List.of(H2), table().entries().stream().map(TokenTable.Entry::hash).toList());
  }

  @Test
  void aNodeCredentialReplacesTheHostsPreviousOne() {
    var first =
        kit.<TokenRegistry.Reply>runCommand(r -> new TokenRegistry.RegisterNode("h1", H1, r));
    assertEquals(new TokenRegistry.Registered("h1"), first.reply());
    var same =
        kit.<TokenRegistry.Reply>runCommand(r -> new TokenRegistry.RegisterNode("h1", H1, r));
    assertTrue(same.hasNoEvents(), "registering the same again persists nothing");
    kit.<TokenRegistry.Reply>runCommand(r -> new TokenRegistry.RegisterNode("h1", H2, r));
    kit.<TokenRegistry.Reply>runCommand(r -> new TokenRegistry.RegisterNode("h2", H3, r));
    assertEquals(
        List.of(
            new TokenTable.Entry("node:h1", "viewer", H2, null),
            new TokenTable.Entry("node:h2", "viewer", H3, null)),
        table().entries());
    TokenRegistry.Listing l =
        (TokenRegistry.Listing)
            kit.<TokenRegistry.Reply>runCommand(TokenRegistry.ListTokens::new).reply();
    assertEquals(List.of("node:h1", "node:h2"), l.tokens().stream().map(v -> v.name()).toList());
    assertNull(l.tokens().get(0).expires());
  }

  @Test
  void usesAreRecordedToTheMinuteWithoutChangingTheVersion() {
    create("ci", "viewer", H1, Duration.ofDays(1));
    long v = table().version();
    long at = T0.toEpochMilli() + 5_000;
    var used = kit.runCommand(new TokenRegistry.ReportUse(Map.of("ci", at, "ghost", at)));
    assertEquals(new TokenEvent.TokensUsed(Map.of("ci", at)), used.event());
    assertTrue(kit.runCommand(new TokenRegistry.ReportUse(Map.of("ci", at + 1000))).hasNoEvents());
    assertEquals(
        v, kit.<TokenRegistry.Version>runCommand(TokenRegistry.GetVersion::new).reply().version());
    TokenRegistry.Listing l =
        (TokenRegistry.Listing)
            kit.<TokenRegistry.Reply>runCommand(TokenRegistry.ListTokens::new).reply();
    assertEquals(at, l.tokens().get(0).lastUsed());
  }

  @Test
  void recoversEverythingFromTheJournalAndAnnouncesIt() {
    create("ci", "viewer", H1, Duration.ofDays(1));
    create("cd", "admin", H2, Duration.ofDays(2));
    kit.<TokenRegistry.Reply>runCommand(r -> new TokenRegistry.Revoke("ci", "bob", r));
    kit.<TokenRegistry.Reply>runCommand(r -> new TokenRegistry.RegisterNode("h1", H3, r));
    TokenTable before = table();
    published.clear();
    kit.restart();
    assertEquals(before, table());
    assertEquals(4, before.version());
    assertEquals(List.of(before), published, "a new incarnation pushes its table");
  }
}
