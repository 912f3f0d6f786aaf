package io.drover.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.drover.actors.revision.RevisionInfo;
import io.drover.actors.revision.RevisionRejected;
import io.drover.actors.revision.RevisionStore;
import io.drover.cluster.RevisionFetcher;
import io.drover.cluster.RevisionReplicator;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.StreamLimitReachedException;
import org.apache.pekko.stream.javadsl.FileIO;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code /api/v1/revisions}: upload a tar.gz (content-addressed), list, show. */
final class RevisionsRoutes extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(RevisionsRoutes.class);

  /** How long an upload's body may take to arrive, on top of the replication deadline. */
  private static final java.time.Duration UPLOAD_TIME = java.time.Duration.ofMinutes(5);

  private final ActorSystem<?> system;
  private final RevisionStore revisions;
  private final long maxBytes;
  private final Executor blocking;
  private final RevisionFetcher fetcher;
  private final RevisionReplicator replicator;

  RevisionsRoutes(
      ActorSystem<?> system,
      RevisionStore revisions,
      long maxBytes,
      RevisionFetcher fetcher,
      RevisionReplicator replicator) {
    this.system = system;
    this.revisions = revisions;
    this.maxBytes = maxBytes;
    this.fetcher = fetcher;
    this.replicator = replicator;
    this.blocking =
        system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking());
  }

  /** The answer to an upload: the revision, and whether these bytes were new. */
  private record Upload(RevisionInfo info, boolean created) {}

  /**
   * The body of a successful upload: the revision and how many hosts store it ({@code copies}: 1 on
   * a node alone, at least 2 once another host confirmed its copy).
   */
  record Stored(String id, long size, int files, long uploadedAtMillis, int copies) {
    static Stored of(RevisionInfo i, int copies) {
      return new Stored(i.id(), i.size(), i.files(), i.uploadedAtMillis(), copies);
    }
  }

  Route route() {
    return pathPrefix(
        "revisions",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            post(
                                () ->
                                    // the body, then a second host's copy: more than the default
                                    withRequestTimeout(
                                        UPLOAD_TIME.plus(fetcher.settings().replicateTimeout()),
                                        () ->
                                            withoutSizeLimit(
                                                () -> extractDataBytes(this::upload)))),
                            get(
                                () ->
                                    completeWithFuture(
                                        CompletableFuture.supplyAsync(
                                            () -> json(StatusCodes.OK, revisions.list()),
                                            blocking))))),
                pathPrefix(
                    segment(),
                    id ->
                        concat(
                            pathEnd(() -> get(() -> show(id))),
                            path("archive", () -> get(() -> archive(id))),
                            path(
                                "fetch",
                                () ->
                                    post(
                                        () ->
                                            withRequestTimeout(
                                                fetcher
                                                    .settings()
                                                    .replicateTimeout()
                                                    .plusSeconds(10),
                                                () ->
                                                    parameterOptional(
                                                        "from", from -> fetch(id, from)))))))));
  }

  private Route show(String id) {
    return completeWithFuture(
        CompletableFuture.supplyAsync(
            () ->
                revisions
                    .get(id)
                    .map(info -> json(StatusCodes.OK, info))
                    .orElseGet(() -> unknown(id)),
            blocking));
  }

  /** The stored tar.gz, for peers that fetch a revision they lack. */
  private Route archive(String id) {
    return completeWithFuture(
        CompletableFuture.<HttpResponse>supplyAsync(
            () ->
                revisions
                    .archive(id)
                    .map(RevisionsRoutes::archiveResponse)
                    .orElseGet(() -> unknown(id)),
            blocking));
  }

  /**
   * {@code POST /revisions/{id}/fetch[?from=host:port]}: this host fetches the revision from a
   * reachable host that holds it ({@code from} first) and answers once it is stored here. Uploads
   * use it to place their second copy; operators may use it to pre-load a host.
   */
  private Route fetch(String id, java.util.Optional<String> from) {
    if (!RevisionStore.isRevisionId(id)) {
      return complete(unknown(id));
    }
    java.util.Optional<java.net.URI> preferred;
    try {
      preferred = from.map(f -> java.net.URI.create("http://" + f));
      if (preferred.isPresent() && preferred.get().getPort() < 0) {
        throw new IllegalArgumentException("no port");
      }
    } catch (IllegalArgumentException e) {
      return complete(
          Problem.response(
              StatusCodes.BAD_REQUEST,
              "from must be host:port of a cluster member's API, e.g. from=10.0.0.5:8080"));
    }
    CompletionStage<HttpResponse> r =
        fetcher
            .fetch(id, preferred, s -> {})
            .handle(
                (info, err) -> {
                  if (err == null) {
                    return json(StatusCodes.OK, info);
                  }
                  Throwable cause = ApiErrors.unwrap(err);
                  if (cause instanceof RevisionFetcher.Unavailable) {
                    return Problem.response(StatusCodes.NOT_FOUND, cause.getMessage());
                  }
                  return Problem.response(
                      StatusCodes.SERVICE_UNAVAILABLE,
                      "fetching revision " + id + " failed: " + cause.getMessage() + "; retry");
                });
    return completeWithFuture(r);
  }

  private static HttpResponse archiveResponse(Path path) {
    return HttpResponse.create()
        .withEntity(
            HttpEntities.create(
                ContentTypes.create(MediaTypes.APPLICATION_X_GZIP),
                path.toFile().length(),
                FileIO.fromPath(path)));
  }

  private static HttpResponse unknown(String id) {
    return Problem.response(
        StatusCodes.NOT_FOUND, "no revision " + id + " (GET /api/v1/revisions lists them)");
  }

  private Route upload(org.apache.pekko.stream.javadsl.Source<ByteString, ?> bytes) {
    Path tmp;
    try {
      tmp = Files.createTempFile(revisions.uploadsDir(), "upload-", ".part");
    } catch (IOException e) {
      return complete(
          Problem.response(
              StatusCodes.INTERNAL_SERVER_ERROR,
              "cannot stage the upload: " + e.getMessage() + " (check the data directory)"));
    }
    // One byte over the limit is enough to know it is too large.
    CompletionStage<HttpResponse> result =
        bytes
            .via(Flow.of(ByteString.class).limitWeighted(maxBytes, b -> (long) b.size()))
            .runWith(FileIO.toPath(tmp), system)
            .thenApplyAsync(
                io -> {
                  try {
                    long before = System.currentTimeMillis();
                    RevisionInfo info = revisions.importFile(tmp);
                    // A revision uploaded before keeps its first upload time.
                    return new Upload(info, info.uploadedAtMillis() >= before);
                  } catch (RevisionRejected | IOException e) {
                    throw new CompletionException(e);
                  }
                },
                blocking)
            .thenCompose(
                upload ->
                    replicator
                        .replicate(upload.info().id())
                        .thenApply(copies -> new Replicated(upload, copies)))
            .handle(
                (replicated, err) -> {
                  if (err == null) {
                    Upload upload = replicated.upload();
                    log.info(
                        "revision {} uploaded ({} bytes, {} files{}); {} copies",
                        upload.info().id(),
                        upload.info().size(),
                        upload.info().files(),
                        upload.created() ? "" : ", already known",
                        replicated.copies());
                    return json(
                        upload.created() ? StatusCodes.CREATED : StatusCodes.OK,
                        Stored.of(upload.info(), replicated.copies()));
                  }
                  deleteQuietly(tmp);
                  Throwable cause = ApiErrors.unwrap(err);
                  if (cause instanceof RevisionReplicator.NotReplicated) {
                    log.warn("{}", cause.getMessage());
                    return Problem.response(StatusCodes.SERVICE_UNAVAILABLE, cause.getMessage());
                  }
                  if (cause instanceof StreamLimitReachedException) {
                    return Problem.response(
                        StatusCodes.PAYLOAD_TOO_LARGE,
                        "the revision is larger than "
                            + maxBytes
                            + " bytes: make it smaller or raise drover.revisions.max-bytes");
                  }
                  return ApiErrors.toResponse(cause, java.time.Duration.ZERO);
                });
    return completeWithFuture(result);
  }

  private record Replicated(Upload upload, int copies) {}

  private static void deleteQuietly(Path p) {
    try {
      Files.deleteIfExists(p);
    } catch (IOException ignored) {
      // the uploads directory is cleaned on the next import anyway
    }
  }

  private static HttpResponse json(StatusCode status, Object body) {
    return HttpResponse.create()
        .withStatus(status)
        .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, Json.bytes(body)));
  }
}
