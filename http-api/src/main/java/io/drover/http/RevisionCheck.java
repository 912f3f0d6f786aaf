package io.drover.http;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;

/**
 * Whether a revision a request names was uploaded: checked on a blocking dispatcher (it may fetch
 * the revision from a peer) within a time limit. Shared by every route that takes a revision.
 */
final class RevisionCheck {

  private RevisionCheck() {}

  /**
   * True when uploaded, false when no node has it, empty when the check (a fetch from a peer) took
   * longer than {@code timeout}; the fetch then goes on in the background.
   */
  static CompletionStage<Optional<Boolean>> check(
      String revision, Predicate<String> known, Executor blocking, Duration timeout) {
    return CompletableFuture.supplyAsync(() -> known.test(revision), blocking)
        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
        .handle(
            (k, err) -> {
              if (err == null) {
                return Optional.of(k);
              }
              if (ApiErrors.unwrap(err) instanceof TimeoutException) {
                return Optional.<Boolean>empty();
              }
              throw new CompletionException(ApiErrors.unwrap(err));
            });
  }

  /** True when this node has the revision or fetched it from a peer; blocks. */
  static boolean uploaded(io.drover.cluster.RevisionFetcher revisions, String revision) {
    try {
      return revisions.ensureLocal(revision).isPresent();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** The problem for a revision no node has. */
  static String notUploaded(String revision) {
    return "revision "
        + revision
        + " is not uploaded to any node: upload its tar.gz with POST /api/v1/revisions and use"
        + " the id it returns";
  }

  /** The problem for a revision whose fetch took too long; {@code what} was not changed. */
  static String stillFetching(String revision, Duration timeout, String what) {
    return "revision "
        + revision
        + " is not on this node yet and fetching it from a peer took longer than "
        + timeout.toMillis()
        + " ms; it is still being fetched: send the request again in a moment. "
        + what
        + " was not changed";
  }
}
