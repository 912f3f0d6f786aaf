package io.drover.http;

import io.drover.actors.audit.AuditDay;
import io.drover.actors.audit.AuditLog;
import io.drover.actors.audit.AuditRecord;
import io.drover.http.auth.Caller;
import java.time.Duration;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Complete;
import org.apache.pekko.http.javadsl.server.ExceptionHandler;
import org.apache.pekko.http.javadsl.server.RejectionHandler;
import org.apache.pekko.http.javadsl.server.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The audit directive: every mutating request (POST, PUT, PATCH, DELETE) of a known caller is
 * recorded in the {@link AuditLog} with the status it was answered with; GETs are not recorded.
 *
 * <p>The inner route runs first (its rejections and failures become responses here, with the API's
 * own handlers, so the record has the status the client gets). The record is then written before
 * the response is sent, waiting at most {@code drover.audit.write-timeout}. If the write fails or
 * times out, the record is logged at ERROR in full and the response is sent anyway: the action has
 * happened, and refusing to answer would not undo it. Over the cap of a day the record is logged at
 * WARN.
 *
 * <p>Of the body only {@code reason} is read (see {@link AuditBodies}): only bodies of known length
 * up to 64 KiB that may be JSON are buffered; uploads are streamed to the route untouched. The
 * query parameter {@code reason} is used when the body gives none.
 */
public final class AuditTrail extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(AuditTrail.class);

  /** The methods that change something. */
  private static final Set<String> MUTATING = Set.of("POST", "PUT", "PATCH", "DELETE");

  /** How long a small body may take to arrive before the route sees it. */
  private static final Duration BODY_TIME = Duration.ofSeconds(10);

  private final AuditLog trail;
  private final String node;
  private final ExceptionHandler exceptions;
  private final RejectionHandler rejections;

  /**
   * @param node the host name recorded as serving the requests
   * @param exceptions the API's failure mapping ({@link ApiErrors#exceptions})
   * @param rejections the API's rejection mapping ({@link ApiErrors#rejections})
   */
  public AuditTrail(
      AuditLog trail, String node, ExceptionHandler exceptions, RejectionHandler rejections) {
    this.trail = trail;
    this.node = node;
    this.exceptions = exceptions;
    this.rejections = rejections;
  }

  /** Whether requests with {@code method} are recorded. */
  static boolean mutating(String method) {
    return MUTATING.contains(method);
  }

  /** Records {@code inner}'s mutating requests as {@code caller}'s. */
  public Route audited(Caller caller, Supplier<Route> inner) {
    return extractRequest(
        request -> {
          if (!mutating(request.method().name())) {
            return inner.get();
          }
          HttpEntity entity = request.entity();
          if (AuditBodies.worthReading(
              entity.getContentType().mediaType(), entity.getContentLengthOption())) {
            return toStrictEntity(
                BODY_TIME,
                AuditBodies.MAX_BYTES,
                () ->
                    extractRequest(
                        strict ->
                            recorded(
                                caller,
                                strict,
                                AuditBodies.read(strictBytes(strict.entity())),
                                inner)));
          }
          return recorded(caller, request, AuditBodies.Fields.NONE, inner);
        });
  }

  /**
   * As {@link #audited} for requests that carry a {@link Caller} (put there by authentication);
   * requests without one pass through unrecorded.
   */
  public Route ifCaller(Supplier<Route> inner) {
    return extractRequest(
        request -> Caller.of(request).map(c -> audited(c, inner)).orElseGet(inner));
  }

  private static byte[] strictBytes(HttpEntity entity) {
    return entity instanceof HttpEntity.Strict s ? s.getData().toArray() : new byte[0];
  }

  private Route recorded(
      Caller caller, HttpRequest request, AuditBodies.Fields body, Supplier<Route> inner) {
    String path = request.getUri().path();
    String reason = AuditBodies.reason(body, request.getUri().query().get("reason"));
    return mapRouteResultFuture(
        result ->
            result
                .handle(
                    (r, failure) -> {
                      int status =
                          r instanceof Complete c ? c.getResponse().status().intValue() : 500;
                      String created =
                          r instanceof Complete c && AuditTargets.namesNoInstance(path)
                              ? createdName(c.getResponse())
                              : null;
                      String target =
                          AuditTargets.of(path, created != null ? created : body.name());
                      AuditRecord record =
                          AuditRecord.of(
                              trail.now(),
                              caller.name(),
                              caller.role().wire(),
                              request.method().name(),
                              path,
                              target,
                              status,
                              reason,
                              node);
                      return write(record);
                    })
                .thenCompose(written -> written)
                .thenCompose(done -> result),
        () -> handleExceptions(exceptions, () -> handleRejections(rejections, inner)));
  }

  /**
   * What a POST to a collection created, from a successful response's {@code id} or {@code name}
   * ({@code POST /deploys} answers the new deploy): read only from small JSON bodies already in
   * memory, like request bodies (a {@code token} in the answer is skipped unread).
   */
  private static String createdName(HttpResponse response) {
    if (response.status().intValue() >= 300
        || !(response.entity() instanceof HttpEntity.Strict strict)
        || !AuditBodies.worthReading(
            strict.getContentType().mediaType(), OptionalLong.of(strict.getData().size()))) {
      return null;
    }
    return AuditBodies.read(strict.getData().toArray()).name();
  }

  /** Writes the record; never fails (a failure is logged with the whole record). */
  private CompletionStage<Void> write(AuditRecord record) {
    CompletionStage<AuditDay.Appended> appended;
    try {
      appended = trail.append(record);
    } catch (RuntimeException e) {
      appended = CompletableFuture.failedFuture(e);
    }
    return appended.handle(
        (a, failure) -> {
          if (failure != null) {
            log.error(
                "audit record NOT written ({}); the request was served: {}",
                failure.toString(),
                record);
          } else if (a == AuditDay.Appended.FULL) {
            log.warn("audit record not kept (the day's trail is full): {}", record);
          }
          return null;
        });
  }
}
