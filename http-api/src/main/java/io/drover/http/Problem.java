package io.drover.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import java.util.List;
import org.apache.pekko.http.javadsl.model.ContentType;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpCharsets;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;

/**
 * An error as {@code application/problem+json} (RFC 9457): {@code detail} says what to fix, {@code
 * errors} lists every problem when there are several.
 */
@JsonInclude(JsonInclude.Include.NON_EMPTY)
public record Problem(String type, String title, int status, String detail, List<String> errors) {

  public static final ContentType PROBLEM_JSON =
      ContentTypes.create(
          MediaTypes.applicationWithFixedCharset("problem+json", HttpCharsets.UTF_8));

  public static HttpResponse response(StatusCode status, String detail) {
    return response(status, detail, List.of());
  }

  public static HttpResponse response(StatusCode status, String detail, List<String> errors) {
    Problem p = new Problem("about:blank", status.reason(), status.intValue(), detail, errors);
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(PROBLEM_JSON, Json.bytes(p)));
  }

  /** 400 with every problem of a request: the one problem as detail, or a count and all. */
  public static HttpResponse invalid(List<String> problems) {
    String detail =
        problems.size() == 1
            ? problems.get(0)
            : problems.size() + " problems: " + String.join("; ", problems);
    return response(org.apache.pekko.http.javadsl.model.StatusCodes.BAD_REQUEST, detail, problems);
  }
}
