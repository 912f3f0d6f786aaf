package io.drover.cluster;

import io.drover.actors.retention.DiskFloor;
import io.drover.actors.revision.RevisionInfo;
import io.drover.actors.revision.RevisionRejected;
import io.drover.actors.revision.RevisionStore;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.HttpURLConnection;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes a revision available on this host: from the local store, or fetched from a peer node that
 * has it ({@code GET /api/v1/revisions/{id}/archive}).
 *
 * <ul>
 *   <li>Peers are the reachable Up members that advertise their API with the role {@code
 *       drover-api:<host>:<port>}; each fetch asks them in a fresh random order (a preferred source
 *       first when given), so a fleet does not fetch everything from one node.
 *   <li>A peer that does not accept within the connect timeout, or sends no byte for the idle
 *       timeout (headers or body), answers 404 or fails is left for the next one.
 *   <li>Concurrent requests for one revision share one transfer (one future per id).
 *   <li>The body is capped at the upload limit while it streams, and its sha256 must equal the id
 *       before it is imported (and so validated like an upload).
 * </ul>
 */
public final class RevisionFetcher implements AutoCloseable {

  /** Prefix of the cluster role through which a node advertises its HTTP API. */
  public static final String API_ROLE_PREFIX = "drover-api:";

  private static final Logger log = LoggerFactory.getLogger(RevisionFetcher.class);

  private final RevisionStore store;
  private final Supplier<List<URI>> peers;
  private final RevisionSettings settings;
  private final DiskFloor disk;
  private final ExecutorService transfers =
      Executors.newCachedThreadPool(
          r -> {
            Thread t = new Thread(r, "revision-fetch");
            t.setDaemon(true);
            return t;
          });
  private final ConcurrentHashMap<String, Transfer> inFlight = new ConcurrentHashMap<>();
  private volatile io.drover.cluster.tls.PeerTls tls;

  /** This node's credential for peers' APIs ({@code Authorization: Bearer}); empty: none yet. */
  private volatile Supplier<Optional<String>> bearer = Optional::empty;

  /** The revision could not be fetched; the message says from whom it was asked and why not. */
  public static final class Unavailable extends NoSuchFileException {
    private static final long serialVersionUID = 1L;

    public Unavailable(String message) {
      super(message);
    }

    @Override
    public String getMessage() {
      return getFile();
    }
  }

  /** One shared transfer: its result, and who wants to hear where it stands. */
  private static final class Transfer {
    final CompletableFuture<RevisionInfo> result = new CompletableFuture<>();
    final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
    volatile String status;

    void report(String s) {
      status = s;
      for (Consumer<String> l : listeners) {
        try {
          l.accept(s);
        } catch (RuntimeException e) {
          log.debug("progress listener failed: {}", e.toString());
        }
      }
    }
  }

  /**
   * @param peers the API base URIs ({@code http://host:port}) of the other reachable Up nodes
   */
  public RevisionFetcher(
      RevisionStore store, Supplier<List<URI>> peers, RevisionSettings settings) {
    this(store, peers, settings, null);
  }

  /**
   * @param disk the data directory's free-space floor: under it nothing is fetched (a fetch must
   *     not fill the disk an upload would be refused on); null: no floor
   */
  public RevisionFetcher(
      RevisionStore store, Supplier<List<URI>> peers, RevisionSettings settings, DiskFloor disk) {
    this.store = store;
    this.peers = peers;
    this.settings = settings;
    this.disk = disk;
  }

  /** Peers that serve HTTPS are called with this trust (the cluster CA, see PeerTls). */
  public void useTls(io.drover.cluster.tls.PeerTls peerTls) {
    this.tls = peerTls;
  }

  /** The trust used for HTTPS peers, when the node has a cluster CA. */
  public java.util.Optional<io.drover.cluster.tls.PeerTls> peerTls() {
    return java.util.Optional.ofNullable(tls);
  }

  public RevisionStore store() {
    return store;
  }

  public RevisionSettings settings() {
    return settings;
  }

  /**
   * Sets where this node's credential comes from: sent as {@code Authorization: Bearer} with every
   * request to a peer (fetches here, replication asks in {@link RevisionReplicator}).
   */
  public void bearer(Supplier<Optional<String>> bearer) {
    this.bearer = bearer;
  }

  /** This node's credential for peers' APIs, if it has one now. */
  public Optional<String> bearer() {
    return bearer.get();
  }

  /** The API base URIs of the reachable peers, right now. */
  public List<URI> peers() {
    return peers.get();
  }

  /**
   * The revision on this host: at once when stored, otherwise after one shared transfer from a
   * peer. Fails with {@link Unavailable} (reason in the message) when no reachable peer has it.
   *
   * @param preferred asked first when present (e.g. the node that asks this one to replicate)
   * @param progress hears "fetching revision … from …" lines; may be called on any thread
   */
  public CompletableFuture<RevisionInfo> fetch(
      String id, Optional<URI> preferred, Consumer<String> progress) {
    if (!RevisionStore.isRevisionId(id)) {
      return CompletableFuture.failedFuture(
          new Unavailable("unknown revision '" + id + "': not a sha256 revision id"));
    }
    Optional<RevisionInfo> local = store.get(id);
    if (local.isPresent()) {
      return CompletableFuture.completedFuture(local.get());
    }
    Transfer fresh = new Transfer();
    Transfer t = inFlight.putIfAbsent(id, fresh);
    if (t == null) {
      t = fresh;
      t.listeners.add(progress);
      Transfer mine = t;
      try {
        transfers.execute(() -> run(id, preferred, mine));
      } catch (RuntimeException e) {
        inFlight.remove(id, mine);
        mine.result.completeExceptionally(e);
      }
    } else {
      t.listeners.add(progress);
      String s = t.status;
      if (s != null) {
        progress.accept(s);
      }
    }
    Transfer joined = t;
    return t.result.whenComplete((info, err) -> joined.listeners.remove(progress));
  }

  /** {@link #fetch} with no preferred source and nobody listening. */
  public CompletableFuture<RevisionInfo> fetch(String id) {
    return fetch(id, Optional.empty(), s -> {});
  }

  /**
   * The revision, from the local store or fetched from a peer; empty when no reachable node has it.
   * Blocks the calling thread until the shared transfer ends.
   */
  public Optional<RevisionInfo> ensureLocal(String id) throws IOException {
    try {
      return Optional.of(await(id));
    } catch (Unavailable e) {
      return Optional.empty();
    }
  }

  /** For ReleaseDirs: the unpacked release or a clear error naming the revision. Blocks. */
  public Path releaseDirOrFail(String id) throws IOException {
    await(id);
    return store.releaseDir(id);
  }

  /** The shared transfer's result, its failure as an IOException ({@link Unavailable} if none). */
  private RevisionInfo await(String id) throws IOException {
    try {
      return fetch(id).get();
    } catch (ExecutionException e) {
      if (e.getCause() instanceof IOException io) {
        throw io;
      }
      throw new IOException(e.getCause());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while fetching revision " + id, e);
    }
  }

  /**
   * Runs transfer {@code t}; it leaves {@code inFlight} before its result is known, so that a fetch
   * asked for by whoever that result wakes (e.g. a retry after a failure) starts a new transfer
   * instead of joining the finished one and getting its stale failure.
   */
  private void run(String id, Optional<URI> preferred, Transfer t) {
    RevisionInfo info = null;
    Throwable failure = null;
    try {
      info = fetchNow(id, preferred, t);
    } catch (Throwable e) {
      failure = e;
    } finally {
      inFlight.remove(id, t);
    }
    if (failure == null) {
      t.result.complete(info);
    } else {
      t.result.completeExceptionally(failure);
    }
  }

  private RevisionInfo fetchNow(String id, Optional<URI> preferred, Transfer t) throws IOException {
    Optional<RevisionInfo> local = store.get(id);
    if (local.isPresent()) {
      return local.get();
    }
    if (disk != null) {
      DiskFloor.Status status = disk.check();
      if (status.low()) {
        throw new IOException("revision " + id + " not fetched: " + status.message(disk.dataDir()));
      }
    }
    List<URI> order = order(peers.get(), preferred);
    if (order.isEmpty()) {
      throw new Unavailable(
          "revision "
              + id
              + " is not on this host and no other host is reachable to fetch it from");
    }
    log.info(
        "revision {}: not on this host, fetching it (reachable hosts to ask: {})",
        id,
        order.size());
    List<String> asked = new ArrayList<>();
    for (URI peer : order) {
      String name = peer.getAuthority();
      t.report("fetching revision " + id + " from " + name);
      long started = System.nanoTime();
      try {
        Optional<RevisionInfo> info = fetchFrom(peer, id);
        if (info.isPresent()) {
          log.info(
              "revision {} fetched from {} ({} bytes in {} ms)",
              id,
              name,
              info.get().size(),
              (System.nanoTime() - started) / 1_000_000);
          return info.get();
        }
        asked.add(name + ": not there");
      } catch (SocketTimeoutException e) {
        asked.add(name + ": " + e.getMessage());
        log.warn("revision {}: {} timed out ({}); asking the next host", id, name, e.getMessage());
      } catch (IOException | RevisionRejected | RuntimeException e) {
        asked.add(name + ": " + e.getMessage());
        log.warn("revision {}: fetching from {} failed: {}", id, name, e.getMessage());
      }
    }
    throw new Unavailable(
        "revision "
            + id
            + " not found on any reachable host (asked "
            + String.join(", ", asked)
            + ")");
  }

  /**
   * The peers in a random order, the preferred one first if it is one of them (a name that is not a
   * reachable member is never asked).
   */
  static List<URI> order(List<URI> peers, Optional<URI> preferred) {
    List<URI> shuffled = new ArrayList<>(peers);
    Collections.shuffle(shuffled, ThreadLocalRandom.current());
    if (preferred.isPresent()) {
      // by host:port: the scheme is the one the peer advertises (http or https)
      String authority = preferred.get().getAuthority();
      for (int i = 0; i < shuffled.size(); i++) {
        if (shuffled.get(i).getAuthority().equals(authority)) {
          shuffled.add(0, shuffled.remove(i));
          break;
        }
      }
    }
    return shuffled;
  }

  /**
   * Streams the archive from one peer to a staged file while hashing and counting it. Empty when
   * the peer lacks it.
   */
  private Optional<RevisionInfo> fetchFrom(URI peer, String id)
      throws IOException, RevisionRejected {
    HttpURLConnection c =
        (HttpURLConnection)
            peer.resolve("/api/v1/revisions/" + id + "/archive").toURL().openConnection();
    io.drover.cluster.tls.PeerTls peerTls = tls;
    if (peerTls != null && c instanceof javax.net.ssl.HttpsURLConnection https) {
      peerTls.apply(https);
    }
    // Connect timeout for the TCP handshake; the read timeout bounds every wait for bytes, the
    // response headers included: a peer that accepts and then stalls is left after it.
    c.setConnectTimeout(millis(settings.connectTimeout()));
    c.setReadTimeout(millis(settings.idleTimeout()));
    c.setUseCaches(false);
    c.setInstanceFollowRedirects(false);
    bearer().ifPresent(token -> c.setRequestProperty("Authorization", "Bearer " + token));
    try {
      int status;
      try {
        status = c.getResponseCode();
      } catch (SocketTimeoutException e) {
        throw new SocketTimeoutException(
            timeoutText(e, "no answer within " + settings.idleTimeout().toMillis() + " ms"));
      }
      if (status == 404) {
        return Optional.empty();
      }
      if (status != 200) {
        throw new IOException("HTTP " + status);
      }
      long max = settings.maxBytes();
      long declared = c.getContentLengthLong();
      if (declared > max) {
        throw new IOException(
            "it is " + declared + " bytes, more than drover.revisions.max-bytes (" + max + ")");
      }
      Path tmp = Files.createTempFile(store.uploadsDir(), "fetch-", ".part");
      try {
        MessageDigest sha = sha256();
        long total = 0;
        try (InputStream in = c.getInputStream();
            OutputStream out = Files.newOutputStream(tmp)) {
          byte[] buf = new byte[64 * 1024];
          int n;
          while (true) {
            try {
              n = in.read(buf);
            } catch (SocketTimeoutException e) {
              throw new SocketTimeoutException(
                  "no byte for "
                      + settings.idleTimeout().toMillis()
                      + " ms after "
                      + total
                      + " bytes");
            }
            if (n < 0) {
              break;
            }
            total += n;
            if (total > max) {
              throw new IOException(
                  "stopped after "
                      + total
                      + " bytes: more than drover.revisions.max-bytes ("
                      + max
                      + ")");
            }
            sha.update(buf, 0, n);
            out.write(buf, 0, n);
          }
        }
        String got = HexFormat.of().formatHex(sha.digest());
        if (!got.equals(id)) {
          throw new IOException("served bytes with sha256 " + got + ", not " + id + "; ignored");
        }
        RevisionInfo info = store.importFile(tmp);
        if (!info.id().equals(id)) {
          throw new IOException("imported " + info.id() + " when asked for " + id);
        }
        return Optional.of(info);
      } finally {
        Files.deleteIfExists(tmp);
      }
    } finally {
      c.disconnect();
    }
  }

  private static String timeoutText(SocketTimeoutException e, String fallback) {
    String m = e.getMessage();
    return m == null || m.isBlank() || m.equalsIgnoreCase("read timed out") ? fallback : m;
  }

  private static int millis(java.time.Duration d) {
    return (int) Math.max(1, Math.min(Integer.MAX_VALUE, d.toMillis()));
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new UncheckedIOException(new IOException("no SHA-256 in this JVM", e));
    }
  }

  @Override
  public void close() {
    transfers.shutdownNow();
  }
}
