package io.drover.http;

import io.drover.actors.token.TokenRegistry;
import java.time.Instant;

/**
 * The JSON of {@code /api/v1/tokens}: the body of a POST and what the API answers. HTTP types, not
 * the registry's journal types; the mapping is here. The secret appears only in {@link Created}.
 */
final class TokenJson {

  private TokenJson() {}

  /**
   * The body of {@code POST /tokens}.
   *
   * @param ttl how long the token works, e.g. {@code 30d}, {@code 12h}, {@code 90m}; 90d if absent
   */
  record CreateRequest(String name, String role, String ttl) {}

  /** The answer to a create: the secret {@code token}, shown this once. */
  record Created(String name, String role, String token, String expires) {}

  /**
   * One token (or node credential, named {@code node:<host>}) as listed.
   *
   * @param expires null for a node credential (replaced when its node restarts)
   * @param lastUsed approximate (reported by the nodes in batches); null when never seen
   */
  record Token(
      String name, String role, String created, String expires, String lastUsed, String createdBy) {

    static Token of(TokenRegistry.TokenView v) {
      return new Token(
          v.name(), v.role(), iso(v.created()), iso(v.expires()), iso(v.lastUsed()), v.createdBy());
    }
  }

  static String iso(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }
}
