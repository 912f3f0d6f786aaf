package io.drover.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.drover.actors.token.TokenRegistry;
import io.drover.actors.token.TokenRules;
import io.drover.http.TokenJson.CreateRequest;
import io.drover.http.auth.Caller;
import io.drover.http.auth.TokenHash;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code /api/v1/tokens}: create a token (its secret is generated here, answered once, and only its
 * hash goes to the registry), list tokens and node credentials (never a hash or secret), revoke a
 * token. Each write is one command to the token registry; 503 while it does not answer.
 */
final class TokensRoutes extends AllDirectives {

  /** Who a request is from when no authentication put a caller on it. */
  static final String ANONYMOUS = "anonymous";

  private final ActorRef<TokenRegistry.Command> registry;
  private final Asks asks;

  TokensRoutes(ActorRef<TokenRegistry.Command> registry, Asks asks) {
    this.registry = registry;
    this.asks = asks;
  }

  Route route() {
    return pathPrefix(
        "tokens",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            get(() -> ask(TokenRegistry.ListTokens::new, null)),
                            post(
                                () ->
                                    extractRequest(
                                        req ->
                                            entity(
                                                Unmarshaller.entityToString(),
                                                body -> create(by(req), body)))))),
                path(
                    segment(),
                    name ->
                        delete(
                            () ->
                                extractRequest(
                                    req ->
                                        ask(
                                            r -> new TokenRegistry.Revoke(name, by(req), r),
                                            null))))));
  }

  private static String by(HttpRequest req) {
    return Caller.of(req).map(Caller::name).orElse(ANONYMOUS);
  }

  private Route create(String by, String body) {
    CreateRequest req;
    try {
      req = Json.read(body, CreateRequest.class);
    } catch (Json.BadBody e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    List<String> problems = TokenRules.problems(req.name(), req.role(), req.ttl());
    if (!problems.isEmpty()) {
      return complete(Problem.invalid(problems));
    }
    Duration ttl = TokenRules.parseTtl(req.ttl()).orElseThrow();
    String secret = TokenHash.generate();
    return ask(
        r ->
            new TokenRegistry.Create(
                req.name(), req.role(), TokenHash.of(secret), ttl.toMillis(), by, r),
        secret);
  }

  /**
   * @param secret the generated token of a create, answered with its {@code Created}; else null
   */
  private Route ask(
      java.util.function.Function<ActorRef<TokenRegistry.Reply>, TokenRegistry.Command> command,
      String secret) {
    return completeWithFuture(
        asks.<TokenRegistry.Command, TokenRegistry.Reply>ask(registry, command)
            .thenApply(reply -> response(reply, secret)));
  }

  /** Every reply of the registry as HTTP: the one place its outcomes become status codes. */
  static HttpResponse response(TokenRegistry.Reply reply, String secret) {
    if (reply instanceof TokenRegistry.Created c) {
      return Json.response(
          StatusCodes.CREATED,
          new TokenJson.Created(
              c.token().name(), c.token().role(), secret, TokenJson.iso(c.token().expires())));
    }
    if (reply instanceof TokenRegistry.Listing l) {
      return Json.response(StatusCodes.OK, l.tokens().stream().map(TokenJson.Token::of).toList());
    }
    if (reply instanceof TokenRegistry.Revoked) {
      return HttpResponse.create().withStatus(StatusCodes.NO_CONTENT);
    }
    if (reply instanceof TokenRegistry.Refused r) {
      StatusCode status =
          switch (r.why()) {
            case INVALID -> StatusCodes.BAD_REQUEST;
            case CONFLICT -> StatusCodes.CONFLICT;
            case NOT_FOUND -> StatusCodes.NOT_FOUND;
          };
      return Problem.response(status, r.message());
    }
    return Problem.response(
        StatusCodes.INTERNAL_SERVER_ERROR, "unexpected answer of the token registry: " + reply);
  }
}
