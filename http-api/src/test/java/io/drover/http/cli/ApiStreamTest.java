package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.drover.cluster.tls.TlsDir;
import io.drover.http.tls.ClusterCa;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link Api#openStream}: the request it sends, its answer's body, closing it while a read waits, a
 * stream cut or ended by the node, refusals, TLS, and an interrupt while the head is awaited.
 */
class ApiStreamTest {

  private HttpServer server;
  private ServerSocket raw;
  private final CountDownLatch release = new CountDownLatch(1);
  private final List<String> seen = new CopyOnWriteArrayList<>();

  @TempDir Path tmp;

  @AfterEach
  void stop() throws IOException {
    release.countDown();
    if (server != null) {
      server.stop(0);
    }
    if (raw != null) {
      raw.close();
    }
  }

  /** Serves {@code handler} at {@code /api/v1/} over http (or https with {@code tls}). */
  private URI serve(HttpHandler handler, SSLContext tls) throws IOException {
    InetSocketAddress any = new InetSocketAddress("127.0.0.1", 0);
    if (tls == null) {
      server = HttpServer.create(any, 0);
    } else {
      HttpsServer https = HttpsServer.create(any, 0);
      https.setHttpsConfigurator(new HttpsConfigurator(tls));
      server = https;
    }
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext("/api/v1/", handler);
    server.start();
    return URI.create(
        (tls == null ? "http" : "https") + "://127.0.0.1:" + server.getAddress().getPort());
  }

  /** Notes the stream headers of a request ({@code null} for one not sent). */
  private void note(HttpExchange ex) {
    seen.add(
        ex.getRequestURI().getPath()
            + " "
            + ex.getRequestHeaders().getFirst("Accept")
            + " "
            + ex.getRequestHeaders().getFirst("Authorization")
            + " "
            + ex.getRequestHeaders().getFirst("Last-Event-ID"));
  }

  /** A stream that says hello, then stays open and silent until the test ends. */
  private HttpHandler helloThenSilence() {
    return ex -> {
      try (ex) {
        note(ex);
        ex.getResponseHeaders().set("Content-Type", "text/event-stream");
        ex.sendResponseHeaders(200, 0); // chunked
        ex.getResponseBody().write(": hello\n\n".getBytes(StandardCharsets.UTF_8));
        ex.getResponseBody().flush();
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    };
  }

  private static String readHello(InputStream in) throws IOException {
    return new String(in.readNBytes(9), StandardCharsets.UTF_8);
  }

  /** Waits (bounded) until {@code t} waits or blocks; false when it never did in time. */
  private static boolean waitsSoon(Thread t) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (System.nanoTime() < deadline) {
      Thread.State s = t.getState();
      if (s == Thread.State.WAITING || s == Thread.State.TIMED_WAITING) {
        return true;
      }
      TimeUnit.MILLISECONDS.sleep(10);
    }
    return false;
  }

  @Test
  void theRequestAsksForAStreamWithTheTokenAndTheLastEventIdOnlyWhenGiven() throws Exception {
    URI uri = serve(helloThenSilence(), null);
    try (InputStream in = Api.of(uri, "t0k", null).openStream("/events", "d-1:4")) {
      assertEquals(": hello\n\n", readHello(in));
    }
    try (InputStream in = Api.of(uri, " ", null).openStream("/deploys/d-1/events", "")) {
      assertEquals(": hello\n\n", readHello(in));
    }
    assertEquals(
        List.of(
            "/api/v1/events text/event-stream Bearer t0k d-1:4",
            "/api/v1/deploys/d-1/events text/event-stream null null"),
        seen);
  }

  @Test
  void closingAnOpenStreamEndsAReadThatWaits() throws Exception {
    InputStream in = Api.of(serve(helloThenSilence(), null), "t", null).openStream("/events", "");
    assertEquals(": hello\n\n", readHello(in));
    AtomicReference<Object> ended = new AtomicReference<>();
    Thread reader =
        new Thread(
            () -> {
              try {
                ended.set(in.read());
              } catch (IOException e) {
                ended.set(e);
              }
            });
    reader.start();
    assertTrue(waitsSoon(reader), "the read waits for the silent node");
    assertEquals(null, ended.get());
    long start = System.nanoTime();
    in.close();
    reader.join(TimeUnit.SECONDS.toMillis(10));
    assertFalse(reader.isAlive(), "the waiting read ended with the close");
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    assertTrue(
        ended.get() instanceof IOException || Integer.valueOf(-1).equals(ended.get()),
        String.valueOf(ended.get()));
  }

  /** A node on a plain socket that answers every connection with {@code answer}, then hangs up. */
  private URI rawNode(String answer) throws IOException {
    ServerSocket listening = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    raw = listening;
    Thread t =
        new Thread(
            () -> {
              while (!listening.isClosed()) {
                try (Socket s = listening.accept()) {
                  InputStream in = s.getInputStream();
                  StringBuilder head = new StringBuilder();
                  int c;
                  while (!head.toString().endsWith("\r\n\r\n") && (c = in.read()) != -1) {
                    head.append((char) c);
                  }
                  OutputStream out = s.getOutputStream();
                  out.write(answer.getBytes(StandardCharsets.UTF_8));
                  out.flush();
                } catch (IOException e) {
                  // closed by the test's end
                }
              }
            },
            "raw-node");
    t.setDaemon(true);
    t.start();
    return URI.create("http://127.0.0.1:" + raw.getLocalPort());
  }

  @Test
  void aStreamCutInsideAChunkIsAnIOExceptionAndOneTheNodeEndsIsTheEndOfTheBody() throws Exception {
    String head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n";
    URI cut = rawNode(head + "Transfer-Encoding: chunked\r\n\r\n9\r\n: hello\n\n\r\n10\r\nshort");
    try (InputStream in = Api.of(cut, "t", null).openStream("/events", "")) {
      assertEquals(": hello\n\n", readHello(in));
      assertThrows(IOException.class, in::readAllBytes, "the watch takes it as a drop");
    }
    raw.close();

    URI ended = rawNode(head + "Transfer-Encoding: chunked\r\n\r\n9\r\n: hello\n\n\r\n0\r\n\r\n");
    try (InputStream in = Api.of(ended, "t", null).openStream("/events", "")) {
      assertEquals(": hello\n\n", readHello(in));
      assertEquals(-1, in.read(), "the watch takes it as the node ending the stream");
    }
  }

  @Test
  void aRefusalIsACliErrorWithItsExitCodeTheNodesDetailAndWhetherToRetry() throws Exception {
    URI uri =
        serve(
            ex -> {
              try (ex) {
                String path = ex.getRequestURI().getPath();
                int status = path.endsWith("/d-1/events") ? 403 : path.endsWith("/x") ? 404 : 503;
                byte[] b =
                    ("{\"status\":" + status + ",\"detail\":\"no " + status + "\"}")
                        .getBytes(StandardCharsets.UTF_8);
                ex.getResponseHeaders().set("Content-Type", "application/problem+json");
                ex.sendResponseHeaders(status, b.length);
                ex.getResponseBody().write(b);
              }
            },
            null);
    Api api = Api.of(uri, "t", null);

    CliError denied = assertThrows(CliError.class, () -> api.openStream("/deploys/d-1/events", ""));
    assertEquals(ExitCodes.NOT_AUTHORISED, denied.exitCode);
    assertFalse(denied.retryable);
    assertTrue(denied.getMessage().startsWith("not authorised (403: no 403)"), denied.getMessage());

    CliError unknown = assertThrows(CliError.class, () -> api.openStream("/x", ""));
    assertEquals(ExitCodes.FAILED, unknown.exitCode);
    assertFalse(unknown.retryable);
    assertEquals(uri + " answered 404: no 404", unknown.getMessage());

    CliError failing = assertThrows(CliError.class, () -> api.openStream("/events", "d-1:4"));
    assertEquals(ExitCodes.FAILED, failing.exitCode);
    assertTrue(failing.retryable, "a watch tries again");
    assertEquals(uri + " answered 503: no 503", failing.getMessage());
  }

  @Test
  void nothingListeningIsUnreachableAndWorthRetrying() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI uri = URI.create("http://127.0.0.1:" + port);
    CliError e =
        assertThrows(CliError.class, () -> Api.of(uri, "t", null).openStream("/events", ""));
    assertEquals(ExitCodes.UNREACHABLE, e.exitCode);
    assertTrue(e.retryable);
    assertTrue(
        e.getMessage().startsWith("cannot reach " + uri + ": connection refused"), e.getMessage());
  }

  @Test
  void overHttpsTheGivenTrustIsUsedAndAnUntrustedCertificateIsNotRetried() throws Exception {
    Path ca = tmp.resolve("ca");
    new ClusterCa(ca).init(false);
    new ClusterCa(ca).issue("node-1", List.of(), false);
    SSLContext serverTls = TlsDir.load(ca.resolve("node-1"), "--tls-dir").serverContext();
    URI uri = serve(helloThenSilence(), serverTls);
    SSLContext trust = Api.trusting(ca.resolve("node-1").resolve(ClusterCa.CA_CERT));
    try (InputStream in = Api.of(uri, "t", trust).openStream("/events", "")) {
      assertEquals(": hello\n\n", readHello(in));
    }

    CliError untrusted =
        assertThrows(CliError.class, () -> Api.of(uri, "t", null).openStream("/events", ""));
    assertEquals(ExitCodes.UNREACHABLE, untrusted.exitCode);
    assertFalse(untrusted.retryable, "an untrusted certificate wants --cacert, not time");
    assertTrue(
        untrusted.getMessage().startsWith("TLS with " + uri + " failed: "), untrusted.getMessage());
  }

  @Test
  void anInterruptEndsTheWaitForTheAnswersHead() throws Exception {
    CountDownLatch asked = new CountDownLatch(1);
    URI uri =
        serve(
            ex -> {
              try (ex) {
                asked.countDown();
                release.await(30, TimeUnit.SECONDS); // never answers while the test runs
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
            },
            null);
    AtomicReference<Object> ended = new AtomicReference<>();
    Thread t =
        new Thread(
            () -> {
              try {
                ended.set(Api.of(uri, "t", null).openStream("/events", ""));
              } catch (InterruptedException | RuntimeException e) {
                ended.set(e);
              }
            });
    t.start();
    assertTrue(asked.await(10, TimeUnit.SECONDS), "the request reached the node");
    assertTrue(waitsSoon(t), "the request waits for the answer's head");
    t.interrupt();
    t.join(TimeUnit.SECONDS.toMillis(10));
    assertFalse(t.isAlive(), "the interrupt ended the wait");
    assertTrue(ended.get() instanceof InterruptedException, String.valueOf(ended.get()));
  }
}
