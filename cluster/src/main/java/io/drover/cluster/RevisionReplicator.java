package io.drover.cluster;

import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * "At least two of everything" for uploads: after a node stored a revision, it asks other reachable
 * hosts ({@code POST /api/v1/revisions/{id}/fetch?from=<this node>}) to fetch it, and the upload is
 * acknowledged once one of them confirms. It asks {@link #PARALLEL} hosts at a time, in a random
 * order, so one paused host cannot hold the upload: the cost per upload is a few requests, not one
 * per host.
 */
public final class RevisionReplicator {

  /** How many hosts are asked at once. */
  static final int PARALLEL = 2;

  /** Pause before asking the hosts again when every one of them failed. */
  static final Duration RETRY_PASS_AFTER = Duration.ofSeconds(1);

  private static final Logger log = LoggerFactory.getLogger(RevisionReplicator.class);

  private final RevisionFetcher fetcher;
  private final String selfApi;
  private final HttpClient http;

  /** No other host confirmed a copy in time; the message says whom it asked and what they said. */
  public static final class NotReplicated extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotReplicated(String message) {
      super(message);
    }
  }

  /**
   * @param selfApi {@code host:port} of this node's API, the source peers fetch from first
   */
  public RevisionReplicator(RevisionFetcher fetcher, String selfApi) {
    this.fetcher = fetcher;
    this.selfApi = selfApi;
    HttpClient.Builder client =
        HttpClient.newBuilder().connectTimeout(fetcher.settings().connectTimeout());
    // peers that serve HTTPS: trust the cluster CA (and the JDK's authorities)
    fetcher.peerTls().ifPresent(t -> client.sslContext(t.context()));
    this.http = client.build();
  }

  /**
   * Completes with the number of hosts known to store revision {@code id} (this one included) once
   * a second host stored it, at once with 1 when no other host is reachable; fails with {@link
   * NotReplicated} when no other host confirmed within {@code drover.revisions.replicate-timeout}.
   */
  public CompletableFuture<Integer> replicate(String id) {
    List<URI> peers = RevisionFetcher.order(fetcher.peers(), Optional.empty());
    if (peers.isEmpty()) {
      return CompletableFuture.completedFuture(1);
    }
    Duration deadline = fetcher.settings().replicateTimeout();
    Round round = new Round(id, new ArrayDeque<>(peers), deadline);
    synchronized (round) {
      for (int i = 0; i < PARALLEL; i++) {
        round.next();
      }
    }
    return round
        .result
        .orTimeout(deadline.toMillis(), TimeUnit.MILLISECONDS)
        .exceptionallyCompose(
            e -> {
              Throwable cause =
                  e instanceof java.util.concurrent.CompletionException ? e.getCause() : e;
              if (cause instanceof TimeoutException) {
                return CompletableFuture.failedFuture(
                    new NotReplicated(
                        round.failure(
                            "no other host confirmed a copy within " + pretty(deadline))));
              }
              return CompletableFuture.failedFuture(cause);
            });
  }

  /** What a failed ask says: its cause's message, or the cause's kind when it has none. */
  static String why(Throwable err) {
    Throwable t = err;
    while (t.getCause() != null
        && (t instanceof java.util.concurrent.CompletionException || t.getMessage() == null)) {
      t = t.getCause();
    }
    if (t instanceof java.net.ConnectException) {
      return "connection refused (its API is not serving yet, or it stopped)";
    }
    return t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
  }

  private static String pretty(Duration d) {
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + "s" : d.toMillis() + "ms";
  }

  /** One upload's asks: who is left, who is asked, what the failed ones said. */
  private final class Round {
    final String id;
    final Deque<URI> left;
    final Duration timeout;
    final CompletableFuture<Integer> result = new CompletableFuture<>();

    /** The last thing each host said, for the error message. */
    final java.util.Map<String, String> said = new java.util.LinkedHashMap<>();

    final List<String> asking = new ArrayList<>();
    int running;

    Round(String id, Deque<URI> left, Duration timeout) {
      this.id = id;
      this.left = left;
      this.timeout = timeout;
    }

    /**
     * Asks the next host; when every host failed, a new pass over the hosts reachable then starts
     * after {@link #RETRY_PASS_AFTER} (a peer that just joined may not serve its API yet), until
     * the deadline. Called with the lock held.
     */
    void next() {
      if (result.isDone()) {
        return;
      }
      URI peer = left.poll();
      if (peer == null) {
        if (running == 0) {
          CompletableFuture.delayedExecutor(RETRY_PASS_AFTER.toMillis(), TimeUnit.MILLISECONDS)
              .execute(this::newPass);
        }
        return;
      }
      running++;
      String name = peer.getAuthority();
      asking.add(name);
      HttpRequest.Builder ask =
          HttpRequest.newBuilder(
                  peer.resolve(
                      "/api/v1/revisions/"
                          + id
                          + "/fetch?from="
                          + URLEncoder.encode(selfApi, StandardCharsets.UTF_8)))
              .timeout(timeout)
              .POST(HttpRequest.BodyPublishers.noBody());
      fetcher.bearer().ifPresent(token -> ask.header("Authorization", "Bearer " + token));
      HttpRequest req = ask.build();
      http.sendAsync(req, HttpResponse.BodyHandlers.ofString())
          .whenComplete(
              (r, err) -> {
                synchronized (Round.this) {
                  running--;
                  asking.remove(name);
                  if (err == null && r.statusCode() == 200) {
                    log.info("revision {} stored on {} too", id, name);
                    result.complete(2);
                    return;
                  }
                  String why = err != null ? why(err) : "HTTP " + r.statusCode();
                  said.put(name, why);
                  // not a fault yet: another host is asked, and only a round that ends without
                  // a copy fails the upload (NotReplicated says whom it asked and what they said)
                  log.info(
                      "revision {}: {} did not store a copy ({}); asking again", id, name, why);
                  if (!result.isDone()) {
                    next();
                  }
                }
              });
    }

    synchronized void newPass() {
      if (result.isDone()) {
        return;
      }
      List<URI> peers = RevisionFetcher.order(fetcher.peers(), Optional.empty());
      if (peers.isEmpty()) {
        // the other hosts left meanwhile: this is a cluster of one now
        result.complete(1);
        return;
      }
      left.addAll(peers);
      for (int i = 0; i < PARALLEL; i++) {
        next();
      }
    }

    synchronized String failure(String what) {
      List<String> all = new ArrayList<>();
      said.forEach((name, why) -> all.add(name + ": " + why));
      for (String a : asking) {
        if (!said.containsKey(a)) {
          all.add(a + ": no answer yet");
        }
      }
      return "revision "
          + id
          + " is stored on this host only: "
          + what
          + (all.isEmpty() ? "" : " (asked " + String.join(", ", all) + ")")
          + "; upload it again to complete the replication";
    }
  }
}
