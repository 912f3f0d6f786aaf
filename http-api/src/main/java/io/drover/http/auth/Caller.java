package io.drover.http.auth;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.AttributeKey;
import org.apache.pekko.http.javadsl.model.HttpRequest;

/**
 * Who sent a request: the token's name and role. The authentication directive puts it on the
 * request as an attribute under {@link #KEY}; routes read it with {@link #of} (to record who
 * started a deploy, say).
 *
 * @param name the token's name ({@code admin} for the bootstrap token, {@code node:<host>} for a
 *     node's own credential)
 */
public record Caller(String name, Role role) {

  public static final AttributeKey<Caller> KEY = AttributeKey.create("drover-caller", Caller.class);

  /** The caller of an authenticated request; empty on routes outside authentication (health). */
  public static Optional<Caller> of(HttpRequest request) {
    return request.getAttribute(KEY);
  }
}
