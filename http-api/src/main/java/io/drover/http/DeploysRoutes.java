package io.drover.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.drover.actors.deploy.DeployDirectory;
import io.drover.actors.deploy.DeployEntity;
import io.drover.actors.deploy.DeploySpec;
import io.drover.actors.deploy.DeployStatus;
import io.drover.actors.site.SiteDirectory;
import io.drover.actors.site.SiteEntity;
import io.drover.http.DeployRequests.ActionRequest;
import io.drover.http.DeployRequests.DeployRequest;
import io.drover.http.auth.Caller;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code /api/v1/deploys}: start a deploy, list them (newest first; the queue), show one, abort,
 * pause, resume and revert it. Each write is one command to the deploy's entity.
 */
final class DeploysRoutes extends AllDirectives {

  /** Who asks when a request carries no caller (the routes served alone, in tests). */
  static final String CALLER = "api";

  /** A write on one deploy: its id, the request's reason, and who asks. */
  @FunctionalInterface
  private interface Action {
    Route run(String id, String reason, String by);
  }

  static final int DEFAULT_LIST = 100;
  static final int MAX_LIST = 1000;

  private final ClusterSharding sharding;
  private final ActorRef<DeployDirectory.Command> queue;
  private final ActorRef<SiteDirectory.Command> sites;
  private final Asks asks;
  private final SecureRandom random = new SecureRandom();

  DeploysRoutes(
      ClusterSharding sharding,
      ActorRef<DeployDirectory.Command> queue,
      ActorRef<SiteDirectory.Command> sites,
      Asks asks) {
    this.sharding = sharding;
    this.queue = queue;
    this.sites = sites;
    this.asks = asks;
  }

  Route route() {
    return pathPrefix(
        "deploys",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            post(
                                () ->
                                    caller(
                                        by ->
                                            entity(
                                                Unmarshaller.entityToString(),
                                                body -> start(body, by)))),
                            get(
                                () ->
                                    parameterOptional(
                                        "site",
                                        site ->
                                            parameterOptional(
                                                "state",
                                                state ->
                                                    parameterOptional(
                                                        "limit",
                                                        limit -> list(site, state, limit))))))),
                pathPrefix(
                    segment(),
                    id ->
                        concat(
                            pathEnd(() -> get(() -> show(id))),
                            path("abort", () -> post(() -> action(id, this::abort))),
                            path("pause", () -> post(() -> action(id, this::pause))),
                            path("resume", () -> post(() -> action(id, this::resume))),
                            path("revert", () -> post(() -> action(id, this::revert)))))));
  }

  private EntityRef<DeployEntity.Command> deploy(String id) {
    return sharding.entityRefFor(DeployEntity.ENTITY_TYPE_KEY, id);
  }

  /** Runs {@code then} with the name of the request's caller (its token's name). */
  private Route caller(java.util.function.Function<String, Route> then) {
    return extractRequest(
        request -> then.apply(Caller.of(request).map(Caller::name).orElse(CALLER)));
  }

  private Route start(String body, String by) {
    DeployRequest req;
    try {
      req = Json.read(body, DeployRequest.class);
    } catch (Json.BadBody e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    List<String> problems = DeployRequests.validate(req);
    if (!problems.isEmpty()) {
      return invalid(problems);
    }
    CompletionStage<Route> route =
        resolveSites(req)
            .thenCompose(
                chosen -> {
                  if (chosen.problem() != null) {
                    return CompletableFuture.completedFuture(
                        complete(Problem.response(chosen.status(), chosen.problem())));
                  }
                  DeploySpec spec =
                      DeployRequests.spec(
                          req, chosen.sites(), by, System.currentTimeMillis(), random);
                  return asks.<DeployEntity.Command, DeployEntity.Reply>ask(
                          deploy(spec.id()), r -> new DeployEntity.Create(spec, r))
                      .thenApply(this::reply);
                });
    return onSuccess(route, r -> r);
  }

  /** The sites named, each known to the site directory, or those whose labels match. */
  private record Chosen(List<String> sites, StatusCode status, String problem) {}

  private CompletionStage<Chosen> resolveSites(DeployRequest req) {
    return asks.<SiteDirectory.Command, SiteDirectory.Names>ask(sites, SiteDirectory.ListSites::new)
        .thenCompose(
            names -> {
              if (req.sites() != null && !req.sites().isEmpty()) {
                List<String> unknown =
                    req.sites().stream().filter(s -> !names.sites().contains(s)).toList();
                if (!unknown.isEmpty()) {
                  return CompletableFuture.completedFuture(
                      new Chosen(
                          null,
                          StatusCodes.NOT_FOUND,
                          "no site named "
                              + String.join(", ", unknown)
                              + " (GET /api/v1/sites lists them); nothing was deployed"));
                }
                return CompletableFuture.completedFuture(new Chosen(req.sites(), null, null));
              }
              return bySelector(names.sites(), req.selector());
            });
  }

  private CompletionStage<Chosen> bySelector(List<String> names, Map<String, String> selector) {
    List<CompletableFuture<SiteEntity.Reply>> gets = new ArrayList<>();
    for (String n : names) {
      gets.add(
          asks.<SiteEntity.Command, SiteEntity.Reply>ask(
                  sharding.entityRefFor(SiteEntity.ENTITY_TYPE_KEY, n), SiteEntity.Get::new)
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new))
        .thenApply(
            v -> {
              List<String> matched = new ArrayList<>();
              for (CompletableFuture<SiteEntity.Reply> g : gets) {
                SiteEntity.Reply r = g.join();
                if (r.site() == null) {
                  continue;
                }
                Map<String, String> labels = r.site().spec().labels();
                if (labels != null && labels.entrySet().containsAll(selector.entrySet())) {
                  matched.add(r.site().name());
                }
              }
              if (matched.isEmpty()) {
                return new Chosen(
                    null,
                    StatusCodes.NOT_FOUND,
                    "no site has the labels " + selector + "; nothing was deployed");
              }
              if (matched.size() > DeployRequests.MAX_SITES) {
                return new Chosen(
                    null,
                    StatusCodes.BAD_REQUEST,
                    matched.size()
                        + " sites match "
                        + selector
                        + ": deploy at most "
                        + DeployRequests.MAX_SITES);
              }
              return new Chosen(matched, null, null);
            });
  }

  private Route list(Optional<String> site, Optional<String> state, Optional<String> limitText) {
    Optional<DeployStatus> status = state.flatMap(DeployStatus::parse);
    if (state.isPresent() && status.isEmpty()) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "state '"
                  + state.get()
                  + "' is not a deploy state: use queued, running, paused, succeeded, failed,"
                  + " aborted or reverted"));
    }
    int limit;
    try {
      limit = limitText.map(Integer::parseInt).orElse(DEFAULT_LIST);
    } catch (NumberFormatException e) {
      limit = -1;
    }
    if (limit < 1 || limit > MAX_LIST) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST, "limit must be a whole number from 1 to " + MAX_LIST));
    }
    int max = limit;
    return onSuccess(
        asks.<DeployDirectory.Command, DeployDirectory.Listing>ask(
            queue,
            r -> new DeployDirectory.ListDeploys(site.orElse(null), status.orElse(null), max, r)),
        l -> json(StatusCodes.OK, l));
  }

  private Route show(String id) {
    if (!DeployRequests.ID.matcher(id).matches() && !id.endsWith("-revert")) {
      return complete(Problem.response(StatusCodes.NOT_FOUND, "deploy " + id + " does not exist"));
    }
    return onSuccess(
        asks.<DeployEntity.Command, DeployEntity.Reply>ask(deploy(id), DeployEntity.Get::new),
        this::reply);
  }

  /** Reads the optional {@code {"reason"}} body, then runs {@code then}. */
  private Route action(String id, Action then) {
    return caller(
        by ->
            entity(
                Unmarshaller.entityToString(),
                body -> {
                  String reason = null;
                  if (body != null && !body.isBlank()) {
                    try {
                      reason = Json.read(body, ActionRequest.class).reason();
                    } catch (Json.BadBody e) {
                      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
                    }
                    if (reason != null && reason.length() > DeployRequests.MAX_REASON) {
                      return complete(
                          Problem.response(
                              StatusCodes.BAD_REQUEST,
                              "reason is longer than "
                                  + DeployRequests.MAX_REASON
                                  + " characters"));
                    }
                  }
                  return then.run(id, reason, by);
                }));
  }

  private Route abort(String id, String reason, String by) {
    return ask(id, r -> new DeployEntity.Abort(by, reason, r));
  }

  private Route pause(String id, String reason, String by) {
    return ask(id, r -> new DeployEntity.Pause(by, reason, r));
  }

  private Route resume(String id, String reason, String by) {
    return ask(id, r -> new DeployEntity.Resume(by, r));
  }

  /** Starts the revert and answers 201 with the revert deploy. */
  private Route revert(String id, String reason, String by) {
    CompletionStage<Route> route =
        asks.<DeployEntity.Command, DeployEntity.Reply>ask(
                deploy(id), r -> new DeployEntity.Revert(by, reason, r))
            .thenCompose(
                reply -> {
                  if (reply.outcome() != DeployEntity.Outcome.OK) {
                    return CompletableFuture.completedFuture(reply(reply));
                  }
                  return asks.<DeployEntity.Command, DeployEntity.Reply>ask(
                          deploy(reply.message()), DeployEntity.Get::new)
                      .thenApply(
                          revert ->
                              revert.deploy() == null
                                  ? reply(revert)
                                  : json(StatusCodes.CREATED, revert.deploy()));
                });
    return onSuccess(route, r -> r);
  }

  private Route ask(
      String id, Function<ActorRef<DeployEntity.Reply>, DeployEntity.Command> command) {
    return onSuccess(
        asks.<DeployEntity.Command, DeployEntity.Reply>ask(deploy(id), command), this::reply);
  }

  private Route reply(DeployEntity.Reply r) {
    return switch (r.outcome()) {
      case OK -> json(StatusCodes.OK, r.deploy());
      case CREATED -> json(StatusCodes.CREATED, r.deploy());
      case NOT_FOUND -> complete(Problem.response(StatusCodes.NOT_FOUND, r.message()));
      case CONFLICT -> complete(Problem.response(StatusCodes.CONFLICT, r.message()));
      case INVALID -> invalid(List.of(r.message()));
    };
  }

  private Route invalid(List<String> problems) {
    return complete(Problem.invalid(problems));
  }

  private Route json(StatusCode status, Object body) {
    return complete(Json.response(status, body));
  }
}
