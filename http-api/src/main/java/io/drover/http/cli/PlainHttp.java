package io.drover.http.cli;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Locale;

/**
 * One HTTP/1.1 exchange over a plain socket ({@code Connection: close}): what the client's requests
 * to an {@code http://} node go through. {@code HttpURLConnection} does the same job, but its first
 * request in a fresh JVM costs some 10 ms more (a service lookup of URL handlers over the class
 * path, a hundred more classes); https, uploads and a configured {@code http.proxyHost} stay with
 * it. The answer is read whole: by {@code Content-Length}, chunked, or up to the end of the stream.
 */
final class PlainHttp {

  /** The largest answer read (a node's biggest JSON answers are a few MiB). */
  static final int MAX_ANSWER_BYTES = 64 << 20;

  private PlainHttp() {}

  /** Whether {@code uri} can go over a plain socket (http, and no proxy configured). */
  static boolean applies(URI uri) {
    return "http".equalsIgnoreCase(uri.getScheme())
        && System.getProperty("http.proxyHost") == null
        && uri.getHost() != null;
  }

  /**
   * Sends one request and reads its answer; bounded waits: connecting {@code connectMillis}, and no
   * read longer than {@code readMillis}.
   *
   * @param body the request's body, null for none
   */
  static Api.Reply exchange(
      URI uri,
      String method,
      String token,
      String contentType,
      byte[] body,
      int connectMillis,
      int readMillis)
      throws IOException {
    String host = uri.getHost();
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    int port = uri.getPort() == -1 ? 80 : uri.getPort();
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress(bare, port), connectMillis);
      s.setSoTimeout(readMillis);
      s.setTcpNoDelay(true);
      OutputStream out = s.getOutputStream();
      out.write(request(uri, method, token, contentType, body));
      if (body != null) {
        out.write(body);
      }
      out.flush();
      return read(new BufferedInputStream(s.getInputStream()));
    }
  }

  /** The request's head. Pure. */
  static byte[] request(URI uri, String method, String token, String contentType, byte[] body) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path = path + "?" + uri.getRawQuery();
    }
    StringBuilder b = new StringBuilder(256);
    b.append(method).append(' ').append(path).append(" HTTP/1.1\r\n");
    b.append("Host: ").append(uri.getHost());
    if (uri.getPort() != -1) {
      b.append(':').append(uri.getPort());
    }
    b.append("\r\n");
    b.append("Accept: application/json, application/problem+json, text/plain\r\n");
    b.append("User-Agent: drover-cli\r\n");
    b.append("Connection: close\r\n");
    if (token != null) {
      b.append("Authorization: Bearer ").append(token).append("\r\n");
    }
    if (body != null) {
      b.append("Content-Type: ").append(contentType).append("\r\n");
      b.append("Content-Length: ").append(body.length).append("\r\n");
    } else if (method.equals("POST") || method.equals("PUT") || method.equals("PATCH")) {
      b.append("Content-Length: 0\r\n");
    }
    b.append("\r\n");
    return b.toString().getBytes(StandardCharsets.ISO_8859_1);
  }

  /** An HTTP/1.1 answer from {@code in} (interim 1xx answers skipped). */
  static Api.Reply read(InputStream in) throws IOException {
    while (true) {
      String status = line(in);
      if (status == null) {
        throw new EOFException("the server closed the connection without an answer");
      }
      String[] parts = status.split(" ", 3);
      if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
        throw new IOException("not an HTTP answer: " + shorten(status));
      }
      int code;
      try {
        code = Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        throw new IOException("not an HTTP answer: " + shorten(status));
      }
      long length = -1;
      boolean chunked = false;
      String type = "";
      for (String h = line(in); h != null && !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        if (colon <= 0) {
          continue;
        }
        String name = h.substring(0, colon).trim().toLowerCase(Locale.ROOT);
        String value = h.substring(colon + 1).trim();
        switch (name) {
          case "content-length":
            try {
              length = Long.parseLong(value);
            } catch (NumberFormatException e) {
              throw new IOException("bad Content-Length: " + shorten(value));
            }
            break;
          case "transfer-encoding":
            chunked = value.toLowerCase(Locale.ROOT).contains("chunked");
            break;
          case "content-type":
            type = value;
            break;
          default:
            break;
        }
      }
      if (code >= 100 && code < 200) {
        continue;
      }
      byte[] bytes;
      if (code == 204 || code == 304) {
        bytes = new byte[0];
      } else if (chunked) {
        bytes = chunks(in);
      } else if (length > MAX_ANSWER_BYTES) {
        throw new IOException(tooBig());
      } else if (length >= 0) {
        bytes = in.readNBytes((int) length);
        if (bytes.length < length) {
          throw new EOFException(
              "the answer ended after " + bytes.length + " of " + length + " bytes");
        }
      } else {
        bytes = in.readNBytes(MAX_ANSWER_BYTES + 1);
        if (bytes.length > MAX_ANSWER_BYTES) {
          throw new IOException(tooBig());
        }
      }
      return new Api.Reply(code, new String(bytes, StandardCharsets.UTF_8), type);
    }
  }

  private static byte[] chunks(InputStream in) throws IOException {
    ByteArrayOutputStream all = new ByteArrayOutputStream();
    while (true) {
      String size = line(in);
      if (size == null) {
        throw new EOFException("the chunked answer ended early");
      }
      int semi = size.indexOf(';');
      long n;
      try {
        n = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
      } catch (NumberFormatException e) {
        throw new IOException("bad chunk size: " + shorten(size));
      }
      if (n == 0) {
        for (String t = line(in); t != null && !t.isEmpty(); t = line(in)) {
          // trailers: none the client needs
        }
        return all.toByteArray();
      }
      if (n < 0 || all.size() + n > MAX_ANSWER_BYTES) {
        throw new IOException(tooBig());
      }
      byte[] chunk = in.readNBytes((int) n);
      if (chunk.length < n) {
        throw new EOFException("the chunked answer ended early");
      }
      all.write(chunk);
      line(in);
    }
  }

  /** One CRLF- (or LF-) terminated line in ISO-8859-1; null at the end of the stream. */
  private static String line(InputStream in) throws IOException {
    StringBuilder b = new StringBuilder(64);
    int c;
    while ((c = in.read()) != -1) {
      if (c == '\n') {
        int n = b.length();
        if (n > 0 && b.charAt(n - 1) == '\r') {
          b.setLength(n - 1);
        }
        return b.toString();
      }
      if (b.length() > 65536) {
        throw new IOException("an answer's header line is longer than 64 KiB");
      }
      b.append((char) c);
    }
    return b.length() == 0 ? null : b.toString();
  }

  private static String tooBig() {
    return "the answer is larger than " + (MAX_ANSWER_BYTES >> 20) + " MiB: not read";
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }
}
