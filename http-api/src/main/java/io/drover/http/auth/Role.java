package io.drover.http.auth;

import java.util.Locale;
import java.util.Optional;

/**
 * What a token may do: {@code viewer} reads; {@code deployer} also uploads revisions, drives
 * deploys, scales sites and triggers cronjobs; {@code admin} does everything.
 */
public enum Role {
  VIEWER,
  DEPLOYER,
  ADMIN;

  /** Whether this role may do what {@code needed} may do. */
  public boolean allows(Role needed) {
    return compareTo(needed) >= 0;
  }

  /** The name on the wire: {@code viewer}, {@code deployer}, {@code admin}. */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The role named {@code s} on the wire, if it is one. */
  public static Optional<Role> parse(String s) {
    if (s == null) {
      return Optional.empty();
    }
    for (Role r : values()) {
      if (r.wire().equals(s)) {
        return Optional.of(r);
      }
    }
    return Optional.empty();
  }
}
