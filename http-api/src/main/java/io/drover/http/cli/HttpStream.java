package io.drover.http.cli;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Locale;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;

/**
 * A {@code GET} of an event stream ({@code text/event-stream}) over a socket, TLS for https: the
 * answer's head is read with a bounded wait, then its body for as long as the node sends it.
 * Closing the body closes the socket, which also ends a read blocked in another thread (the deploy
 * watch reads on a thread of its own and gives up on a silent stream from the caller's; {@code
 * HttpURLConnection}'s streams do not close while a read waits). The request says {@code
 * Connection: close}: a body that is not chunked ends with the connection.
 */
final class HttpStream {

  /** The most of a refusal's body read (its problem detail is short). */
  static final int MAX_REFUSAL_BYTES = 16 * 1024;

  /**
   * An answer: a 200's {@code body} to read on (close it when done), or another status with the
   * start of its body as {@code text} (then {@code body} is null and the socket closed).
   */
  record Answer(int status, String text, InputStream body) {}

  private HttpStream() {}

  /**
   * Opens the stream at {@code uri}; bounded waits: connecting {@code connectMillis}, the answer's
   * head and a refusal's body {@code headMillis}.
   *
   * @param token the bearer token, null for none
   * @param lastEventId the {@code Last-Event-ID} to resume after; null or empty for none
   * @param tls the trust for https; null for the JDK's default
   */
  static Answer open(
      URI uri, String token, String lastEventId, SSLContext tls, int connectMillis, int headMillis)
      throws IOException {
    boolean https = "https".equalsIgnoreCase(uri.getScheme());
    String host = uri.getHost();
    String bare = host.startsWith("[") ? host.substring(1, host.length() - 1) : host;
    int port = uri.getPort() != -1 ? uri.getPort() : https ? 443 : 80;
    Socket raw = new Socket();
    boolean streaming = false;
    try {
      raw.connect(new InetSocketAddress(bare, port), connectMillis);
      raw.setSoTimeout(headMillis);
      raw.setTcpNoDelay(true);
      Socket s = raw;
      if (https) {
        SSLContext ctx = tls != null ? tls : SSLContext.getDefault();
        SSLSocket ssl = (SSLSocket) ctx.getSocketFactory().createSocket(raw, bare, port, true);
        SSLParameters p = ssl.getSSLParameters();
        p.setEndpointIdentificationAlgorithm("HTTPS");
        ssl.setSSLParameters(p);
        ssl.startHandshake();
        s = ssl;
      }
      OutputStream out = s.getOutputStream();
      out.write(request(uri, token, lastEventId));
      out.flush();
      Body body = head(new BufferedInputStream(s.getInputStream()), raw);
      if (body.status != 200) {
        byte[] text = body.readNBytes(MAX_REFUSAL_BYTES);
        return new Answer(body.status, new String(text, StandardCharsets.UTF_8), null);
      }
      raw.setSoTimeout(0);
      streaming = true;
      return new Answer(200, "", body);
    } catch (GeneralSecurityException e) {
      throw new IOException("no TLS in this JVM: " + e.getMessage(), e);
    } finally {
      if (!streaming) {
        raw.close();
      }
    }
  }

  /** The request's head. Pure. */
  static byte[] request(URI uri, String token, String lastEventId) {
    String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    if (uri.getRawQuery() != null) {
      path = path + "?" + uri.getRawQuery();
    }
    StringBuilder b = new StringBuilder(256);
    b.append("GET ").append(path).append(" HTTP/1.1\r\n");
    b.append("Host: ").append(uri.getHost());
    if (uri.getPort() != -1) {
      b.append(':').append(uri.getPort());
    }
    b.append("\r\nAccept: text/event-stream\r\nUser-Agent: drover-cli\r\nConnection: close\r\n");
    if (token != null) {
      b.append("Authorization: Bearer ").append(token).append("\r\n");
    }
    if (lastEventId != null && !lastEventId.isEmpty()) {
      b.append("Last-Event-ID: ").append(lastEventId).append("\r\n");
    }
    b.append("\r\n");
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /** Reads an answer's status and head from {@code in} (interim 1xx skipped); its body follows. */
  static Body head(InputStream in, Socket socket) throws IOException {
    while (true) {
      String status = PlainHttp.line(in);
      if (status == null) {
        throw new EOFException("the server closed the connection without an answer");
      }
      String[] parts = status.split(" ", 3);
      int code;
      try {
        code = parts.length < 2 || !parts[0].startsWith("HTTP/") ? -1 : Integer.parseInt(parts[1]);
      } catch (NumberFormatException e) {
        code = -1;
      }
      if (code < 0) {
        throw new IOException("not an HTTP answer: " + shorten(status));
      }
      boolean chunked = false;
      for (String h = PlainHttp.line(in); h != null && !h.isEmpty(); h = PlainHttp.line(in)) {
        int colon = h.indexOf(':');
        if (colon > 0
            && h.substring(0, colon).trim().equalsIgnoreCase("transfer-encoding")
            && h.substring(colon + 1).toLowerCase(Locale.ROOT).contains("chunked")) {
          chunked = true;
        }
      }
      if (code >= 200) {
        return new Body(code, in, chunked, socket);
      }
    }
  }

  private static String shorten(String s) {
    return s.length() > 80 ? s.substring(0, 80) + "..." : s;
  }

  /**
   * An answer's body, chunked or up to the end of the connection; the connection ending inside a
   * chunk is an error (a cut stream), and closing the body closes the socket.
   */
  static final class Body extends InputStream {
    final int status;
    private final InputStream in;
    private final boolean chunked;
    private final Socket socket;
    private long left;
    private boolean started;
    private boolean done;

    Body(int status, InputStream in, boolean chunked, Socket socket) {
      this.status = status;
      this.in = in;
      this.chunked = chunked;
      this.socket = socket;
    }

    @Override
    public int read() throws IOException {
      byte[] one = new byte[1];
      return read(one, 0, 1) < 0 ? -1 : one[0] & 0xff;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      if (!chunked || len == 0) {
        return in.read(b, off, len);
      }
      if (done) {
        return -1;
      }
      if (left == 0) {
        if (started) {
          PlainHttp.line(in); // the CRLF after a chunk's data
        }
        started = true;
        String size = PlainHttp.line(in);
        if (size == null) {
          throw new EOFException("the connection ended inside the chunked answer");
        }
        int semi = size.indexOf(';');
        try {
          left = Long.parseLong((semi >= 0 ? size.substring(0, semi) : size).trim(), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size: " + shorten(size));
        }
        if (left <= 0) {
          done = true;
          return -1;
        }
      }
      int n = in.read(b, off, (int) Math.min(len, left));
      if (n < 0) {
        throw new EOFException("the connection ended inside a chunk");
      }
      left -= n;
      return n;
    }

    @Override
    public void close() throws IOException {
      if (socket != null) {
        socket.close();
      }
    }
  }
}
