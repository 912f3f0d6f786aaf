package io.drover.actors.audit;

import io.drover.persistence.CborSerializable;
import java.time.Instant;

/**
 * One mutating request as the audit trail keeps it. It never holds a request body: of the body only
 * the {@code reason} is kept.
 *
 * @param time when the response was ready (the node's clock)
 * @param caller the token's name
 * @param role the token's role on the wire ({@code viewer}, {@code deployer}, {@code admin})
 * @param method the HTTP method
 * @param path the request path, without the query (at most {@link #MAX_PATH} characters)
 * @param target what the request acts on, e.g. {@code site hello}, {@code deploy d-1}, {@code
 *     cluster}
 * @param status the HTTP status of the response
 * @param outcome {@code ok} (below 400), {@code refused} (4xx) or {@code failed} (5xx)
 * @param reason the request's {@code reason} (body field or query parameter), at most {@link
 *     #MAX_REASON} characters; {@code null} when none was given
 * @param node the host whose node served the request
 */
public record AuditRecord(
    Instant time,
    String caller,
    String role,
    String method,
    String path,
    String target,
    int status,
    String outcome,
    String reason,
    String node)
    implements CborSerializable {

  /** Longer reasons are cut (the deploy API refuses longer ones anyway). */
  public static final int MAX_REASON = 1000;

  /** Longer paths are cut. */
  public static final int MAX_PATH = 512;

  /** Longer caller names, targets and node names are cut. */
  public static final int MAX_NAME = 200;

  /** A record with every text cut to its bound and the outcome derived from the status. */
  public static AuditRecord of(
      Instant time,
      String caller,
      String role,
      String method,
      String path,
      String target,
      int status,
      String reason,
      String node) {
    return new AuditRecord(
        time,
        cut(caller, MAX_NAME),
        cut(role, MAX_NAME),
        cut(method, MAX_NAME),
        cut(path, MAX_PATH),
        cut(target, MAX_NAME),
        status,
        outcome(status),
        cut(reason, MAX_REASON),
        cut(node, MAX_NAME));
  }

  /** {@code ok} below 400, {@code refused} for 4xx, {@code failed} for 5xx and above. */
  public static String outcome(int status) {
    return status < 400 ? "ok" : status < 500 ? "refused" : "failed";
  }

  /** Roughly how many bytes the record takes on the wire (for page sizes). */
  int weight() {
    return 64
        + len(caller)
        + len(role)
        + len(method)
        + len(path)
        + len(target)
        + len(reason)
        + len(node);
  }

  private static int len(String s) {
    return s == null ? 0 : s.length();
  }

  /** {@code s} cut to at most {@code max} characters; null stays null. */
  public static String cut(String s, int max) {
    if (s == null || s.length() <= max) {
      return s;
    }
    return s.substring(0, max);
  }
}
