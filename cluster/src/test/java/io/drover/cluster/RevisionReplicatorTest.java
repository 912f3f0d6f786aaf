package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.drover.actors.revision.RevisionStore;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link RevisionReplicator} against small local HTTP servers standing in for peers. */
class RevisionReplicatorTest {

  private static final String ID = "a".repeat(64);

  @TempDir Path tmp;

  private final List<HttpServer> servers = new ArrayList<>();
  private final CountDownLatch never = new CountDownLatch(1);
  private final List<String> queries = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    never.countDown();
    for (HttpServer s : servers) {
      s.stop(0);
    }
  }

  private URI peer(HttpHandler handler) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext(
        "/",
        ex -> {
          queries.add(ex.getRequestMethod() + " " + ex.getRequestURI());
          handler.handle(ex);
        });
    s.setExecutor(Executors.newCachedThreadPool());
    s.start();
    servers.add(s);
    return URI.create("http://127.0.0.1:" + s.getAddress().getPort());
  }

  private static void answer(HttpExchange ex, int status) throws IOException {
    ex.sendResponseHeaders(status, -1);
    ex.close();
  }

  private HttpHandler hang() {
    return ex -> {
      try {
        never.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      answer(ex, 200);
    };
  }

  private RevisionReplicator replicator(List<URI> peers, Duration deadline) {
    RevisionFetcher f =
        new RevisionFetcher(
            new RevisionStore(tmp, 1 << 20),
            () -> peers,
            new RevisionSettings(
                1 << 20, Duration.ofSeconds(1), Duration.ofSeconds(1), deadline, Duration.ZERO));
    return new RevisionReplicator(f, "127.0.0.1:9999");
  }

  @Test
  void aFailedAskSaysWhatWentWrongInWords() {
    assertEquals(
        "connection refused (its API is not serving yet, or it stopped)",
        RevisionReplicator.why(
            new java.util.concurrent.CompletionException(new java.net.ConnectException())));
    assertEquals(
        "request timed out",
        RevisionReplicator.why(new java.net.http.HttpTimeoutException("request timed out")));
    assertEquals("IOException", RevisionReplicator.why(new java.io.IOException()));
  }

  @Test
  void aNodeAloneHasOneCopy() throws Exception {
    assertEquals(
        1, replicator(List.of(), Duration.ofSeconds(5)).replicate(ID).get(5, TimeUnit.SECONDS));
  }

  @Test
  void aPausedPeerDoesNotHoldTheUploadWhenAnotherConfirms() throws Exception {
    URI paused = peer(hang());
    URI good = peer(ex -> answer(ex, 200));
    long start = System.nanoTime();
    int copies =
        replicator(List.of(paused, good), Duration.ofSeconds(20))
            .replicate(ID)
            .get(10, TimeUnit.SECONDS);
    assertEquals(2, copies);
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(5)) < 0);
    assertTrue(
        queries.contains("POST /api/v1/revisions/" + ID + "/fetch?from=127.0.0.1%3A9999"),
        queries.toString());
  }

  @Test
  void failedPeersAreReplacedByTheNextOnes() throws Exception {
    List<URI> peers = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      peers.add(peer(ex -> answer(ex, 404)));
    }
    peers.add(peer(ex -> answer(ex, 200)));
    for (int i = 0; i < 5; i++) {
      assertEquals(
          2, replicator(peers, Duration.ofSeconds(20)).replicate(ID).get(10, TimeUnit.SECONDS));
    }
  }

  @Test
  void peersThatFailAreAskedAgainUntilTheDeadline() throws Exception {
    AtomicInteger asked = new AtomicInteger();
    // refuses twice (like a node whose API is not bound yet), then stores it
    URI late = peer(ex -> answer(ex, asked.incrementAndGet() <= 2 ? 503 : 200));
    assertEquals(
        2,
        replicator(List.of(late), Duration.ofSeconds(20)).replicate(ID).get(15, TimeUnit.SECONDS));
    assertEquals(3, asked.get());
  }

  @Test
  void noConfirmationMeansStoredOnOneHostOnlyWithWhomItAsked() throws Exception {
    URI missing = peer(ex -> answer(ex, 404));
    long start = System.nanoTime();
    ExecutionException all404 =
        assertThrows(
            ExecutionException.class,
            () ->
                replicator(List.of(missing), Duration.ofMillis(1500))
                    .replicate(ID)
                    .get(10, TimeUnit.SECONDS));
    assertTrue(Duration.ofNanos(System.nanoTime() - start).compareTo(Duration.ofSeconds(6)) < 0);
    assertTrue(all404.getCause() instanceof RevisionReplicator.NotReplicated, all404.toString());
    String m = all404.getCause().getMessage();
    assertTrue(m.contains("stored on this host only"), m);
    assertTrue(m.contains("no other host confirmed a copy within 1500ms"), m);
    assertTrue(m.contains(missing.getAuthority() + ": HTTP 404"), m);
    assertTrue(m.contains("upload it again"), m);

    URI paused = peer(hang());
    ExecutionException late =
        assertThrows(
            ExecutionException.class,
            () ->
                replicator(List.of(paused), Duration.ofMillis(800))
                    .replicate(ID)
                    .get(10, TimeUnit.SECONDS));
    String lm = late.getCause().getMessage();
    assertTrue(late.getCause() instanceof RevisionReplicator.NotReplicated, late.toString());
    assertTrue(lm.contains("no other host confirmed a copy within 800ms"), lm);
    assertTrue(lm.contains(paused.getAuthority() + ": no answer yet"), lm);
  }
}
