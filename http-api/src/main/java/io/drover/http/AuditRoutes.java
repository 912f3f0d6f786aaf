package io.drover.http;

import io.drover.actors.audit.AuditLog;
import io.drover.actors.audit.AuditPaging;
import io.drover.actors.audit.AuditRecord;
import java.time.Instant;
import java.util.Optional;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/audit}: the recorded mutating requests, newest first. {@code ?since=} (an
 * ISO-8601 instant or a duration ago like {@code 1h}, {@code 7d}; at most the retention), {@code
 * ?limit=} (1..1000, default 100), {@code ?target=} ({@code site hello}, or a kind: {@code site}).
 */
final class AuditRoutes extends AllDirectives {

  static final int DEFAULT_LIMIT = 100;
  static final int MAX_LIMIT = 1000;

  private final AuditLog trail;
  private final Asks asks;

  AuditRoutes(AuditLog trail, Asks asks) {
    this.trail = trail;
    this.asks = asks;
  }

  Route route() {
    return path(
        "audit",
        () ->
            get(
                () ->
                    parameterOptional(
                        "since",
                        since ->
                            parameterOptional(
                                "limit",
                                limit ->
                                    parameterOptional(
                                        "target", target -> list(since, limit, target))))));
  }

  private Route list(Optional<String> sinceText, Optional<String> limitText, Optional<String> t) {
    Params.Bounded limit = Params.bounded("limit", limitText, DEFAULT_LIMIT, 1, MAX_LIMIT);
    if (limit.problem() != null) {
      return complete(limit.problem());
    }
    Instant now = trail.now();
    AuditPaging.Since since = AuditPaging.since(sinceText, now, trail.settings().retention());
    if (since.problem() != null) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, since.problem()));
    }
    String target = t.map(String::trim).filter(s -> !s.isEmpty()).orElse(null);
    if (target != null && target.length() > AuditRecord.MAX_NAME) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "target is longer than "
                  + AuditRecord.MAX_NAME
                  + " characters: send a target like 'site hello' or a kind like 'site'"));
    }
    return completeWithFuture(
        trail
            .read(new AuditLog.Query(since.since(), limit.value(), target), asks.timeout())
            .thenApply(
                records ->
                    Json.response(
                        StatusCodes.OK, records.stream().map(AuditJson.Entry::of).toList())));
  }
}
