package io.drover.cluster;

import io.drover.actors.revision.RevisionInfo;
import io.drover.actors.revision.RevisionRejected;
import io.drover.actors.revision.RevisionStore;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a revision available on this host: from the local store, or fetched from a peer node that
 * has it ({@code GET /api/v1/revisions/{id}/archive}) and imported like an upload, so it is
 * validated again and its sha256 must equal the id. Peers are the cluster members that advertise
 * their API with the role {@code drover-api:<host>:<port>}.
 */
public final class RevisionFetcher {

  /** Prefix of the cluster role through which a node advertises its HTTP API. */
  public static final String API_ROLE_PREFIX = "drover-api:";

  private static final Logger log = LoggerFactory.getLogger(RevisionFetcher.class);

  private final RevisionStore store;
  private final Supplier<List<URI>> peers;
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private final ConcurrentHashMap<String, Object> locks = new ConcurrentHashMap<>();

  /**
   * @param peers the API base URIs ({@code http://host:port}) of the other nodes, asked in order
   */
  public RevisionFetcher(RevisionStore store, Supplier<List<URI>> peers) {
    this.store = store;
    this.peers = peers;
  }

  /** The unpacked release, fetching the revision from a peer first if this host lacks it. */
  public Path releaseDir(String id) throws IOException {
    ensureLocal(id);
    return store.releaseDir(id);
  }

  /**
   * The revision, from the local store or fetched from a peer; empty when no node has it. Blocks;
   * call it on a blocking dispatcher.
   */
  public java.util.Optional<RevisionInfo> ensureLocal(String id) throws IOException {
    if (!RevisionStore.isRevisionId(id)) {
      return java.util.Optional.empty();
    }
    java.util.Optional<RevisionInfo> local = store.get(id);
    if (local.isPresent()) {
      return local;
    }
    synchronized (locks.computeIfAbsent(id, k -> new Object())) {
      local = store.get(id);
      if (local.isPresent()) {
        return local;
      }
      for (URI peer : peers.get()) {
        try {
          RevisionInfo info = fetchFrom(peer, id);
          if (info != null) {
            return java.util.Optional.of(info);
          }
        } catch (IOException | RevisionRejected e) {
          log.warn("revision {}: fetching from {} failed: {}", id, peer, e.getMessage());
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          throw new IOException("interrupted while fetching revision " + id, e);
        }
      }
      return java.util.Optional.empty();
    }
  }

  private RevisionInfo fetchFrom(URI peer, String id)
      throws IOException, InterruptedException, RevisionRejected {
    Path tmp = Files.createTempFile(store.uploadsDir(), "fetch-", ".part");
    try {
      HttpResponse<Path> r =
          http.send(
              HttpRequest.newBuilder(peer.resolve("/api/v1/revisions/" + id + "/archive"))
                  .timeout(Duration.ofMinutes(5))
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofFile(tmp));
      if (r.statusCode() == 404) {
        return null;
      }
      if (r.statusCode() != 200) {
        throw new IOException("HTTP " + r.statusCode());
      }
      RevisionInfo info = store.importFile(tmp);
      if (!info.id().equals(id)) {
        throw new IOException(
            "peer served revision " + info.id() + " when asked for " + id + "; ignored");
      }
      log.info("revision {} fetched from {} ({} bytes)", id, peer, info.size());
      return info;
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** For ReleaseDirs: the unpacked release or a clear error naming the revision. */
  public Path releaseDirOrFail(String id) throws IOException {
    if (ensureLocal(id).isEmpty()) {
      throw new NoSuchFileException(
          "revision " + id + " is on no reachable node: upload it again (POST /api/v1/revisions)");
    }
    return store.releaseDir(id);
  }
}
