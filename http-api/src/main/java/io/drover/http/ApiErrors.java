package io.drover.http;

import io.drover.actors.revision.RevisionRejected;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.Directives;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.pattern.AskTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that maps failures to HTTP: bad input 400, too large 413, unknown 404, conflict
 * 409, no answer in time 503; always {@code application/problem+json}.
 */
public final class ApiErrors {

  private static final Logger log = LoggerFactory.getLogger(ApiErrors.class);

  private ApiErrors() {}

  /** Failures of the futures behind a route. */
  public static ExceptionHandler exceptions(Duration askTimeout) {
    return ExceptionHandler.newBuilder()
        .match(Throwable.class, t -> Directives.complete(toResponse(unwrap(t), askTimeout)))
        .build();
  }

  static HttpResponse toResponse(Throwable t, Duration askTimeout) {
    if (t instanceof Json.BadBody) {
      return Problem.response(StatusCodes.BAD_REQUEST, t.getMessage());
    }
    if (t instanceof RevisionRejected r) {
      return Problem.response(
          r.reason() == RevisionRejected.Reason.TOO_LARGE
              ? StatusCodes.PAYLOAD_TOO_LARGE
              : StatusCodes.BAD_REQUEST,
          r.getMessage());
    }
    if (t instanceof AskTimeoutException || t instanceof TimeoutException) {
      return Problem.response(
          StatusCodes.SERVICE_UNAVAILABLE,
          "the cluster did not answer within "
              + askTimeout.toMillis()
              + " ms; try again (GET /api/v1/health shows whether the node is up)");
    }
    log.error("request failed: {}", t.toString(), t);
    return Problem.response(
        StatusCodes.INTERNAL_SERVER_ERROR, "internal error: " + t + " (see the node's log)");
  }

  static Throwable unwrap(Throwable t) {
    Throwable cur = t;
    while ((cur instanceof CompletionException || cur instanceof ExecutionException)
        && cur.getCause() != null) {
      cur = cur.getCause();
    }
    return cur;
  }

  /** Pekko's rejections (unknown path, wrong method, ...) with their text as problem+json. */
  public static RejectionHandler rejections() {
    return RejectionHandler.defaultHandler()
        .mapRejectionResponse(
            resp -> {
              if (resp.entity().getContentType().equals(Problem.PROBLEM_JSON)) {
                return resp;
              }
              String text =
                  resp.entity() instanceof HttpEntity.Strict strict
                      ? strict.getData().decodeString(StandardCharsets.UTF_8)
                      : resp.status().reason();
              return Problem.response(resp.status(), text.trim()).addHeaders(resp.getHeaders());
            });
  }
}
