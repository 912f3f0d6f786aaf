package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import io.drover.actors.revision.RevisionStore;
import io.drover.actors.revision.TarGz;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Revision transfers carry the node's credential once it has one: the fetcher's archive GET and the
 * replicator's fetch request send {@code Authorization: Bearer <secret>}; without one a peer that
 * demands it refuses (401) and the fetch fails with that reason.
 */
class RevisionTransferCredentialTest {

  private static final String SECRET = "drv_node-secret";

  @TempDir Path tmp;

  private HttpServer server;
  private final List<String> authorizations = new CopyOnWriteArrayList<>();

  /** When set, the peer holds its answers until it is counted down. */
  private volatile java.util.concurrent.CountDownLatch gate;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
  }

  /** A peer that serves {@code archive} and confirms fetches only to the right bearer. */
  private URI peer(byte[] archive) throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          String auth = ex.getRequestHeaders().getFirst("Authorization");
          authorizations.add(ex.getRequestMethod() + " " + auth);
          java.util.concurrent.CountDownLatch g = gate;
          if (g != null) {
            try {
              g.await(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }
          if (!("Bearer " + SECRET).equals(auth)) {
            ex.sendResponseHeaders(401, -1);
            ex.close();
            return;
          }
          if (ex.getRequestMethod().equals("POST")) {
            ex.sendResponseHeaders(200, -1);
            ex.close();
            return;
          }
          ex.sendResponseHeaders(200, archive.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(archive);
          }
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  /** An archive of one file; its revision id is {@link RevisionStore#sha256} of the file. */
  private Path archive(String name, String content) throws IOException {
    Path app = Files.createDirectories(tmp.resolve(name));
    Files.writeString(app.resolve("hello.txt"), content);
    Path tgz = tmp.resolve(name + ".tar.gz");
    TarGz.pack(app, tgz);
    return tgz;
  }

  /** A fetcher with its own store that asks only {@code peer}. */
  private RevisionFetcher fetcher(URI peer, String storeName) throws IOException {
    RevisionStore store =
        new RevisionStore(Files.createDirectories(tmp.resolve(storeName)), 1 << 20);
    return new RevisionFetcher(
        store,
        () -> List.of(peer),
        new RevisionSettings(
            1 << 20,
            Duration.ofSeconds(2),
            Duration.ofSeconds(2),
            Duration.ofSeconds(5),
            Duration.ZERO));
  }

  @Test
  void fetchAndReplicationSendTheBearerOnceThereIsOne() throws Exception {
    Path tgz = archive("app", "hello\n");
    String id = RevisionStore.sha256(tgz);
    try (RevisionFetcher f = fetcher(peer(Files.readAllBytes(tgz)), "store")) {
      ExecutionException refused =
          org.junit.jupiter.api.Assertions.assertThrows(
              ExecutionException.class, () -> f.fetch(id).get(20, TimeUnit.SECONDS));
      assertTrue(refused.getCause().getMessage().contains("HTTP 401"), refused.toString());

      AtomicReference<Optional<String>> bearer = new AtomicReference<>(Optional.of(SECRET));
      f.bearer(bearer::get);
      assertEquals(id, f.fetch(id).get(20, TimeUnit.SECONDS).id());
      assertEquals(
          2, new RevisionReplicator(f, "127.0.0.1:1").replicate(id).get(20, TimeUnit.SECONDS));
      assertEquals(
          List.of("GET null", "GET Bearer " + SECRET, "POST Bearer " + SECRET), authorizations);
    }
  }

  @Test
  void aFetchAskedWhenAFailedOneEndsStartsAfresh() throws Exception {
    Path tgz = archive("app2", "again\n");
    String id = RevisionStore.sha256(tgz);
    try (RevisionFetcher f = fetcher(peer(Files.readAllBytes(tgz)), "s2")) {
      // the retry is asked from the failure's own callback, the moment the first transfer ends:
      // it must not join that finished transfer and get its stale 401
      java.util.concurrent.CompletableFuture<java.util.concurrent.CompletableFuture<?>> retry =
          new java.util.concurrent.CompletableFuture<>();
      gate = new java.util.concurrent.CountDownLatch(1); // the first answer waits for the callback
      f.fetch(id)
          .whenComplete(
              (info, err) -> {
                f.bearer(() -> Optional.of(SECRET));
                retry.complete(f.fetch(id));
              });
      gate.countDown();
      Object again = retry.get(20, TimeUnit.SECONDS).get(20, TimeUnit.SECONDS);
      assertEquals(id, ((io.drover.actors.revision.RevisionInfo) again).id());
    }
  }
}
