package io.drover.http;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A loopback TCP proxy to a node that cuts, once, the connection whose answer first contains {@code
 * marker} (right after it: mid-event), and passes every other byte: a dropped connection for a
 * client to survive.
 */
final class CuttingProxy implements AutoCloseable {

  private final ServerSocket server;
  private final int target;
  private final String marker;
  private final AtomicBoolean cut = new AtomicBoolean();
  private final List<Socket> sockets = new CopyOnWriteArrayList<>();

  CuttingProxy(int target, String marker) throws IOException {
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    this.target = target;
    this.marker = marker;
    Thread accept = new Thread(this::accept, "cutting-proxy");
    accept.setDaemon(true);
    accept.start();
  }

  int port() {
    return server.getLocalPort();
  }

  /** True once a connection was cut. */
  boolean didCut() {
    return cut.get();
  }

  private void accept() {
    while (!server.isClosed()) {
      try {
        Socket client = server.accept();
        Socket node = new Socket(InetAddress.getLoopbackAddress(), target);
        sockets.add(client);
        sockets.add(node);
        pump(client.getInputStream(), node.getOutputStream(), null, client, node);
        pump(node.getInputStream(), client.getOutputStream(), marker, client, node);
      } catch (IOException e) {
        return;
      }
    }
  }

  private void pump(InputStream in, OutputStream out, String watch, Socket a, Socket b) {
    Thread t =
        new Thread(
            () -> {
              StringBuilder seen = new StringBuilder();
              byte[] buf = new byte[8192];
              try {
                for (int n = in.read(buf); n > 0; n = in.read(buf)) {
                  if (watch != null && !cut.get()) {
                    int before = seen.length();
                    seen.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
                    int at = seen.indexOf(watch);
                    if (at >= 0 && cut.compareAndSet(false, true)) {
                      out.write(buf, 0, at + watch.length() - before);
                      out.flush();
                      a.close();
                      b.close();
                      return;
                    }
                  }
                  out.write(buf, 0, n);
                  out.flush();
                }
              } catch (IOException e) {
                // either side went away
              }
              close(a);
              close(b);
            },
            "cutting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException ignored) {
      // already closed
    }
  }

  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException ignored) {
      // closing
    }
    sockets.forEach(CuttingProxy::close);
  }
}
