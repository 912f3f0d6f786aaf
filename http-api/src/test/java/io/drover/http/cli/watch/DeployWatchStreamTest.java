package io.drover.http.cli.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.drover.cluster.tls.TlsDir;
import io.drover.http.cli.Api;
import io.drover.http.tls.ClusterCa;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The watch's connection handling against a scripted node (the JDK's HTTP server on loopback):
 * resuming with {@code Last-Event-ID} after a drop, giving up after the bounded retries, silence,
 * refusals. The real node is in {@code io.drover.http.DeployWatchApiTest}.
 */
class DeployWatchStreamTest {

  private static final long T0 = Instant.parse("2026-12-01T12:00:00Z").toEpochMilli();

  private HttpServer server;
  private final List<String> lastEventIds = new CopyOnWriteArrayList<>();
  private final AtomicInteger streams = new AtomicInteger();
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.stop(0);
    }
  }

  /** What the scripted stream does on its n-th connection (from 1). */
  interface Script {
    void serve(int n, HttpExchange ex, OutputStream body) throws IOException, InterruptedException;
  }

  private URI serve(String deployJson, int deployStatus, Script script) throws IOException {
    return serve(deployJson, deployStatus, script, null);
  }

  /** Over HTTPS with {@code tls} (the server's certificate) when not null. */
  private URI serve(String deployJson, int deployStatus, Script script, SSLContext tls)
      throws IOException {
    if (tls == null) {
      server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    } else {
      HttpsServer https = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/api/v1/deploys/d-1",
        ex -> {
          try (ex) {
            if (ex.getRequestURI().getPath().endsWith("/events")) {
              int n = streams.incrementAndGet();
              String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
              lastEventIds.add(last == null ? "" : last);
              ex.getResponseHeaders().add("Content-Type", "text/event-stream");
              ex.sendResponseHeaders(200, 0);
              OutputStream body = ex.getResponseBody();
              script.serve(n, ex, body);
            } else {
              byte[] b = deployJson.getBytes(StandardCharsets.UTF_8);
              ex.getResponseHeaders()
                  .add(
                      "Content-Type",
                      deployStatus == 200 ? "application/json" : "application/problem+json");
              ex.sendResponseHeaders(deployStatus, b.length);
              ex.getResponseBody().write(b);
            }
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.start();
    return URI.create(
        (tls == null ? "http" : "https") + "://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Serves {@code /api/v1/events} with {@code script}. */
  private URI serveAll(Script script) throws IOException {
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/api/v1/events",
        ex -> {
          try (ex) {
            int n = streams.incrementAndGet();
            String last = ex.getRequestHeaders().getFirst("Last-Event-ID");
            lastEventIds.add(last == null ? "" : last);
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            script.serve(n, ex, ex.getResponseBody());
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.start();
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
  }

  private static final String DEPLOY =
      "{\"id\":\"d-1\",\"state\":\"running\",\"parallel\":1,\"perPool\":1,"
          + "\"hosts\":[{\"host\":\"h1\",\"pool\":\"a\",\"state\":\"pending\"},"
          + "{\"host\":\"h2\",\"pool\":\"a\",\"state\":\"pending\"}]}";

  private static String event(long seq, String type, String host, String state, String reason) {
    StringBuilder data = new StringBuilder("{\"deploy\":\"d-1\",\"seq\":" + seq);
    data.append(",\"at\":").append(T0 + seq * 1000).append(",\"type\":\"").append(type).append('"');
    if (host != null) {
      data.append(",\"host\":\"").append(host).append('"');
    }
    data.append(",\"state\":\"").append(state).append('"');
    if (reason != null) {
      data.append(",\"reason\":\"").append(reason).append('"');
    }
    data.append('}');
    return "id: " + seq + "\nevent: " + type + "\ndata: " + data + "\n\n";
  }

  private static void write(OutputStream body, String text) throws IOException {
    body.write(text.getBytes(StandardCharsets.UTF_8));
    body.flush();
  }

  private static WatchSettings fast() {
    return WatchSettings.defaults()
        .withRetries(3, Duration.ofMillis(20), Duration.ofMillis(50), Duration.ofSeconds(20))
        .withZone(ZoneOffset.UTC)
        .withWidth(100);
  }

  /** Output captured as text. */
  private static final class Capture {
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream stream = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    String text() {
      return bytes.toString(StandardCharsets.UTF_8);
    }

    List<String> lines() {
      return new ArrayList<>(List.of(text().split("\n")));
    }
  }

  @Test
  void aDroppedStreamIsResumedAfterTheLastEventAndEveryStepIsPrintedOnce() throws Exception {
    URI uri =
        serve(
            DEPLOY,
            200,
            (n, ex, body) -> {
              if (n == 1) {
                write(body, ": steps of deploy d-1\n\n");
                write(body, event(1, "deploy-queued", null, "queued", null));
                write(body, event(2, "deploy-started", null, "running", "2 hosts"));
                write(body, event(3, "host-started", "h1", "replacing", null));
                // half an event, then the connection ends: dropped, never dispatched
                write(body, "id: 4\nevent: host-done\n");
              } else {
                write(body, event(4, "host-done", "h1", "done", null));
                write(body, event(5, "host-started", "h2", "replacing", null));
                write(body, event(6, "host-done", "h2", "done", null));
                write(body, event(7, "deploy-ended", null, "succeeded", null));
              }
            });
    Capture out = new Capture();
    Capture err = new Capture();
    int code =
        DeployWatch.watch(Api.of(uri, "t0k", null), "d-1", out.stream, err.stream, false, fast());
    assertEquals(0, code, out.text() + err.text());
    assertEquals(List.of("", "3"), lastEventIds, "resumed after the last whole event");
    assertEquals(
        List.of(
            "12:00:01 deploy-queued",
            "12:00:02 deploy-started: 2 hosts",
            "12:00:03 host-started h1 (0/2)",
            "12:00:04 host-done h1 (1/2)",
            "12:00:05 host-started h2 (1/2)",
            "12:00:06 host-done h2 (2/2)",
            "12:00:07 deploy-ended succeeded",
            "deploy d-1 succeeded in 5.0s (2/2 hosts)"),
        out.lines());
    assertTrue(
        err.text().contains("events of deploy d-1: the node ended the stream; reconnecting in"),
        err.text());
    assertTrue(err.text().contains("after event 3 (attempt 1/3)"), err.text());
  }

  @Test
  void aStreamThatKeepsDroppingWithoutProgressGivesUpWithExit3() throws Exception {
    URI uri =
        serve(
            DEPLOY,
            200,
            (n, ex, body) -> {
              if (n == 1) {
                write(body, event(1, "deploy-queued", null, "queued", null));
              }
            });
    Capture out = new Capture();
    Capture err = new Capture();
    int code =
        DeployWatch.watch(Api.of(uri, "t", null), "d-1", out.stream, err.stream, false, fast());
    assertEquals(3, code, err.text());
    assertEquals(List.of("", "1", "1", "1"), lastEventIds, "3 reconnections, each after event 1");
    assertTrue(
        err.text()
            .contains(
                "drover: lost the events of deploy d-1 (the node ended the stream);"
                    + " gave up after 3 reconnection attempts"),
        err.text());
  }

  @Test
  void aSilentStreamIsTakenAsDroppedAfterTheIdleTimeout() throws Exception {
    URI uri =
        serve(
            DEPLOY,
            200,
            (n, ex, body) -> {
              if (n == 1) {
                write(body, event(1, "deploy-queued", null, "queued", null));
                release.await(30, TimeUnit.SECONDS); // silent: no keep-alive
              } else {
                write(body, event(2, "deploy-ended", null, "aborted", "stopped by ci"));
              }
            });
    Capture out = new Capture();
    Capture err = new Capture();
    WatchSettings s =
        new WatchSettings(
            Duration.ofMillis(300),
            3,
            Duration.ofMillis(20),
            Duration.ofMillis(50),
            Duration.ofSeconds(20),
            Duration.ofMillis(50),
            100,
            ZoneOffset.UTC,
            System::currentTimeMillis);
    int code = DeployWatch.watch(Api.of(uri, "t", null), "d-1", out.stream, err.stream, false, s);
    assertEquals(1, code, "aborted: " + out.text() + err.text());
    assertTrue(err.text().contains("nothing heard for 0.3s"), err.text());
    assertEquals(
        "deploy d-1 aborted: stopped by ci (0/2 hosts done in 1.0s)",
        out.lines().get(out.lines().size() - 1));
  }

  @Test
  void onATerminalTheLiveLineIsRedrawnAndNotesAndTheOutcomeClearIt() throws Exception {
    URI uri =
        serve(
            DEPLOY,
            200,
            (n, ex, body) -> {
              write(body, event(1, "deploy-queued", null, "queued", null));
              write(body, event(2, "deploy-started", null, "running", "2 hosts"));
              write(body, event(3, "host-started", "h1", "replacing", null));
              write(body, event(4, "host-failed", "h1", "failed", "exit 1"));
              write(body, event(5, "deploy-ended", null, "failed", "host h1 failed: exit 1"));
            });
    Capture out = new Capture();
    Capture err = new Capture();
    int code =
        DeployWatch.watch(Api.of(uri, "t", null), "d-1", out.stream, err.stream, true, fast());
    assertEquals(1, code, out.text() + err.text());
    String text = out.text();
    assertTrue(text.startsWith("\r[....................] 0/2 hosts"), text);
    assertTrue(
        text.contains("\r\033[Kdeploy d-1 started: 2 hosts\n"), "clears the first draw: " + text);
    assertTrue(text.contains("host h1 failed: exit 1\n"), text);
    assertTrue(
        text.endsWith("deploy d-1 failed: host h1 failed: exit 1 (0/2 hosts done in 3.0s)\n"),
        text);
    assertFalse(err.text().contains("drover:"), err.text());
  }

  @Test
  void anUnknownDeployIsExit1WithTheNodesDetailAndABadTokenExit4() throws Exception {
    URI uri =
        serve(
            "{\"type\":\"about:blank\",\"status\":404,\"detail\":\"no deploy 'd-1': GET"
                + " /api/v1/deploys lists them\"}",
            404,
            (n, ex, body) -> {});
    Capture out = new Capture();
    Capture err = new Capture();
    assertEquals(
        1, DeployWatch.watch(Api.of(uri, "t", null), "d-1", out.stream, err.stream, false, fast()));
    assertTrue(
        err.text().contains("answered 404: no deploy 'd-1': GET /api/v1/deploys lists them"),
        err.text());
    assertEquals("", out.text());
    server.stop(0);

    URI denied = serve("{\"status\":401,\"detail\":\"unknown token\"}", 401, (n, ex, body) -> {});
    Capture err4 = new Capture();
    assertEquals(
        4,
        DeployWatch.watch(
            Api.of(denied, "bad", null), "d-1", out.stream, err4.stream, false, fast()));
    assertTrue(err4.text().contains("not authorised (401: unknown token)"), err4.text());
  }

  @Test
  void aFailingNodeIsExit3WithItsDetail() throws Exception {
    URI uri = serve("{\"status\":503,\"detail\":\"no leader yet\"}", 503, (n, ex, body) -> {});
    Capture out = new Capture();
    Capture err = new Capture();
    assertEquals(
        3, DeployWatch.watch(Api.of(uri, "t", null), "d-1", out.stream, err.stream, false, fast()));
    assertTrue(err.text().contains(uri + " answered 503: no leader yet"), err.text());
  }

  @Test
  void nothingListeningIsExit3AtOnce() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Capture out = new Capture();
    Capture err = new Capture();
    long start = System.nanoTime();
    int code =
        DeployWatch.watch(
            Api.of(URI.create("http://127.0.0.1:" + port), "t", null),
            "d-1",
            out.stream,
            err.stream,
            false,
            fast());
    assertEquals(3, code);
    assertTrue(
        err.text().contains("cannot reach http://127.0.0.1:" + port + ": connection refused"),
        err.text());
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10), "no long retries");
  }

  @Test
  void followingEveryDeployPrintsOneLinePerStepResumesWithTheGlobalIdAndEndsWhenInterrupted()
      throws Exception {
    URI uri =
        serveAll(
            (n, ex, body) -> {
              if (n == 1) {
                write(
                    body,
                    event(1, "deploy-started", null, "running", "2 hosts")
                        .replace("id: 1", "id: d-1:1"));
                write(
                    body,
                    "id: d-2:4\nevent: host-done\ndata: {\"deploy\":\"d-2\",\"seq\":4,\"at\":"
                        + (T0 + 9_000)
                        + ",\"type\":\"host-done\",\"host\":\"h9\",\"state\":\"done\"}\n\n");
              } else {
                write(
                    body,
                    event(2, "host-started", "h1", "replacing", null)
                        .replace("id: 2", "id: d-1:2"));
                release.await(30, TimeUnit.SECONDS);
              }
            });
    Capture out = new Capture();
    Capture err = new Capture();
    int[] code = {-1};
    Thread t =
        new Thread(
            () ->
                code[0] =
                    DeployWatch.followAll(Api.of(uri, "t", null), out.stream, err.stream, fast()));
    t.start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (out.lines().size() < 3 && System.nanoTime() < deadline) {
      TimeUnit.MILLISECONDS.sleep(20);
    }
    t.interrupt();
    t.join(TimeUnit.SECONDS.toMillis(30));
    assertFalse(t.isAlive());
    assertEquals(0, code[0], err.text());
    assertEquals(
        List.of(
            "12:00:01 d-1 deploy-started: 2 hosts",
            "12:00:09 d-2 host-done h9",
            "12:00:02 d-1 host-started h1"),
        out.lines());
    assertEquals(List.of("", "d-2:4"), lastEventIds, "resumed with the last global id");
  }

  @TempDir Path tmp;

  /** Trusts only the CA certificate in {@code caCrt}, as the CLI does with the cluster's CA. */
  private static SSLContext trusting(Path caCrt) throws Exception {
    KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
    ks.load(null, null);
    try (InputStream in = Files.newInputStream(caCrt)) {
      ks.setCertificateEntry("ca", CertificateFactory.getInstance("X.509").generateCertificate(in));
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(ks);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  @Test
  void overHttpsTheGivenTrustIsUsedAndAnUntrustedCertificateIsExit3WithWhatToDo() throws Exception {
    Path ca = tmp.resolve("ca");
    new ClusterCa(ca).init(false);
    new ClusterCa(ca).issue("node-1", List.of(), false);
    SSLContext serverTls = TlsDir.load(ca.resolve("node-1"), "--tls-dir").serverContext();
    URI uri =
        serve(
            DEPLOY,
            200,
            (n, ex, body) -> {
              write(body, event(1, "deploy-queued", null, "queued", null));
              write(body, event(2, "deploy-ended", null, "succeeded", null));
            },
            serverTls);
    Capture out = new Capture();
    Capture err = new Capture();
    SSLContext trust = trusting(ca.resolve("node-1").resolve(ClusterCa.CA_CERT));
    assertEquals(
        0,
        DeployWatch.watch(Api.of(uri, "t", trust), "d-1", out.stream, err.stream, false, fast()),
        out.text() + err.text());
    assertTrue(out.text().endsWith("deploy d-1 succeeded in 1.0s (0/2 hosts)\n"), out.text());

    Capture untrusted = new Capture();
    assertEquals(
        3,
        DeployWatch.watch(
            Api.of(uri, "t", null), "d-1", out.stream, untrusted.stream, false, fast()));
    assertTrue(
        untrusted.text().contains("drover: TLS with " + uri + " failed: "), untrusted.text());
    assertTrue(untrusted.text().contains("trust the cluster's CA"), untrusted.text());
  }
}
