package io.drover.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.drover.actors.revision.RevisionInfo;
import io.drover.actors.revision.RevisionRejected;
import io.drover.actors.revision.RevisionStore;
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

  private final ActorSystem<?> system;
  private final RevisionStore revisions;
  private final long maxBytes;
  private final Executor blocking;

  RevisionsRoutes(ActorSystem<?> system, RevisionStore revisions, long maxBytes) {
    this.system = system;
    this.revisions = revisions;
    this.maxBytes = maxBytes;
    this.blocking =
        system.dispatchers().lookup(org.apache.pekko.actor.typed.DispatcherSelector.blocking());
  }

  /** The answer to an upload: the revision, and whether these bytes were new. */
  private record Upload(RevisionInfo info, boolean created) {}

  Route route() {
    return pathPrefix(
        "revisions",
        () ->
            concat(
                pathEnd(
                    () ->
                        concat(
                            post(() -> withoutSizeLimit(() -> extractDataBytes(this::upload))),
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
                            path("archive", () -> get(() -> archive(id)))))));
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
            .handle(
                (upload, err) -> {
                  if (err == null) {
                    log.info(
                        "revision {} uploaded ({} bytes, {} files{})",
                        upload.info().id(),
                        upload.info().size(),
                        upload.info().files(),
                        upload.created() ? "" : ", already known");
                    return json(
                        upload.created() ? StatusCodes.CREATED : StatusCodes.OK, upload.info());
                  }
                  deleteQuietly(tmp);
                  Throwable cause = ApiErrors.unwrap(err);
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
