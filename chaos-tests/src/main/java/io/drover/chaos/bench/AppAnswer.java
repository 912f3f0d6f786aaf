package io.drover.chaos.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.locks.LockSupport;
import java.util.function.LongPredicate;

/**
 * Asks an app on 127.0.0.1 {@code GET /} over a plain socket and reads which process answered from
 * its {@code X-Pid} header. A raw socket instead of an HTTP client keeps one poll cheap (a refused
 * connect costs a few microseconds), so polling every millisecond measures the app, not the client.
 */
final class AppAnswer {

  /** An answer seen: the pid that gave it and {@link System#nanoTime()} when it was read. */
  record Seen(long pid, long nanos) {}

  private static final byte[] REQUEST =
      "GET / HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  private static final int MAX_HEAD = 16 * 1024;

  private AppAnswer() {}

  /**
   * Polls {@code port} about every millisecond until a 200 answer comes from a pid {@code accepted}
   * accepts; fails after {@code within}.
   */
  static Seen await(int port, LongPredicate accepted, Duration within) {
    long deadline = System.nanoTime() + within.toNanos();
    long lastPid = -1;
    while (System.nanoTime() < deadline) {
      long pid = answeringPid(port);
      if (pid > 0 && accepted.test(pid)) {
        return new Seen(pid, System.nanoTime());
      }
      lastPid = pid > 0 ? pid : lastPid;
      LockSupport.parkNanos(1_000_000);
    }
    throw new IllegalStateException(
        "port "
            + port
            + " gave no accepted answer within "
            + within
            + (lastPid > 0 ? " (last answer from pid " + lastPid + ")" : " (no answer)"));
  }

  /** The pid from the {@code X-Pid} header of a 200 answer to {@code GET /}; -1 if none. */
  static long answeringPid(int port) {
    try (Socket s = new Socket()) {
      s.setTcpNoDelay(true);
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      s.setSoTimeout(2000);
      s.getOutputStream().write(REQUEST);
      return parse(head(s.getInputStream()));
    } catch (IOException e) {
      return -1;
    }
  }

  /** The status line and headers, up to the blank line (or what came before EOF). */
  private static String head(InputStream in) throws IOException {
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    byte[] chunk = new byte[2048];
    while (buf.size() < MAX_HEAD) {
      int n = in.read(chunk);
      if (n < 0) {
        break;
      }
      buf.write(chunk, 0, n);
      if (buf.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
        break;
      }
    }
    return buf.toString(StandardCharsets.ISO_8859_1);
  }

  static long parse(String head) {
    String[] lines = head.split("\r\n");
    if (lines.length == 0 || !lines[0].matches("HTTP/1\\.[01] 200( .*)?")) {
      return -1;
    }
    for (int i = 1; i < lines.length && !lines[i].isEmpty(); i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0
          && lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT).equals("x-pid")) {
        try {
          return Long.parseLong(lines[i].substring(colon + 1).trim());
        } catch (NumberFormatException e) {
          return -1;
        }
      }
    }
    return -1;
  }
}
