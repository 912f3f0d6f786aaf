package io.drover.http.auth;

import io.drover.http.Problem;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.HttpChallenge;
import org.apache.pekko.http.javadsl.model.headers.WWWAuthenticate;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * The two directives around the API: {@link #authenticated} finds who sent a request from its
 * {@code Authorization: Bearer <token>} header (401 when it cannot), {@link #authorized} checks
 * that the caller's role is enough for it ({@link Access}; 403 when it is not). Both answer before
 * any route runs, so a refused request changes nothing. Public requests ({@code GET
 * /api/v1/health}) are not handled here: they are rejected, for a route outside to serve.
 */
public final class Authentication extends AllDirectives {

  /** Longer headers are refused without hashing them. */
  static final int MAX_TOKEN_CHARS = 1024;

  private static final String SCHEME = "bearer ";

  private final Credentials credentials;

  /** 401s are logged (at most once a minute per address), not audited. */
  private final io.drover.http.RefusalLog refusals = new io.drover.http.RefusalLog();

  public Authentication(Credentials credentials) {
    this.credentials = credentials;
  }

  private Route refuse(HttpRequest request, String why, String detail) {
    String address =
        request
            .getAttribute(org.apache.pekko.http.javadsl.model.AttributeKeys.remoteAddress)
            .flatMap(a -> a.getAddress().map(java.net.InetAddress::getHostAddress))
            .orElse("unknown address");
    refusals.unauthenticated(address, request.method().name(), request.getUri().path(), why);
    return complete(unauthorized(detail));
  }

  /**
   * Serves {@code inner} with the request's caller, put on the request as {@link Caller#KEY}; 401
   * when the token is missing, malformed or unknown.
   */
  public Route authenticated(Function<Caller, Route> inner) {
    return extractRequest(
        request -> {
          if (Access.required(request.method().name(), segments(request)).isEmpty()) {
            return reject();
          }
          Optional<String> header = request.getHeader("Authorization").map(h -> h.value().trim());
          if (header.isEmpty()) {
            return refuse(
                request,
                "no token",
                "this request needs a token: send Authorization: Bearer <token> (the admin"
                    + " token is in DROVER_ADMIN_TOKEN or <data-dir>/admin.token)");
          }
          Optional<String> token = bearer(header.get());
          if (token.isEmpty()) {
            return refuse(
                request,
                "malformed Authorization header",
                "the Authorization header must be 'Bearer <token>' with a token of at most "
                    + MAX_TOKEN_CHARS
                    + " characters");
          }
          Optional<Caller> caller = credentials.verify(token.get());
          if (caller.isEmpty()) {
            return refuse(
                request,
                "unknown token",
                "unknown token: it is wrong, expired or revoked; ask an admin");
          }
          Caller c = caller.get();
          return mapRequest(r -> r.addAttribute(Caller.KEY, c), () -> inner.apply(c));
        });
  }

  /** Serves {@code inner} when {@code caller}'s role is enough for the request; else 403. */
  public Route authorized(Caller caller, Supplier<Route> inner) {
    return extractRequest(
        request -> {
          if (Access.allows(caller, request.method().name(), segments(request))) {
            return inner.get();
          }
          if (caller.name().startsWith(Access.NODE_PREFIX)) {
            return complete(
                Problem.response(
                    StatusCodes.FORBIDDEN,
                    "token '"
                        + caller.name()
                        + "' is a node credential: it may only transfer revisions between nodes"));
          }
          Role needed =
              Access.required(request.method().name(), segments(request)).orElse(Role.VIEWER);
          return complete(
              Problem.response(
                  StatusCodes.FORBIDDEN,
                  request.method().name()
                      + " "
                      + request.getUri().path()
                      + " needs role "
                      + needed.wire()
                      + "; token '"
                      + caller.name()
                      + "' has role "
                      + caller.role().wire()));
        });
  }

  /** The token of a {@code Bearer} header value, if it is one (the scheme is case-insensitive). */
  static Optional<String> bearer(String value) {
    if (value.length() <= SCHEME.length()
        || !value.substring(0, SCHEME.length()).toLowerCase(Locale.ROOT).equals(SCHEME)) {
      return Optional.empty();
    }
    String token = value.substring(SCHEME.length()).trim();
    if (token.isEmpty() || token.length() > MAX_TOKEN_CHARS || token.contains(" ")) {
      return Optional.empty();
    }
    return Optional.of(token);
  }

  static HttpResponse unauthorized(String detail) {
    return Problem.response(StatusCodes.UNAUTHORIZED, detail)
        .addHeader(WWWAuthenticate.create(HttpChallenge.create("Bearer", "drover")));
  }

  private static List<String> segments(HttpRequest request) {
    List<String> out = new ArrayList<>();
    request.getUri().pathSegments().forEach(out::add);
    return out;
  }
}
