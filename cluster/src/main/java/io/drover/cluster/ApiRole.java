package io.drover.cluster;

import java.net.URI;
import java.util.Optional;

/**
 * The cluster role through which a node advertises its HTTP API: {@code drover-api:HOST:PORT} for
 * plain HTTP (as before), {@code drover-api:https://HOST:PORT} for HTTPS.
 */
public final class ApiRole {

  private ApiRole() {}

  /** The role for an API at {@code hostPort}. */
  public static String of(boolean https, String hostPort) {
    return RevisionFetcher.API_ROLE_PREFIX + (https ? "https://" : "") + hostPort;
  }

  /** The API base URI a role advertises; empty for other roles. */
  public static Optional<URI> uri(String role) {
    if (!role.startsWith(RevisionFetcher.API_ROLE_PREFIX)) {
      return Optional.empty();
    }
    String rest = role.substring(RevisionFetcher.API_ROLE_PREFIX.length());
    try {
      return Optional.of(URI.create(rest.contains("://") ? rest : "http://" + rest));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }
}
