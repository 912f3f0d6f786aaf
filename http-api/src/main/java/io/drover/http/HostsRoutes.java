package io.drover.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostEntity;
import io.drover.actors.host.HostInfo;
import io.drover.actors.host.HostRecord;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code /api/v1/hosts}: every host with its record (pool, cordon, drain) and what its agent runs;
 * cordon, uncordon and drain one.
 */
final class HostsRoutes extends AllDirectives {

  /**
   * One host as the API shows it.
   *
   * @param name the host name
   * @param pool its pool
   * @param labels its labels
   * @param incarnation its agent's latest incarnation
   * @param address the cluster address of its node; {@code null} before it registered
   * @param registeredAt when its latest incarnation registered; {@code null} before that
   * @param reachable its agent answered just now; when false, {@code instances} is empty because
   *     unknown, not because nothing runs there
   * @param cordoned takes no new instances
   * @param draining its instances move to other hosts; done when {@code instanceCount} is 0
   * @param instanceCount instances its agent runs, of all sites
   * @param instances what its agent runs, as in {@code GET /api/v1/sites/{name}/instances}
   */
  record HostView(
      String name,
      String pool,
      Map<String, String> labels,
      String incarnation,
      String address,
      Instant registeredAt,
      boolean reachable,
      boolean cordoned,
      boolean draining,
      int instanceCount,
      List<InstanceStatus> instances) {}

  private final ClusterSharding sharding;
  private final ActorRef<HostDirectory.Command> directory;
  private final Asks asks;

  /** Each per-host ask gets half the ask timeout, so a whole listing answers within it. */
  private final Duration partTimeout;

  HostsRoutes(ClusterSharding sharding, ActorRef<HostDirectory.Command> directory, Asks asks) {
    this.sharding = sharding;
    this.directory = directory;
    this.asks = asks;
    this.partTimeout = asks.timeout().dividedBy(2);
  }

  Route route() {
    return pathPrefix(
        "hosts",
        () ->
            concat(
                pathEnd(() -> get(this::list)),
                pathPrefix(
                    segment(),
                    name ->
                        concat(
                            pathEnd(() -> get(() -> show(name))),
                            path("cordon", () -> post(() -> change(name, HostEntity.Cordon::new))),
                            path(
                                "uncordon",
                                () -> post(() -> change(name, HostEntity.Uncordon::new))),
                            path(
                                "drain", () -> post(() -> change(name, HostEntity.Drain::new)))))));
  }

  private EntityRef<HostEntity.Command> entity(String name) {
    return sharding.entityRefFor(HostEntity.ENTITY_TYPE_KEY, name);
  }

  /** What this node's directory knows: live agents, unreachable hosts, cached records. */
  private record Known(HostDirectory.Hosts hosts, Map<String, HostRecord> records) {
    HostInfo info(String name) {
      return hosts.hosts().stream().filter(h -> h.name().equals(name)).findFirst().orElse(null);
    }

    /**
     * The directory has heard of this host (an agent or a record): only then is its entity asked,
     * so probing names that do not exist starts no entity.
     */
    boolean knows(String name) {
      return records.containsKey(name) || info(name) != null;
    }
  }

  private CompletionStage<Known> known() {
    CompletionStage<HostDirectory.Hosts> hosts =
        asks.<HostDirectory.Command, HostDirectory.Hosts>ask(
            directory, HostDirectory.GetHosts::new);
    CompletionStage<HostDirectory.Records> records =
        asks.<HostDirectory.Command, HostDirectory.Records>ask(
            directory, HostDirectory.GetRecords::new);
    return hosts.thenCombine(
        records,
        (h, r) ->
            new Known(
                h,
                r.records().stream()
                    .collect(
                        java.util.stream.Collectors.toMap(HostRecord::name, Function.identity()))));
  }

  private Route list() {
    CompletionStage<List<HostView>> views =
        known()
            .thenCompose(
                k -> {
                  TreeSet<String> names = new TreeSet<>(k.records().keySet());
                  k.hosts().hosts().forEach(h -> names.add(h.name()));
                  List<CompletableFuture<Optional<HostView>>> all = new ArrayList<>();
                  for (String name : names) {
                    all.add(view(name, k, fetchRecord(name, k)).toCompletableFuture());
                  }
                  return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
                      .thenApply(
                          v ->
                              all.stream()
                                  .map(CompletableFuture::join)
                                  .flatMap(Optional::stream)
                                  .sorted(Comparator.comparing(HostView::name))
                                  .toList());
                });
    return onSuccess(views, v -> json(v));
  }

  private Route show(String name) {
    return onSuccess(
        known()
            .thenCompose(
                k ->
                    k.knows(name)
                        ? view(name, k, fetchRecord(name, k))
                        : CompletableFuture.completedFuture(Optional.<HostView>empty())),
        v -> v.isPresent() ? json(v.get()) : complete(notFound(name)));
  }

  private Route change(
      String name, Function<ActorRef<HostEntity.Reply>, HostEntity.Command> command) {
    CompletionStage<HttpResponse> response =
        known()
            .thenCompose(
                k ->
                    k.knows(name)
                        ? asks.<HostEntity.Command, HostEntity.Reply>ask(
                            entity(name), command::apply)
                        : CompletableFuture.completedFuture(
                            new HostEntity.Reply(
                                HostEntity.Outcome.NOT_FOUND,
                                "host " + name + " is not known: GET /api/v1/hosts lists the hosts",
                                null)))
            .thenCompose(
                reply -> {
                  if (reply.outcome() != HostEntity.Outcome.OK || reply.host() == null) {
                    return CompletableFuture.completedFuture(
                        Problem.response(StatusCodes.NOT_FOUND, reply.message()));
                  }
                  return known()
                      .thenCompose(
                          k ->
                              view(name, k, CompletableFuture.completedFuture(reply.host()))
                                  .thenApply(v -> jsonResponse(v.orElseThrow())));
                });
    return completeWithFuture(response);
  }

  /** The entity's record; on no answer in time the directory's copy, if any. */
  private CompletionStage<HostRecord> fetchRecord(String name, Known k) {
    return asks.<HostEntity.Command, HostEntity.Reply>ask(
            entity(name), HostEntity.Get::new, partTimeout)
        .handle((reply, failure) -> failure == null ? reply.host() : k.records().get(name));
  }

  /** Empty when neither a record nor an agent of that name is known. */
  private CompletionStage<Optional<HostView>> view(
      String name, Known k, CompletionStage<HostRecord> recordStage) {
    HostInfo info = k.info(name);
    CompletionStage<List<InstanceStatus>> instances =
        info == null || info.agent() == null || k.hosts().unreachable().contains(name)
            ? CompletableFuture.completedFuture(null)
            : asks.<HostAgent.Command, HostAgent.Instances>ask(
                    info.agent(), HostAgent.GetInstances::new, partTimeout)
                .thenApply(HostAgent.Instances::instances)
                .exceptionally(e -> null);
    return recordStage.thenCombine(
        instances,
        (r, running) -> {
          if (r == null && info == null) {
            return Optional.empty();
          }
          List<InstanceStatus> list = running == null ? List.of() : running;
          return Optional.of(
              new HostView(
                  name,
                  r != null ? r.pool() : info.pool(),
                  r != null ? r.labels() : info.labels(),
                  r != null ? r.incarnation() : info.incarnation(),
                  r != null ? r.address() : null,
                  r != null ? r.registeredAt() : null,
                  running != null,
                  r != null && r.cordoned(),
                  r != null && r.draining(),
                  list.size(),
                  list));
        });
  }

  private static HttpResponse notFound(String name) {
    return Problem.response(
        StatusCodes.NOT_FOUND, "host " + name + " is not known: GET /api/v1/hosts lists the hosts");
  }

  private Route json(Object body) {
    return complete(jsonResponse(body));
  }

  private static HttpResponse jsonResponse(Object body) {
    return HttpResponse.create()
        .withStatus(StatusCodes.OK)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.bytes(body)));
  }
}
