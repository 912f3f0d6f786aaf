package io.drover.http;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.drover.actors.audit.AuditRecord;

/** The JSON of {@code GET /api/v1/audit}; HTTP types, not the journal's. */
final class AuditJson {

  private AuditJson() {}

  /**
   * One recorded request.
   *
   * @param time ISO-8601, UTC
   * @param outcome {@code ok}, {@code refused} or {@code failed}
   * @param reason the request's reason; null when none was given
   */
  @JsonPropertyOrder({
    "time", "caller", "role", "method", "path", "target", "outcome", "status", "reason", "node"
  })
  record Entry(
      String time,
      String caller,
      String role,
      String method,
      String path,
      String target,
      String outcome,
      int status,
      String reason,
      String node) {

    static Entry of(AuditRecord r) {
      return new Entry(
          r.time().toString(),
          r.caller(),
          r.role(),
          r.method(),
          r.path(),
          r.target(),
          r.outcome(),
          r.status(),
          r.reason(),
          r.node());
    }
  }
}
