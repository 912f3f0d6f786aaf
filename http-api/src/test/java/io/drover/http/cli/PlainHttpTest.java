package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/** The client's plain-socket HTTP/1.1 exchange. */
class PlainHttpTest {

  static Api.Reply read(String raw) throws IOException {
    return PlainHttp.read(new ByteArrayInputStream(raw.getBytes(StandardCharsets.UTF_8)));
  }

  @Test
  void readsAnAnswerByContentLength() throws Exception {
    Api.Reply r =
        read(
            "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n"
                + "{\"a\":\"\u00e9\"}\nrest");
    assertEquals(200, r.status());
    assertEquals("application/json", r.contentType());
    assertEquals("{\"a\":\"\u00e9\"}\n", r.body());
  }

  @Test
  void readsAChunkedAnswerAndSkipsInterimOnes() throws Exception {
    Api.Reply r =
        read(
            "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 404 Not Found\r\ncontent-type:"
                + " application/problem+json\r\nTransfer-Encoding: chunked\r\n\r\n"
                + "5;x=y\r\n{\"det\r\n9\r\nail\":\"x\"}\r\n0\r\nTrailer: t\r\n\r\n");
    assertEquals(404, r.status());
    assertEquals("application/problem+json", r.contentType());
    assertEquals("{\"detail\":\"x\"}", r.body());
  }

  @Test
  void readsToTheEndWithoutALengthAndNothingForNoContent() throws Exception {
    assertEquals("all of it", read("HTTP/1.0 200 OK\n\nall of it").body());
    assertEquals("", read("HTTP/1.1 204 No Content\r\n\r\n").body());
  }

  @Test
  void brokenAnswersAreErrors() {
    assertThrows(EOFException.class, () -> read(""));
    assertThrows(IOException.class, () -> read("SSH-2.0-OpenSSH\r\n\r\n"));
    assertThrows(IOException.class, () -> read("HTTP/1.1 abc OK\r\n\r\n"));
    assertThrows(
        EOFException.class, () -> read("HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort"));
    assertThrows(
        EOFException.class,
        () -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab"));
    // answers over the bound are refused before they are read
    IOException big =
        assertThrows(
            IOException.class, () -> read("HTTP/1.1 200 OK\r\nContent-Length: 999999999\r\n\r\n"));
    assertTrue(big.getMessage().contains("larger than 64 MiB"), big.getMessage());
    assertThrows(
        IOException.class,
        () -> read("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n7ffffff0\r\nab"));
  }

  @Test
  void theRequestHead() {
    String head =
        new String(
            PlainHttp.request(
                URI.create("http://[::1]:8080/api/v1/sites/a%20b?reason=x%26y"),
                "PUT",
                "t0k",
                "application/json",
                new byte[3]),
            StandardCharsets.ISO_8859_1);
    assertTrue(head.startsWith("PUT /api/v1/sites/a%20b?reason=x%26y HTTP/1.1\r\n"), head);
    assertTrue(head.contains("\r\nHost: [::1]:8080\r\n"), head);
    assertTrue(head.contains("\r\nAuthorization: Bearer t0k\r\n"), head);
    assertTrue(head.contains("\r\nContent-Length: 3\r\n"), head);
    assertTrue(head.contains("\r\nConnection: close\r\n"), head);
    assertTrue(head.endsWith("\r\n\r\n"), head);
    String post =
        new String(
            PlainHttp.request(URI.create("http://h/x"), "POST", null, null, null),
            StandardCharsets.ISO_8859_1);
    assertTrue(post.contains("\r\nContent-Length: 0\r\n") && !post.contains("Authorization"));
  }

  @Test
  void exchangesWithAServer() throws Exception {
    Map<String, String> seen = new ConcurrentHashMap<>();
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        x -> {
          seen.put("method", x.getRequestMethod());
          seen.put("auth", String.valueOf(x.getRequestHeaders().getFirst("Authorization")));
          seen.put("body", new String(x.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
          byte[] answer = "[1,2,3]".getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders().set("Content-Type", "application/json");
          x.sendResponseHeaders(201, 0); // chunked
          try (OutputStream o = x.getResponseBody()) {
            o.write(answer);
          }
        });
    server.start();
    try {
      URI uri = URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/api/v1/x");
      assertTrue(PlainHttp.applies(uri));
      Api.Reply r =
          PlainHttp.exchange(
              uri,
              "POST",
              "secret",
              "application/json",
              "{\"k\":1}".getBytes(StandardCharsets.UTF_8),
              5000,
              5000);
      assertEquals(201, r.status());
      assertEquals("[1,2,3]", r.body());
      assertEquals("POST", seen.get("method"));
      assertEquals("Bearer secret", seen.get("auth"));
      assertEquals("{\"k\":1}", seen.get("body"));
    } finally {
      server.stop(0);
    }
  }

  @Test
  void nothingListeningIsConnectionRefused() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort();
    }
    URI uri = URI.create("http://127.0.0.1:" + port + "/api/v1/sites");
    assertThrows(
        ConnectException.class, () -> PlainHttp.exchange(uri, "GET", null, null, null, 5000, 5000));
    assertTrue(!PlainHttp.applies(URI.create("https://127.0.0.1/")));
  }
}
