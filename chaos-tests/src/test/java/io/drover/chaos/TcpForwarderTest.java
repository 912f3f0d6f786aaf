package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class TcpForwarderTest {

  /** Echoes one connection's bytes back until it closes. */
  private static Thread echo(ServerSocket server) {
    Thread t =
        new Thread(
            () -> {
              try (Socket s = server.accept();
                  InputStream in = s.getInputStream();
                  OutputStream out = s.getOutputStream()) {
                in.transferTo(out);
              } catch (Exception e) {
                // the test closed it
              }
            });
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void forwardsBothWays() throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (ServerSocket target = new ServerSocket(0, 1, lo);
        TcpForwarder f =
            TcpForwarder.start(
                lo, new InetSocketAddress(lo, target.getLocalPort()), peer -> true)) {
      echo(target);
      try (Socket s = new Socket(lo, f.port())) {
        s.setSoTimeout(5_000);
        s.getOutputStream().write("hello".getBytes(StandardCharsets.UTF_8));
        byte[] got = s.getInputStream().readNBytes(5);
        assertEquals("hello", new String(got, StandardCharsets.UTF_8));
      }
    }
  }

  @Test
  void closesConnectionsFromPeersItDoesNotAllow() throws Exception {
    InetAddress lo = InetAddress.getLoopbackAddress();
    try (ServerSocket target = new ServerSocket(0, 1, lo);
        TcpForwarder f =
            TcpForwarder.start(
                lo, new InetSocketAddress(lo, target.getLocalPort()), peer -> false)) {
      try (Socket s = new Socket(lo, f.port())) {
        s.setSoTimeout(5_000);
        assertEquals(-1, s.getInputStream().read());
      }
    }
  }
}
