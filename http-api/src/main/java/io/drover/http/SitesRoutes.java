package io.drover.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.agent.LogChunk;
import io.drover.actors.agent.LogCursor;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import io.drover.actors.site.SiteDirectory;
import io.drover.actors.site.SiteEntity;
import io.drover.actors.site.SiteSpec;
import io.drover.actors.site.SiteSpecs;
import io.drover.cluster.RevisionFetcher;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;

/** {@code /api/v1/sites}: create, change, show, delete, scale; instances and their logs. */
final class SitesRoutes extends AllDirectives {

  private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(SitesRoutes.class);

  /** Body of {@code POST /api/v1/sites/{name}/scale}. */
  record ScaleRequest(int instances) {}

  private static final int MAX_TAIL = 10_000;

  private final ClusterSharding sharding;
  private final ActorRef<SiteDirectory.Command> directory;
  private final ActorRef<HostDirectory.Command> hosts;
  private final java.util.function.Predicate<String> revisionCheck;
  private final Asks asks;
  private final java.util.concurrent.Executor blocking;

  SitesRoutes(
      ClusterSharding sharding,
      ActorRef<SiteDirectory.Command> directory,
      ActorRef<HostDirectory.Command> hosts,
      RevisionFetcher revisions,
      Asks asks,
      java.util.concurrent.Executor blocking) {
    this(sharding, directory, hosts, id -> RevisionCheck.uploaded(revisions, id), asks, blocking);
  }

  /**
   * @param revisionCheck true when this node has the revision or fetched it from a peer; may block
   *     (runs on {@code blocking}) and is given half the ask timeout
   */
  SitesRoutes(
      ClusterSharding sharding,
      ActorRef<SiteDirectory.Command> directory,
      ActorRef<HostDirectory.Command> hosts,
      java.util.function.Predicate<String> revisionCheck,
      Asks asks,
      java.util.concurrent.Executor blocking) {
    this.sharding = sharding;
    this.directory = directory;
    this.hosts = hosts;
    this.revisionCheck = revisionCheck;
    this.asks = asks;
    this.blocking = blocking;
  }

  Route route() {
    return pathPrefix(
        "sites",
        () ->
            concat(
                pathEnd(() -> get(this::list)),
                pathPrefix(
                    segment(),
                    name ->
                        concat(
                            pathEnd(
                                () ->
                                    concat(
                                        put(
                                            () ->
                                                entity(
                                                    Unmarshaller.entityToString(),
                                                    body -> putSite(name, body))),
                                        get(() -> getSite(name)),
                                        delete(() -> deleteSite(name)))),
                            path(
                                "scale",
                                () ->
                                    post(
                                        () ->
                                            entity(
                                                Unmarshaller.entityToString(),
                                                body -> scale(name, body)))),
                            pathPrefix(
                                "instances",
                                () ->
                                    concat(
                                        pathEnd(() -> get(() -> instances(name))),
                                        path(
                                            segment().slash("logs"),
                                            id ->
                                                get(
                                                    () ->
                                                        parameterOptional(
                                                            "since",
                                                            since ->
                                                                parameterOptional(
                                                                    "tail",
                                                                    tail ->
                                                                        logs(
                                                                            name, id, tail,
                                                                            since)))))))))));
  }

  /**
   * Asks the site's entity, but only if the site directory knows the name: a request for a name
   * that does not exist answers 404 without starting an entity (probes must not grow memory).
   */
  private <T> CompletionStage<T> ifKnown(
      String name,
      java.util.function.Function<SiteEntity.Reply, T> absent,
      java.util.function.Supplier<CompletionStage<T>> known) {
    // The directory is a singleton: while its node is paused or being downed it does not answer,
    // and the sites must stay readable and writable meanwhile. Then the entity answers itself (an
    // entity of a site that does not exist answers NOT_FOUND and passivates).
    Duration directoryTimeout = asks.timeout().dividedBy(4);
    return asks.<SiteDirectory.Command, SiteDirectory.Known>ask(
            directory, r -> new SiteDirectory.HasSite(name, r), directoryTimeout)
        .handle(
            (answer, failure) -> {
              if (failure != null || answer.known()) {
                return known.get();
              }
              return CompletableFuture.completedFuture(
                  absent.apply(
                      new SiteEntity.Reply(
                          SiteEntity.Outcome.NOT_FOUND,
                          "site " + name + " does not exist (GET /api/v1/sites lists them)",
                          null)));
            })
        .thenCompose(stage -> stage);
  }

  /** {@link SiteEntity.Get} of a site the directory knows; NOT_FOUND otherwise. */
  private CompletionStage<SiteEntity.Reply> getKnown(String name) {
    return ifKnown(
        name,
        r -> r,
        () -> asks.<SiteEntity.Command, SiteEntity.Reply>ask(site(name), SiteEntity.Get::new));
  }

  /**
   * Sends one write to the site's entity with {@code deadline} inside it: the entity refuses it
   * once the deadline passed, and the ask waits a margin longer than the deadline, so a write the
   * entity accepted is answered in time (unless its journal write stalls beyond the margin). Past
   * the deadline already, nothing is sent.
   */
  private CompletionStage<SiteEntity.Reply> change(
      String name,
      java.util.function.Function<ActorRef<SiteEntity.Reply>, SiteEntity.Command> command,
      long deadline) {
    long left = deadline - System.currentTimeMillis();
    if (left <= 0) {
      return CompletableFuture.completedFuture(
          new SiteEntity.Reply(
              SiteEntity.Outcome.EXPIRED,
              "site " + name + " was not changed: the request ran out of time; send it again",
              null));
    }
    Duration margin = asks.timeout().dividedBy(2);
    return asks.<SiteEntity.Command, SiteEntity.Reply>ask(
        site(name), command, Duration.ofMillis(left).plus(margin));
  }

  private EntityRef<SiteEntity.Command> site(String name) {
    return sharding.entityRefFor(SiteEntity.ENTITY_TYPE_KEY, name);
  }

  private Route list() {
    CompletionStage<List<SiteEntity.SiteView>> views =
        asks.<SiteDirectory.Command, SiteDirectory.Names>ask(
                directory, SiteDirectory.ListSites::new)
            .thenCompose(
                names -> {
                  List<CompletableFuture<SiteEntity.Reply>> gets = new ArrayList<>();
                  for (String n : names.sites()) {
                    gets.add(
                        asks.<SiteEntity.Command, SiteEntity.Reply>ask(site(n), SiteEntity.Get::new)
                            .toCompletableFuture());
                  }
                  return CompletableFuture.allOf(gets.toArray(CompletableFuture[]::new))
                      .thenApply(
                          v ->
                              gets.stream()
                                  .map(CompletableFuture::join)
                                  .filter(r -> r.site() != null)
                                  .map(SiteEntity.Reply::site)
                                  .toList());
                });
    return onSuccess(views, v -> json(StatusCodes.OK, v));
  }

  private Route putSite(String name, String body) {
    SiteSpec spec;
    try {
      spec = Json.read(body, SiteSpec.class);
    } catch (Json.BadBody e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    List<String> problems = new ArrayList<>(SiteSpecs.validate(name, spec));
    if (!problems.isEmpty()) {
      return invalid(problems);
    }
    SiteSpec full = SiteSpecs.withDefaults(spec);
    long deadline = System.currentTimeMillis() + asks.timeout().toMillis();
    Duration revisionTimeout = asks.timeout().dividedBy(2);
    CompletionStage<Route> route =
        RevisionCheck.check(spec.revision(), revisionCheck, blocking, revisionTimeout)
            .thenCompose(
                known -> {
                  if (known.isEmpty()) {
                    // the fetch goes on in the background; this request changes nothing
                    return CompletableFuture.completedFuture(
                        complete(
                            Problem.response(
                                StatusCodes.SERVICE_UNAVAILABLE,
                                RevisionCheck.stillFetching(
                                    spec.revision(), revisionTimeout, "Site " + name))));
                  }
                  if (!known.get()) {
                    return CompletableFuture.completedFuture(
                        invalid(List.of(RevisionCheck.notUploaded(spec.revision()))));
                  }
                  return asks.<SiteDirectory.Command, org.apache.pekko.Done>ask(
                          directory, r -> new SiteDirectory.Register(name, r))
                      .thenCompose(
                          done ->
                              change(name, r -> new SiteEntity.Put(full, deadline, r), deadline))
                      .thenApply(this::reply);
                });
    return onSuccess(route, r -> r);
  }

  private Route getSite(String name) {
    return onSuccess(getKnown(name), this::reply);
  }

  private Route deleteSite(String name) {
    long deadline = System.currentTimeMillis() + asks.timeout().toMillis();
    CompletionStage<SiteEntity.Reply> reply =
        asks.<SiteDirectory.Command, SiteDirectory.Names>ask(
                directory, SiteDirectory.ListSites::new)
            .thenCompose(
                names -> {
                  if (!names.sites().contains(name)) {
                    return CompletableFuture.completedFuture(
                        new SiteEntity.Reply(
                            SiteEntity.Outcome.NOT_FOUND,
                            "site " + name + " does not exist (GET /api/v1/sites lists them)",
                            null));
                  }
                  return change(name, r -> new SiteEntity.Delete(deadline, r), deadline)
                      .thenCompose(
                          r ->
                              r.outcome() == SiteEntity.Outcome.OK
                                      || r.outcome() == SiteEntity.Outcome.NOT_FOUND
                                  ? unregister(name).thenApply(done -> r)
                                  : CompletableFuture.completedFuture(r));
                });
    return onSuccess(
        reply,
        r ->
            r.outcome() == SiteEntity.Outcome.OK
                ? complete(StatusCodes.NO_CONTENT)
                : this.reply(r));
  }

  /**
   * Forgets a deleted (or never created) site's name. Best effort: the delete itself is done and
   * answered as such; a name left behind is removed by the next DELETE of that name.
   */
  private CompletionStage<org.apache.pekko.Done> unregister(String name) {
    return asks.<SiteDirectory.Command, org.apache.pekko.Done>ask(
            directory, ref -> new SiteDirectory.Unregister(name, ref))
        .exceptionally(
            e -> {
              log.warn(
                  "site {}: deleted, but the site directory did not confirm forgetting the name"
                      + " ({}); DELETE it again to remove the name",
                  name,
                  e.toString());
              return org.apache.pekko.Done.getInstance();
            });
  }

  private Route scale(String name, String body) {
    ScaleRequest req;
    try {
      req = Json.read(body, ScaleRequest.class);
    } catch (Json.BadBody e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    long deadline = System.currentTimeMillis() + asks.timeout().toMillis();
    return onSuccess(
        ifKnown(
            name,
            r -> r,
            () -> change(name, r -> new SiteEntity.Scale(req.instances(), deadline, r), deadline)),
        this::reply);
  }

  private Route instances(String name) {
    return onSuccess(
        getKnown(name),
        r -> r.site() == null ? reply(r) : json(StatusCodes.OK, r.site().instances()));
  }

  private Route logs(
      String name, String instanceId, Optional<String> tailParam, Optional<String> sinceParam) {
    Optional<LogCursor> since = sinceParam.flatMap(LogCursor::parse);
    if (sinceParam.isPresent() && since.isEmpty()) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "since must be 0 (the start of the log), end (its end), or the next cursor of an"
                  + " earlier answer"));
    }
    int tail;
    try {
      tail = tailParam.map(Integer::parseInt).orElse(100);
    } catch (NumberFormatException e) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "tail must be a whole number of lines between 1 and " + MAX_TAIL));
    }
    if (tail < 1 || tail > MAX_TAIL) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST, "tail must be between 1 and " + MAX_TAIL + " lines"));
    }
    CompletionStage<HttpResponse> response =
        getKnown(name)
            .thenCompose(
                r -> {
                  if (r.site() == null) {
                    return CompletableFuture.completedFuture(
                        Problem.response(StatusCodes.NOT_FOUND, r.message()));
                  }
                  Optional<InstanceStatus> inst =
                      r.site().instances().stream()
                          .filter(i -> i.id().equals(instanceId))
                          .findFirst();
                  if (inst.isEmpty()) {
                    return CompletableFuture.completedFuture(
                        Problem.response(
                            StatusCodes.NOT_FOUND,
                            "site "
                                + name
                                + " has no instance "
                                + instanceId
                                + " (GET /api/v1/sites/"
                                + name
                                + "/instances lists them)"));
                  }
                  return logsFrom(inst.get().host(), instanceId, tail, since);
                });
    return completeWithFuture(response);
  }

  /**
   * Asks the instance's host agent, wherever it runs: the last {@code tail} lines as text, or with
   * {@code since} what follows that cursor as a {@link LogChunk}.
   */
  private CompletionStage<HttpResponse> logsFrom(
      String host, String instanceId, int tail, Optional<LogCursor> since) {
    return asks.<HostDirectory.Command, HostDirectory.Hosts>ask(hosts, HostDirectory.GetHosts::new)
        .thenCompose(
            known -> {
              Optional<HostInfo> h =
                  known.hosts().stream().filter(x -> x.name().equals(host)).findFirst();
              if (h.isEmpty()) {
                return CompletableFuture.completedFuture(
                    Problem.response(
                        StatusCodes.SERVICE_UNAVAILABLE,
                        "host " + host + " is not reachable; its logs cannot be read now"));
              }
              if (since.isPresent()) {
                return asks.<HostAgent.Command, StatusReply<LogChunk>>ask(
                        h.get().agent(),
                        ref -> new HostAgent.ReadLogs(instanceId, since.get().text(), tail, ref))
                    .thenApply(
                        sr ->
                            sr.isSuccess()
                                ? Json.response(StatusCodes.OK, sr.getValue())
                                : Problem.response(
                                    StatusCodes.NOT_FOUND, sr.getError().getMessage()));
              }
              return asks.<HostAgent.Command, StatusReply<String>>ask(
                      h.get().agent(), ref -> new HostAgent.GetLogs(instanceId, tail, ref))
                  .thenApply(
                      sr ->
                          sr.isSuccess()
                              ? HttpResponse.create()
                                  .withEntity(
                                      HttpEntities.create(
                                          ContentTypes.TEXT_PLAIN_UTF8, sr.getValue()))
                              : Problem.response(
                                  StatusCodes.NOT_FOUND, sr.getError().getMessage()));
            });
  }

  private Route reply(SiteEntity.Reply r) {
    return switch (r.outcome()) {
      case OK -> json(StatusCodes.OK, r.site());
      case CREATED -> json(StatusCodes.CREATED, r.site());
      case NOT_FOUND -> complete(Problem.response(StatusCodes.NOT_FOUND, r.message()));
      case INVALID -> invalid(List.of(r.message()));
      case CONFLICT -> complete(Problem.response(StatusCodes.CONFLICT, r.message()));
      case EXPIRED -> complete(Problem.response(StatusCodes.SERVICE_UNAVAILABLE, r.message()));
    };
  }

  private Route invalid(List<String> problems) {
    return complete(Problem.invalid(problems));
  }

  private Route json(StatusCode status, Object body) {
    return complete(Json.response(status, body));
  }
}
