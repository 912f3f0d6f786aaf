package io.drover.actors.token;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The token registry's decisions as pure functions: what a name, role and time-to-live must look
 * like, and what a create, a revoke, a node registration and a use report yield for a given state
 * and time.
 */
public final class TokenRules {

  private TokenRules() {}

  /** A token's name; no {@code :}, so {@code node:<host>} names are reserved for nodes. */
  public static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{0,62}");

  /** The roles' wire names, weakest first (the same as {@code io.drover.http.auth.Role}). */
  public static final List<String> ROLES = List.of("viewer", "deployer", "admin");

  /** The role of node credentials: they fetch revisions from peers, nothing more. */
  public static final String NODE_ROLE = "viewer";

  /** What a node credential's caller is named. */
  public static final String NODE_PREFIX = "node:";

  public static final Duration MIN_TTL = Duration.ofMinutes(1);
  public static final Duration MAX_TTL = Duration.ofDays(366);
  public static final Duration DEFAULT_TTL = Duration.ofDays(90);

  /** A token's last use is persisted when it advanced by at least this much. */
  public static final Duration LAST_USED_GRANULARITY = Duration.ofMinutes(1);

  private static final Pattern TTL = Pattern.compile("([0-9]{1,9})([smhd])");

  public static String nodeName(String host) {
    return NODE_PREFIX + host;
  }

  /**
   * The time-to-live {@code text} names ({@code 30d}, {@code 12h}, {@code 90m}, {@code 600s}),
   * {@link #DEFAULT_TTL} when null; empty when it is not one.
   */
  public static Optional<Duration> parseTtl(String text) {
    if (text == null) {
      return Optional.of(DEFAULT_TTL);
    }
    Matcher m = TTL.matcher(text.trim());
    if (!m.matches()) {
      return Optional.empty();
    }
    long n = Long.parseLong(m.group(1));
    return Optional.of(
        switch (m.group(2)) {
          case "s" -> Duration.ofSeconds(n);
          case "m" -> Duration.ofMinutes(n);
          case "h" -> Duration.ofHours(n);
          default -> Duration.ofDays(n);
        });
  }

  /** Every problem of a create request, each saying what to fix; empty when it is good. */
  public static List<String> problems(String name, String role, String ttl) {
    List<String> problems = nameAndRoleProblems(name, role);
    Optional<Duration> d = parseTtl(ttl);
    if (d.isEmpty()) {
      problems.add(
          "ttl '"
              + ttl
              + "' is not a duration: write a number and a unit, e.g. 30d, 12h, 90m (default 90d)");
    } else if (d.get().compareTo(MIN_TTL) < 0 || d.get().compareTo(MAX_TTL) > 0) {
      problems.add("ttl '" + ttl + "' is out of bounds: between 1m and 366d");
    }
    return problems;
  }

  private static List<String> nameAndRoleProblems(String name, String role) {
    List<String> problems = new ArrayList<>();
    if (name == null || name.isEmpty()) {
      problems.add("name is missing: give the token a name like 'ci-deployer'");
    } else if (!NAME.matcher(name).matches()) {
      problems.add(
          "name '"
              + name
              + "' is not allowed: use 1 to 63 characters a-z, 0-9, '.' and '-', starting with a"
              + " letter or digit");
    }
    if (role == null || role.isEmpty()) {
      problems.add("role is missing: one of " + String.join(", ", ROLES));
    } else if (!ROLES.contains(role)) {
      problems.add("role '" + role + "' is not one of " + String.join(", ", ROLES));
    }
    return problems;
  }

  /** What a command yields: events to persist, or a refusal. */
  public sealed interface Decision {}

  /** Persist {@code event}. */
  public record Accept(TokenEvent event) implements Decision {}

  /** Nothing changes: the request is invalid or conflicts, or the name is unknown. */
  public record Refuse(Why why, String message) implements Decision {}

  public enum Why {
    INVALID,
    CONFLICT,
    NOT_FOUND
  }

  /**
   * Creating token {@code name}: refused when invalid, or when a token that neither is revoked nor
   * has expired has the name (an expired one is replaced).
   */
  public static Decision create(
      TokenState s,
      String name,
      String role,
      String hash,
      Duration ttl,
      String createdBy,
      long now) {
    List<String> problems = nameAndRoleProblems(name, role);
    if (ttl == null || ttl.compareTo(MIN_TTL) < 0 || ttl.compareTo(MAX_TTL) > 0) {
      problems.add("ttl is out of bounds: between 1m and 366d");
    }
    if (hash == null || !hash.matches("[0-9a-f]{64}")) {
      problems.add("hash must be a sha256 in lowercase hex");
    }
    if (!problems.isEmpty()) {
      return new Refuse(Why.INVALID, String.join("; ", problems));
    }
    TokenState.Token existing = s.tokens().get(name);
    if (existing != null && !existing.expiredAt(now)) {
      return new Refuse(
          Why.CONFLICT,
          "a token named '"
              + name
              + "' exists (expires "
              + java.time.Instant.ofEpochMilli(existing.expires())
              + "): choose another name or DELETE /api/v1/tokens/"
              + name
              + " first");
    }
    if (hashKnown(s, hash)) {
      return new Refuse(Why.CONFLICT, "this secret is already in use: generate a new one");
    }
    return new Accept(
        new TokenEvent.TokenCreated(
            name, role, hash, now, Math.addExact(now, ttl.toMillis()), createdBy));
  }

  /** Revoking token {@code name}: unknown names (node credentials included) are NOT_FOUND. */
  public static Decision revoke(TokenState s, String name, String by, long now) {
    if (name == null || !s.tokens().containsKey(name)) {
      return new Refuse(
          Why.NOT_FOUND,
          "no token named '"
              + name
              + "'"
              + (name != null && name.startsWith(NODE_PREFIX)
                  ? ": node credentials are replaced by restarting their node"
                  : ": GET /api/v1/tokens lists them"));
    }
    return new Accept(new TokenEvent.TokenRevoked(name, by, now));
  }

  /**
   * Registering the credential of {@code host}: it replaces the host's previous one; registering
   * the same hash again changes nothing (empty).
   */
  public static Optional<TokenEvent> registerNode(
      TokenState s, String host, String hash, long now) {
    TokenState.NodeCredential current = s.nodes().get(host);
    if (current != null && current.hash().equals(hash)) {
      return Optional.empty();
    }
    return Optional.of(new TokenEvent.NodeCredentialRegistered(host, hash, now));
  }

  /**
   * The uses worth persisting from a cache's report: of tokens that exist, those that advanced by
   * at least {@link #LAST_USED_GRANULARITY}; empty when none did.
   */
  public static Map<String, Long> used(TokenState s, Map<String, Long> reported) {
    Map<String, Long> out = new TreeMap<>();
    long step = LAST_USED_GRANULARITY.toMillis();
    reported.forEach(
        (name, at) -> {
          TokenState.Token t = s.tokens().get(name);
          if (t != null && at != null && (t.lastUsed() == null || at >= t.lastUsed() + step)) {
            out.put(name, at);
          }
        });
    return out;
  }

  private static boolean hashKnown(TokenState s, String hash) {
    return s.tokens().values().stream().anyMatch(t -> t.hash().equals(hash))
        || s.nodes().values().stream().anyMatch(n -> n.hash().equals(hash));
  }
}
