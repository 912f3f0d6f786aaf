package io.drover.http;

import org.apache.pekko.event.LoggingAdapter;
import org.apache.pekko.http.ParsingErrorHandler;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCode;
import org.apache.pekko.http.scaladsl.settings.ServerSettings;

/**
 * Answers requests too malformed to reach a route (an illegal or too long request target, an
 * unknown method, a bad header) as problem+json like every other error, instead of Pekko's plain
 * text. Pekko instantiates it by name ({@code parsing.error-handler}), see {@link HttpServer}.
 */
public final class ParsingErrors extends ParsingErrorHandler {

  @Override
  public HttpResponse handle(
      StatusCode status, ErrorInfo info, LoggingAdapter log, ServerSettings settings) {
    String detail = info.detail().isEmpty() ? info.summary() : info.formatPretty();
    log.warning("Illegal request, answered {}: {}", status.intValue(), detail);
    return Problem.response(status, detail);
  }
}
