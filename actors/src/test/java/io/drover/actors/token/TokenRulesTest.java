package io.drover.actors.token;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The registry's decisions as pure functions: validation, expiry, what a change yields. */
class TokenRulesTest {

  private static final String H1 = "1".repeat(64);
  private static final String H2 = "2".repeat(64);
  private static final long NOW = 1_800_000_000_000L;

  @Test
  void namesFollowThePatternAndNodeNamesAreReserved() {
    for (String ok : List.of("ci", "a", "ci-deployer.prod", "0abc", "a".repeat(63))) {
      assertTrue(TokenRules.problems(ok, "viewer", null).isEmpty(), ok);
    }
    for (String bad : List.of("", "-ci", ".a", "CI", "node:h1", "a b", "a_b", "a".repeat(64))) {
      List<String> p = TokenRules.problems(bad, "viewer", null);
      assertEquals(1, p.size(), bad + " " + p);
      assertTrue(p.get(0).startsWith("name"), p.toString());
    }
    assertTrue(TokenRules.problems(null, "viewer", null).get(0).contains("missing"));
  }

  @Test
  void rolesAreTheThreeWireNames() {
    for (String r : List.of("viewer", "deployer", "admin")) {
      assertTrue(TokenRules.problems("t", r, "1d").isEmpty(), r);
    }
    assertTrue(TokenRules.problems("t", "root", "1d").get(0).contains("viewer, deployer, admin"));
    assertTrue(TokenRules.problems("t", "Admin", "1d").get(0).contains("'Admin'"));
    assertTrue(TokenRules.problems("t", null, "1d").get(0).contains("role is missing"));
  }

  @Test
  void ttlIsANumberAndAUnitBetweenOneMinuteAnd366Days() {
    assertEquals(Optional.of(Duration.ofDays(90)), TokenRules.parseTtl(null));
    assertEquals(Optional.of(Duration.ofDays(30)), TokenRules.parseTtl("30d"));
    assertEquals(Optional.of(Duration.ofHours(12)), TokenRules.parseTtl("12h"));
    assertEquals(Optional.of(Duration.ofMinutes(90)), TokenRules.parseTtl("90m"));
    assertEquals(Optional.of(Duration.ofSeconds(600)), TokenRules.parseTtl("600s"));
    for (String bad : List.of("", "d", "30", "30 days", "1.5h", "-1d", "P30D", "1w", "10ms")) {
      assertEquals(Optional.empty(), TokenRules.parseTtl(bad), bad);
      assertTrue(TokenRules.problems("t", "viewer", bad).get(0).contains("not a duration"), bad);
    }
    assertTrue(TokenRules.problems("t", "viewer", "1m").isEmpty());
    assertTrue(TokenRules.problems("t", "viewer", "366d").isEmpty());
    assertTrue(TokenRules.problems("t", "viewer", "59s").get(0).contains("between 1m and 366d"));
    assertTrue(TokenRules.problems("t", "viewer", "367d").get(0).contains("between 1m and 366d"));
    assertTrue(
        TokenRules.problems("t", "viewer", "999999999d").get(0).contains("between 1m and 366d"));
    assertEquals(3, TokenRules.problems("X", "root", "soon").size(), "every problem at once");
  }

  @Test
  void createYieldsTheEventWithItsExpiry() {
    TokenRules.Decision d =
        TokenRules.create(
            TokenState.empty(), "ci", "deployer", H1, Duration.ofDays(30), "admin", NOW);
    TokenEvent.TokenCreated e =
        assertInstanceOf(
            TokenEvent.TokenCreated.class, assertInstanceOf(TokenRules.Accept.class, d).event());
    assertEquals(
        new TokenEvent.TokenCreated(
            "ci", "deployer", H1, NOW, NOW + Duration.ofDays(30).toMillis(), "admin"),
        e);
  }

  @Test
  void aLiveNameConflictsAnExpiredOneIsReplaced() {
    TokenState s =
        TokenState.empty()
            .apply(new TokenEvent.TokenCreated("ci", "viewer", H1, NOW, NOW + 60_000, "admin"));
    TokenRules.Refuse r =
        assertInstanceOf(
            TokenRules.Refuse.class,
            TokenRules.create(s, "ci", "admin", H2, Duration.ofDays(1), "admin", NOW + 59_999));
    assertEquals(TokenRules.Why.CONFLICT, r.why());
    assertTrue(r.message().contains("DELETE /api/v1/tokens/ci"), r.message());
    assertInstanceOf(
        TokenRules.Accept.class,
        TokenRules.create(s, "ci", "admin", H2, Duration.ofDays(1), "admin", NOW + 60_000));
    assertEquals(
        TokenRules.Why.CONFLICT,
        ((TokenRules.Refuse)
                TokenRules.create(s, "other", "admin", H1, Duration.ofDays(1), "admin", NOW))
            .why(),
        "a secret in use is not accepted twice");
  }

  @Test
  void createRefusesWhatTheRouteWouldRefuse() {
    for (TokenRules.Decision d :
        List.of(
            TokenRules.create(
                TokenState.empty(), "node:x", "viewer", H1, Duration.ofDays(1), "a", NOW),
            TokenRules.create(TokenState.empty(), "t", "root", H1, Duration.ofDays(1), "a", NOW),
            TokenRules.create(
                TokenState.empty(), "t", "viewer", H1, Duration.ofDays(400), "a", NOW),
            TokenRules.create(
                TokenState.empty(), "t", "viewer", "secret", Duration.ofDays(1), "a", NOW))) {
      assertEquals(TokenRules.Why.INVALID, assertInstanceOf(TokenRules.Refuse.class, d).why());
    }
  }

  @Test
  void revokeNeedsAKnownTokenNotANodeCredential() {
    TokenState s =
        TokenState.empty()
            .apply(new TokenEvent.TokenCreated("ci", "viewer", H1, NOW, NOW + 60_000, "admin"))
            .apply(new TokenEvent.NodeCredentialRegistered("h1", H2, NOW));
    assertEquals(
        new TokenEvent.TokenRevoked("ci", "bob", NOW),
        ((TokenRules.Accept) TokenRules.revoke(s, "ci", "bob", NOW)).event());
    TokenRules.Refuse unknown = (TokenRules.Refuse) TokenRules.revoke(s, "cd", "bob", NOW);
    assertEquals(TokenRules.Why.NOT_FOUND, unknown.why());
    TokenRules.Refuse node = (TokenRules.Refuse) TokenRules.revoke(s, "node:h1", "bob", NOW);
    assertTrue(node.message().contains("restarting"), node.message());
  }

  @Test
  void aNodeCredentialReplacesTheHostsPreviousOne() {
    TokenState s = TokenState.empty().apply(new TokenEvent.NodeCredentialRegistered("h1", H1, 5));
    assertEquals(Optional.empty(), TokenRules.registerNode(s, "h1", H1, NOW), "same again");
    TokenEvent e = TokenRules.registerNode(s, "h1", H2, NOW).orElseThrow();
    TokenState next = s.apply(e);
    assertEquals(H2, next.nodes().get("h1").hash());
    assertEquals(1, next.table().entries().size());
    TokenTable.Entry entry = next.table().entries().get(0);
    assertEquals(new TokenTable.Entry("node:h1", "viewer", H2, null), entry);
    assertEquals(s.version() + 1, next.version());
  }

  @Test
  void usesArePersistedOnlyWhenTheyAdvancedByAMinute() {
    TokenState s =
        TokenState.empty()
            .apply(new TokenEvent.TokenCreated("ci", "viewer", H1, NOW, NOW + 3_600_000, "a"));
    Map<String, Long> first = TokenRules.used(s, Map.of("ci", NOW + 10, "gone", NOW));
    assertEquals(Map.of("ci", NOW + 10), first, "unknown names are dropped");
    TokenState used = s.apply(new TokenEvent.TokensUsed(first));
    assertEquals(NOW + 10, used.tokens().get("ci").lastUsed());
    assertEquals(s.version(), used.version(), "a use does not change what verifies");
    assertEquals(Map.of(), TokenRules.used(used, Map.of("ci", NOW + 59_000)));
    assertEquals(Map.of("ci", NOW + 60_010), TokenRules.used(used, Map.of("ci", NOW + 60_010)));
  }

  @Test
  void theTableHoldsHashesNamesRolesAndExpiry() {
    TokenState s =
        TokenState.empty()
            .apply(new TokenEvent.TokenCreated("ci", "admin", H1, NOW, NOW + 1000, "a"))
            .apply(new TokenEvent.NodeCredentialRegistered("h1", H2, NOW))
            .apply(new TokenEvent.TokenRevoked("ci", "a", NOW));
    assertEquals(3, s.version());
    assertEquals(List.of(new TokenTable.Entry("node:h1", "viewer", H2, null)), s.table().entries());
  }
}
