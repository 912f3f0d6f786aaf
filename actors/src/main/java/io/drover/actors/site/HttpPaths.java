package io.drover.actors.site;

import java.net.URI;
import java.net.URISyntaxException;

/** The rules for an HTTP health check path; a pure function. */
final class HttpPaths {

  private HttpPaths() {}

  /**
   * Why {@code path} cannot be fetched as {@code http://127.0.0.1:PORT<path>}, as a phrase that
   * follows the field name; null when it can: it starts with one '/', is at most {@code maxLength}
   * characters, and is a valid URI path with an optional query (spaces and other reserved
   * characters percent-encoded), without a fragment.
   */
  static String problem(String path, int maxLength) {
    String shown = path.length() > 80 ? path.substring(0, 80) + "…" : path;
    if (path.length() > maxLength) {
      return "is "
          + path.length()
          + " characters long; use a path of at most "
          + maxLength
          + " characters";
    }
    if (!path.startsWith("/") || path.startsWith("//")) {
      return "'" + shown + "' must be a path starting with a single '/', e.g. /healthz";
    }
    URI uri;
    try {
      uri = new URI("http://127.0.0.1:1" + path);
    } catch (URISyntaxException e) {
      return "'"
          + shown
          + "' is not a valid URI path: percent-encode spaces and special characters ("
          + e.getReason()
          + " at index "
          + Math.max(0, e.getIndex() - "http://127.0.0.1:1".length())
          + ")";
    }
    if (uri.getRawFragment() != null) {
      return "'" + shown + "' has a fragment ('#...'); remove it";
    }
    if (!"127.0.0.1".equals(uri.getHost()) || uri.getPort() != 1) {
      return "'" + shown + "' must be a path, not an address";
    }
    return null;
  }
}
