package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import io.drover.actors.revision.RevisionInfo;
import io.drover.actors.revision.RevisionStore;
import io.drover.actors.revision.TarGz;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link RevisionFetcher} against small local HTTP servers: a peer that accepts and never answers,
 * one that answers 404, one that serves the archive.
 */
class RevisionFetcherTest {

  private static final Duration IDLE = Duration.ofMillis(700);

  @TempDir Path tmp;

  private final List<HttpServer> servers = new ArrayList<>();
  private final List<ServerSocket> sockets = new ArrayList<>();
  private final List<Socket> accepted = new CopyOnWriteArrayList<>();
  private final List<RevisionFetcher> fetchers = new ArrayList<>();

  private byte[] archive;
  private String id;

  @BeforeEach
  void revision() throws Exception {
    Path app = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(app.resolve("hello.txt"), "hello\n");
    Path tgz = tmp.resolve("app.tar.gz");
    TarGz.pack(app, tgz);
    archive = Files.readAllBytes(tgz);
    id = RevisionStore.sha256(tgz);
  }

  @AfterEach
  void stop() throws IOException {
    for (RevisionFetcher f : fetchers) {
      f.close();
    }
    for (HttpServer s : servers) {
      s.stop(0);
    }
    for (Socket s : accepted) {
      s.close();
    }
    for (ServerSocket s : sockets) {
      s.close();
    }
  }

  private RevisionStore store(String name) throws IOException {
    return new RevisionStore(Files.createDirectories(tmp.resolve(name)), 1 << 20);
  }

  private RevisionFetcher fetcher(RevisionStore store, List<URI> peers, long maxBytes) {
    RevisionFetcher f =
        new RevisionFetcher(
            store,
            () -> peers,
            new RevisionSettings(
                maxBytes, Duration.ofSeconds(2), IDLE, Duration.ofSeconds(5), Duration.ZERO));
    fetchers.add(f);
    return f;
  }

  private URI serve(HttpHandler handler) throws IOException {
    HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.createContext("/", handler);
    s.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    s.start();
    servers.add(s);
    return URI.create("http://127.0.0.1:" + s.getAddress().getPort());
  }

  /** A peer whose TCP accepts (the backlog does) and which never sends a byte. */
  private URI silent() throws IOException {
    ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    sockets.add(s);
    Thread t =
        new Thread(
            () -> {
              try {
                while (true) {
                  accepted.add(s.accept());
                }
              } catch (IOException closed) {
                // test over
              }
            });
    t.setDaemon(true);
    t.start();
    return URI.create("http://127.0.0.1:" + s.getLocalPort());
  }

  private static HttpHandler bytes(byte[] body, AtomicInteger served) {
    return ex -> {
      served.incrementAndGet();
      ex.sendResponseHeaders(200, body.length);
      try (OutputStream out = ex.getResponseBody()) {
        out.write(body);
      }
    };
  }

  private static void notFound(HttpExchange ex) throws IOException {
    ex.sendResponseHeaders(404, -1);
    ex.close();
  }

  @Test
  void skipsASilentPeerAndA404AndFetchesFromTheGoodOneWithinTheIdleTimeout() throws Exception {
    AtomicInteger served = new AtomicInteger();
    URI silent = silent();
    URI missing = serve(RevisionFetcherTest::notFound);
    URI good = serve(bytes(archive, served));
    RevisionStore store = store("local");
    // the silent and missing peers come first whatever the shuffle: they are preferred in turn
    RevisionFetcher f = fetcher(store, List.of(silent, missing, good), 1 << 20);
    List<String> progress = new CopyOnWriteArrayList<>();
    long start = System.nanoTime();
    RevisionInfo info = f.fetch(id, Optional.of(silent), progress::add).get(20, TimeUnit.SECONDS);
    Duration took = Duration.ofNanos(System.nanoTime() - start);
    assertEquals(id, info.id());
    assertTrue(store.get(id).isPresent());
    assertEquals(1, served.get());
    assertTrue(
        took.compareTo(IDLE.multipliedBy(2).plusSeconds(3)) < 0,
        "a silent peer delayed the fetch by " + took);
    assertTrue(
        progress.get(0).equals("fetching revision " + id + " from " + silent.getAuthority()),
        progress.toString());
    assertTrue(
        progress.contains("fetching revision " + id + " from " + good.getAuthority()),
        progress.toString());
    assertTrue(Files.isDirectory(f.releaseDirOrFail(id)));
  }

  @Test
  void aRevisionNoPeerHasFailsWithWhomItAskedAndWhy() throws Exception {
    URI missing = serve(RevisionFetcherTest::notFound);
    URI silent = silent();
    RevisionFetcher f = fetcher(store("local"), List.of(missing, silent), 1 << 20);
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> f.fetch(id).get(20, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof RevisionFetcher.Unavailable, e.toString());
    String m = e.getCause().getMessage();
    assertTrue(m.contains("not found on any reachable host"), m);
    assertTrue(m.contains(missing.getAuthority() + ": not there"), m);
    assertTrue(m.contains(silent.getAuthority() + ": no answer within"), m);
    assertTrue(f.ensureLocal(id).isEmpty());
    RevisionFetcher alone = fetcher(store("alone"), List.of(), 1 << 20);
    ExecutionException none =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> alone.fetch(id).get(5, TimeUnit.SECONDS));
    assertTrue(
        none.getCause().getMessage().contains("no other host is reachable"), none.toString());
  }

  @Test
  void concurrentRequestsShareOneTransfer() throws Exception {
    AtomicInteger served = new AtomicInteger();
    CountDownLatch release = new CountDownLatch(1);
    URI slow =
        serve(
            ex -> {
              served.incrementAndGet();
              try {
                release.await(10, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              ex.sendResponseHeaders(200, archive.length);
              try (OutputStream out = ex.getResponseBody()) {
                out.write(archive);
              }
            });
    RevisionFetcher f = fetcher(store("local"), List.of(slow), 1 << 20);
    List<CompletableFuture<RevisionInfo>> all = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      all.add(f.fetch(id));
    }
    release.countDown();
    for (CompletableFuture<RevisionInfo> c : all) {
      assertEquals(id, c.get(20, TimeUnit.SECONDS).id());
    }
    assertEquals(1, served.get(), "one transfer for eight requests");
    // stored now: no transfer at all
    assertEquals(id, f.fetch(id).get(5, TimeUnit.SECONDS).id());
    assertEquals(1, served.get());
  }

  @Test
  void anOversizedArchiveIsStoppedWhileItStreams() throws Exception {
    AtomicInteger served = new AtomicInteger();
    byte[] big = new byte[200_000];
    // no Content-Length (chunked): the cap must hold while streaming
    URI huge =
        serve(
            ex -> {
              served.incrementAndGet();
              ex.sendResponseHeaders(200, 0);
              try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 50; i++) {
                  out.write(big);
                }
              } catch (IOException closedByClient) {
                // expected: the fetcher stops reading
              }
            });
    RevisionStore store = store("local");
    RevisionFetcher f = fetcher(store, List.of(huge), archive.length + 10L);
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> f.fetch(id).get(20, TimeUnit.SECONDS));
    assertTrue(
        e.getCause().getMessage().contains("more than drover.revisions.max-bytes"), e.toString());
    assertTrue(store.get(id).isEmpty());
    try (var staged = Files.list(store.uploadsDir())) {
      assertEquals(0, staged.count(), "no staged file left behind");
    }
  }

  @Test
  void nothingIsFetchedWhileTheDiskIsUnderItsFloor() throws Exception {
    AtomicInteger served = new AtomicInteger();
    URI good = serve(bytes(archive, served));
    RevisionStore store = store("full");
    RevisionFetcher f =
        new RevisionFetcher(
            store,
            () -> List.of(good),
            new RevisionSettings(
                1 << 20, Duration.ofSeconds(2), IDLE, Duration.ofSeconds(5), Duration.ZERO),
            new io.drover.actors.retention.DiskFloor(tmp, Long.MAX_VALUE, 0));
    fetchers.add(f);
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> f.fetch(id).get(20, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("under its floor"), e.toString());
    assertEquals(0, served.get(), "no transfer started");
    assertFalse(store.get(id).isPresent());
  }

  @Test
  void bytesWhoseHashIsNotTheIdAreNotImported() throws Exception {
    Path other = Files.createDirectories(tmp.resolve("other"));
    Files.writeString(other.resolve("evil.txt"), "not what you asked for\n");
    Path tgz = tmp.resolve("other.tar.gz");
    TarGz.pack(other, tgz);
    String otherId = RevisionStore.sha256(tgz);
    AtomicInteger served = new AtomicInteger();
    URI liar = serve(bytes(Files.readAllBytes(tgz), served));
    RevisionStore store = store("local");
    RevisionFetcher f = fetcher(store, List.of(liar), 1 << 20);
    ExecutionException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            ExecutionException.class, () -> f.fetch(id).get(20, TimeUnit.SECONDS));
    assertTrue(e.getCause().getMessage().contains("sha256 " + otherId), e.toString());
    assertTrue(store.list().isEmpty(), "nothing imported: " + store.list());
    assertFalse(store.get(otherId).isPresent());
    assertEquals(1, served.get());
  }

  @Test
  void orderIsShuffledPerRequestWithThePreferredReachablePeerFirst() {
    List<URI> peers = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      peers.add(URI.create("http://10.0.0." + i + ":8080"));
    }
    java.util.Set<URI> firsts = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      List<URI> o = RevisionFetcher.order(peers, Optional.empty());
      assertEquals(new java.util.HashSet<>(peers), new java.util.HashSet<>(o));
      firsts.add(o.get(0));
    }
    assertTrue(firsts.size() > 5, "spread: " + firsts.size() + " distinct first peers");
    URI preferred = peers.get(7);
    assertSame(preferred, RevisionFetcher.order(peers, Optional.of(preferred)).get(0));
    URI stranger = URI.create("http://203.0.113.9:8080");
    assertFalse(RevisionFetcher.order(peers, Optional.of(stranger)).contains(stranger));
    // ?from=host:port names a peer by address; it is asked with the scheme it advertises
    URI https = URI.create("https://10.0.0.99:8443");
    peers.add(https);
    assertSame(
        https,
        RevisionFetcher.order(peers, Optional.of(URI.create("http://10.0.0.99:8443"))).get(0));
  }
}
