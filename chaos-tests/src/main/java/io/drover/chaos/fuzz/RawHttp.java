package io.drover.chaos.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * A minimal HTTP/1.1 client over a plain socket: it sends whatever it is given (unknown methods,
 * malformed targets, odd headers) and reads the status line, one connection per request.
 */
public final class RawHttp {

  /** The status and body of one answer; {@code status} 0 when none could be read. */
  public record Answer(int status, String contentType, String body) {}

  private static final int MAX_BODY = 64 << 20;

  private final String host;
  private final int port;
  private final Duration timeout;

  /** Sent as {@code Authorization: Bearer <token>} unless a request has its own; null for none. */
  private final String token;

  public RawHttp(String host, int port, Duration timeout) {
    this(host, port, timeout, null);
  }

  /**
   * A client that sends {@code Authorization: Bearer token} with every request, unless the request
   * has an {@code Authorization} header of its own: that one is sent instead, and an empty one
   * means none at all (see {@link AuthMutation}).
   */
  public RawHttp(String host, int port, Duration timeout, String token) {
    this.host = host;
    this.port = port;
    this.timeout = timeout;
    this.token = token;
  }

  /**
   * Sends {@code r} and reads the answer until the server closes the connection.
   *
   * @throws IOException when the node cannot be reached or does not answer within the timeout
   */
  public Answer send(FuzzRequest r) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
      s.setSoTimeout((int) timeout.toMillis());
      StringBuilder head = new StringBuilder();
      head.append(r.method()).append(' ').append(r.target()).append(" HTTP/1.1\r\n");
      head.append("Host: ").append(host).append(':').append(port).append("\r\n");
      boolean ownAuthorization = false;
      for (FuzzRequest.Header h : r.headers()) {
        if (h.name().equalsIgnoreCase(AuthMutation.HEADER)) {
          ownAuthorization = true;
          if (h.value().isEmpty()) {
            continue; // dropped
          }
        }
        head.append(h.name()).append(": ").append(h.value()).append("\r\n");
      }
      if (!ownAuthorization && token != null) {
        head.append(AuthMutation.HEADER).append(": Bearer ").append(token).append("\r\n");
      }
      head.append("Content-Length: ").append(r.bodySize()).append("\r\n");
      head.append("Connection: close\r\n\r\n");
      OutputStream out = s.getOutputStream();
      try {
        out.write(head.toString().getBytes(StandardCharsets.UTF_8));
        out.write(r.body());
        out.flush();
      } catch (IOException writeFailed) {
        // A server may answer early (414, 413) and close while the body is still being sent:
        // that answer counts; only when there is none is the request unanswered.
        try {
          return read(s.getInputStream());
        } catch (IOException noAnswer) {
          writeFailed.addSuppressed(noAnswer);
          throw writeFailed;
        }
      }
      return read(s.getInputStream());
    }
  }

  private static Answer read(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    byte[] buf = new byte[8192];
    int n;
    while ((n = in.read(buf)) >= 0 && all.size() < MAX_BODY) {
      all.write(buf, 0, n);
    }
    String text = all.toString(StandardCharsets.ISO_8859_1);
    int skipped = 0;
    // interim answers (100 Continue) come before the final one
    while (text.startsWith("HTTP/1.1 1") && text.indexOf("\r\n\r\n") > 0) {
      int cut = text.indexOf("\r\n\r\n") + 4;
      text = text.substring(cut);
      skipped += cut;
    }
    if (skipped > 0) {
      byte[] rest = all.toByteArray();
      all = new ByteArrayOutputStream();
      all.write(rest, skipped, rest.length - skipped);
    }
    int eol = text.indexOf("\r\n");
    if (!text.startsWith("HTTP/1.") || eol < 12) {
      throw new IOException("no HTTP answer: '" + abbreviate(text) + "'");
    }
    int status = Integer.parseInt(text.substring(9, 12));
    int end = text.indexOf("\r\n\r\n");
    String headers = end < 0 ? text : text.substring(0, end);
    String body =
        end < 0
            ? ""
            : new String(all.toByteArray(), end + 4, all.size() - end - 4, StandardCharsets.UTF_8);
    String contentType = "";
    for (String line : headers.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).equalsIgnoreCase("content-type")) {
        contentType = line.substring(colon + 1).trim();
      }
    }
    if (headers.toLowerCase(java.util.Locale.ROOT).contains("transfer-encoding: chunked")) {
      body = dechunk(body);
    }
    return new Answer(status, contentType, body);
  }

  /** The payload of a chunked body (tolerant: stops at the first malformed chunk). */
  static String dechunk(String chunked) {
    StringBuilder b = new StringBuilder();
    int i = 0;
    while (i < chunked.length()) {
      int eol = chunked.indexOf("\r\n", i);
      if (eol < 0) {
        break;
      }
      int size;
      try {
        size = Integer.parseInt(chunked.substring(i, eol).split(";")[0].trim(), 16);
      } catch (NumberFormatException e) {
        break;
      }
      if (size == 0) {
        break;
      }
      int start = eol + 2;
      b.append(chunked, start, Math.min(chunked.length(), start + size));
      i = start + size + 2;
    }
    return b.toString();
  }

  static String abbreviate(String s) {
    return s.length() <= 200 ? s : s.substring(0, 200) + "...";
  }
}
