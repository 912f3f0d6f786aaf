package io.drover.http.auth;

import java.util.Optional;

/**
 * Checks a bearer token. Called on every request: a local, non-blocking, O(1) lookup (a hash of the
 * token in a map), never a round trip to another node.
 */
@FunctionalInterface
public interface Credentials {

  /** The caller {@code token} belongs to; empty when it is unknown, expired or revoked. */
  Optional<Caller> verify(String token);

  /** Tries {@code this}, then {@code other}. */
  default Credentials or(Credentials other) {
    return token -> verify(token).or(() -> other.verify(token));
  }
}
