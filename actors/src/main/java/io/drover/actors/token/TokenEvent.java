package io.drover.actors.token;

import io.drover.persistence.CborSerializable;
import java.util.Map;

/** What the token registry persists. Journal types: change them only compatibly. */
public sealed interface TokenEvent extends CborSerializable {

  /**
   * A token was created (its secret went to the caller once and is stored nowhere).
   *
   * @param role the role's wire name: {@code viewer}, {@code deployer} or {@code admin}
   * @param hash SHA-256 of the secret, lowercase hex
   * @param created when (epoch ms)
   * @param expires when it stops working (epoch ms)
   * @param createdBy the name of the caller that created it
   */
  record TokenCreated(
      String name, String role, String hash, long created, long expires, String createdBy)
      implements TokenEvent {}

  /** A token was revoked: it stops working on every node and its name is free again. */
  record TokenRevoked(String name, String by, long at) implements TokenEvent {}

  /**
   * A node registered its credential for revision transfers (caller {@code node:<host>}, role
   * viewer); it replaces the previous credential of that host.
   */
  record NodeCredentialRegistered(String host, String hash, long at) implements TokenEvent {}

  /**
   * Tokens were used (reported by the nodes' caches); only advances of at least {@link
   * TokenRules#LAST_USED_GRANULARITY} are persisted.
   *
   * @param at by token name, the last use (epoch ms)
   */
  record TokensUsed(Map<String, Long> at) implements TokenEvent {}
}
