package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The event-stream request: its head, its answer's framing, and closing it while a read waits. */
class HttpStreamTest {

  private HttpServer server;
  private final CountDownLatch release = new CountDownLatch(1);

  @AfterEach
  void stop() {
    release.countDown();
    if (server != null) {
      server.stop(0);
    }
  }

  private static HttpStream.Body head(String raw) throws IOException {
    return HttpStream.head(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)), null);
  }

  @Test
  void theRequestAsksForAStreamWithTheTokenAndTheLastEventId() {
    String head =
        new String(
            HttpStream.request(URI.create("http://h1:8080/api/v1/events?x=1"), "t0k", "d-1:4"),
            StandardCharsets.UTF_8);
    assertTrue(head.startsWith("GET /api/v1/events?x=1 HTTP/1.1\r\nHost: h1:8080\r\n"), head);
    assertTrue(head.contains("\r\nAccept: text/event-stream\r\n"), head);
    assertTrue(head.contains("\r\nAuthorization: Bearer t0k\r\n"), head);
    assertTrue(head.contains("\r\nLast-Event-ID: d-1:4\r\n"), head);
    assertTrue(head.endsWith("\r\n\r\n"), head);
    String fresh =
        new String(
            HttpStream.request(URI.create("https://h1/api/v1/events"), null, ""),
            StandardCharsets.UTF_8);
    assertFalse(fresh.contains("Last-Event-ID") || fresh.contains("Authorization"), fresh);
  }

  @Test
  void aChunkedBodyIsDecodedAndACutInsideAChunkIsAnError() throws Exception {
    HttpStream.Body b =
        head(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\ntransfer-encoding: Chunked\r\n\r\n"
                + "5\r\ndata:\r\n6;ext=1\r\n x\n\nid\r\n0\r\n\r\n");
    assertEquals(200, b.status);
    assertEquals("data: x\n\nid", new String(b.readAllBytes(), StandardCharsets.UTF_8));
    assertEquals(-1, b.read());

    HttpStream.Body cut = head("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n10\r\nshort");
    assertThrows(EOFException.class, cut::readAllBytes);
    assertEquals(
        "to the end",
        new String(
            head("HTTP/1.1 403 F\r\n\r\nto the end").readAllBytes(), StandardCharsets.UTF_8));
    assertThrows(IOException.class, () -> head("SSH-2.0-OpenSSH\r\n\r\n"));
    assertThrows(EOFException.class, () -> head(""));
  }

  @Test
  void closingAnOpenStreamEndsAReadThatWaitsAndARefusalIsACliError() throws Exception {
    List<String> seen = new CopyOnWriteArrayList<>();
    server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    server.setExecutor(Executors.newCachedThreadPool());
    server.createContext(
        "/api/v1/events",
        ex -> {
          try (ex) {
            seen.add(
                ex.getRequestHeaders().getFirst("Accept")
                    + " "
                    + ex.getRequestHeaders().getFirst("Authorization")
                    + " "
                    + ex.getRequestHeaders().getFirst("Last-Event-ID"));
            ex.sendResponseHeaders(200, 0); // chunked
            ex.getResponseBody().write(": hello\n\n".getBytes(StandardCharsets.UTF_8));
            ex.getResponseBody().flush();
            release.await(30, TimeUnit.SECONDS); // then silent, the connection open
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    server.createContext(
        "/api/v1/deploys/d-1/events",
        ex -> {
          try (ex) {
            byte[] b = "{\"status\":403,\"detail\":\"role viewer needed\"}".getBytes();
            ex.sendResponseHeaders(403, b.length);
            ex.getResponseBody().write(b);
          }
        });
    server.start();
    Api api = Api.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort()), "t", null);

    InputStream in = api.openStream("/events", "d-1:4");
    assertEquals(List.of("text/event-stream Bearer t d-1:4"), seen);
    byte[] first = new byte[9];
    assertEquals(9, in.readNBytes(first, 0, 9));
    assertEquals(": hello\n\n", new String(first, StandardCharsets.UTF_8));
    AtomicReference<Object> ended = new AtomicReference<>();
    CountDownLatch reading = new CountDownLatch(1);
    Thread reader =
        new Thread(
            () -> {
              reading.countDown();
              try {
                ended.set(in.read());
              } catch (IOException e) {
                ended.set(e);
              }
            });
    reader.start();
    assertTrue(reading.await(10, TimeUnit.SECONDS));
    long start = System.nanoTime();
    in.close();
    reader.join(TimeUnit.SECONDS.toMillis(10));
    assertFalse(reader.isAlive(), "the waiting read ended with the close");
    assertTrue(System.nanoTime() - start < TimeUnit.SECONDS.toNanos(10));
    assertTrue(ended.get() instanceof IOException || Integer.valueOf(-1).equals(ended.get()));

    CliError refused =
        assertThrows(CliError.class, () -> api.openStream("/deploys/d-1/events", ""));
    assertEquals(ExitCodes.NOT_AUTHORISED, refused.exitCode);
    assertTrue(
        refused.getMessage().startsWith("not authorised (403: role viewer needed)"),
        refused.getMessage());
  }
}
