package io.drover.http;

import io.drover.http.auth.Caller;
import java.util.List;
import org.apache.pekko.http.javadsl.model.HttpHeader;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.Uri;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The web dashboard: its static files under {@code /ui/} (from the classpath folder {@code ui},
 * served without a token: the page asks for the token and sends it with every API call), and {@code
 * GET /api/v1/whoami}, which tells the page who the token belongs to.
 */
final class DashboardRoutes extends AllDirectives {

  /** The classpath folder of the dashboard's files. */
  static final String RESOURCES = "ui";

  /**
   * Sent with every dashboard file: revalidate each time (a new node version serves new files at
   * the same names), scripts and styles only from this origin (no inline script), no framing, no
   * content sniffing, no referrer.
   */
  static final List<HttpHeader> HEADERS =
      List.of(
          RawHeader.create("Cache-Control", "no-cache"),
          RawHeader.create("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'"),
          RawHeader.create("X-Content-Type-Options", "nosniff"),
          RawHeader.create("Referrer-Policy", "no-referrer"));

  /** What {@code GET /api/v1/whoami} answers: the caller's token name and role. */
  record WhoAmI(String name, String role) {}

  /**
   * {@code /ui} redirects to {@code /ui/}, which is {@code index.html}; {@code /ui/<file>} is that
   * file (404 problem when there is none); anything but GET/HEAD under {@code /ui/} is 405.
   */
  Route ui() {
    return pathPrefix(
        "ui",
        () ->
            concat(
                pathEnd(
                    () -> get(() -> redirect(Uri.create("/ui/"), StatusCodes.MOVED_PERMANENTLY))),
                extractUnmatchedPath(
                    rest ->
                        rest.startsWith("/")
                            ? respondWithHeaders(HEADERS, () -> files())
                            : reject())));
  }

  private Route files() {
    return concat(
        get(
            () ->
                concat(
                    pathSingleSlash(() -> getFromResource(RESOURCES + "/index.html")),
                    getFromResourceDirectory(RESOURCES),
                    complete(
                        Problem.response(
                            StatusCodes.NOT_FOUND,
                            "no such dashboard file: the dashboard is at /ui/")))),
        complete(
            Problem.response(
                StatusCodes.METHOD_NOT_ALLOWED, "the dashboard's files are read with GET")));
  }

  /** {@code GET /api/v1/whoami}: the caller's name and role (inside authentication). */
  Route whoami() {
    return path(
        "whoami",
        () ->
            get(
                () ->
                    extractRequest(
                        request ->
                            Caller.of(request)
                                .map(
                                    c ->
                                        complete(
                                            Json.response(
                                                StatusCodes.OK,
                                                new WhoAmI(c.name(), c.role().wire()))))
                                .orElseGet(
                                    () ->
                                        complete(
                                            Problem.response(
                                                StatusCodes.UNAUTHORIZED,
                                                "send Authorization: Bearer <token>"))))));
  }
}
