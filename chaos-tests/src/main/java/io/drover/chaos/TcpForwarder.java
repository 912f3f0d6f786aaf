package io.drover.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;

/**
 * Forwards TCP connections from a listening address to a target, byte for byte in both directions
 * (two threads per connection). The chaos harness uses it to let nodes in network namespaces reach
 * the test PostgreSQL, which listens on 127.0.0.1 of the root namespace only: the forwarder listens
 * on the test bridge's address, PostgreSQL sees connections from 127.0.0.1. Connections from peers
 * that {@code allowed} rejects are closed at once.
 */
public final class TcpForwarder implements AutoCloseable {

  private final ServerSocket server;
  private final InetSocketAddress target;
  private final Predicate<InetAddress> allowed;
  private final Set<Socket> open = ConcurrentHashMap.newKeySet();
  private final Thread acceptor;
  private volatile boolean closed;

  private TcpForwarder(
      ServerSocket server, InetSocketAddress target, Predicate<InetAddress> allowed) {
    this.server = server;
    this.target = target;
    this.allowed = allowed;
    this.acceptor = new Thread(this::acceptLoop, "tcp-forward-accept-" + server.getLocalPort());
    acceptor.setDaemon(true);
  }

  /**
   * Listens on a free port of {@code listen} and forwards every accepted connection from an allowed
   * peer to {@code target}.
   */
  public static TcpForwarder start(
      InetAddress listen, InetSocketAddress target, Predicate<InetAddress> allowed)
      throws IOException {
    ServerSocket s = new ServerSocket();
    s.setReuseAddress(true);
    s.bind(new InetSocketAddress(listen, 0), 64);
    TcpForwarder f = new TcpForwarder(s, target, allowed);
    f.acceptor.start();
    return f;
  }

  /** The port it listens on. */
  public int port() {
    return server.getLocalPort();
  }

  private void acceptLoop() {
    while (!closed) {
      Socket in;
      try {
        in = server.accept();
      } catch (IOException e) {
        return;
      }
      if (!allowed.test(in.getInetAddress())) {
        closeQuietly(in);
        continue;
      }
      Socket out = new Socket();
      try {
        out.connect(target, 5_000);
        in.setTcpNoDelay(true);
        out.setTcpNoDelay(true);
      } catch (IOException e) {
        closeQuietly(in);
        closeQuietly(out);
        continue;
      }
      open.add(in);
      open.add(out);
      pump(in, out, "up");
      pump(out, in, "down");
    }
  }

  private void pump(Socket from, Socket to, String direction) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[16 * 1024];
              try (InputStream is = from.getInputStream();
                  OutputStream os = to.getOutputStream()) {
                int n;
                while ((n = is.read(buf)) >= 0) {
                  os.write(buf, 0, n);
                  os.flush();
                }
              } catch (SocketException e) {
                // the other direction closed both sockets, or a peer reset
              } catch (IOException e) {
                // a peer went away
              } finally {
                open.remove(from);
                open.remove(to);
                closeQuietly(from);
                closeQuietly(to);
              }
            },
            "tcp-forward-" + direction + "-" + from.getPort());
    t.setDaemon(true);
    t.start();
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing anyway
    }
  }

  /** Stops listening and closes every forwarded connection. */
  @Override
  public void close() {
    closed = true;
    try {
      server.close();
    } catch (IOException e) {
      // closing anyway
    }
    for (Socket s : open) {
      closeQuietly(s);
    }
    open.clear();
  }
}
