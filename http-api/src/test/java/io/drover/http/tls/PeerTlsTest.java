package io.drover.http.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.drover.cluster.tls.PeerTls;
import io.drover.cluster.tls.TlsDir;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * How nodes call each other's HTTPS APIs: a peer certificate from the cluster CA is trusted at any
 * address (node certificates name the node, not the address it is reached at), one from another CA
 * is not; both with HttpsURLConnection (fetches) and HttpClient (replication asks).
 */
class PeerTlsTest {

  @TempDir Path tmp;

  private HttpsServer serve(TlsDir cert) throws IOException {
    HttpsServer s =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    s.setHttpsConfigurator(new HttpsConfigurator(cert.serverContext()));
    s.createContext(
        "/",
        x -> {
          x.sendResponseHeaders(200, 2);
          x.getResponseBody().write("ok".getBytes());
          x.close();
        });
    s.start();
    return s;
  }

  @Test
  void clusterCaIsTrustedAtAnyAddressAndAForeignCaIsNot() throws Exception {
    Path ca = tmp.resolve("ca");
    Path other = tmp.resolve("other");
    new ClusterCa(ca).init(false);
    new ClusterCa(other).init(false);
    new ClusterCa(ca).issue("n1", List.of(), false);
    new ClusterCa(ca).issue("n2", List.of(), false);
    new ClusterCa(other).issue("x", List.of(), false);
    PeerTls tls = PeerTls.of(TlsDir.load(ca.resolve("n1"), "--tls-dir"));
    HttpClient client =
        HttpClient.newBuilder()
            .sslContext(tls.context())
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    HttpsServer good = serve(TlsDir.load(ca.resolve("n2"), "--tls-dir"));
    HttpsServer bad = serve(TlsDir.load(other.resolve("x"), "--tls-dir"));
    try {
      URI goodUri = URI.create("https://127.0.0.1:" + good.getAddress().getPort() + "/");
      URI badUri = URI.create("https://127.0.0.1:" + bad.getAddress().getPort() + "/");
      assertEquals(
          200, client.send(HttpRequest.newBuilder(goodUri).build(), discard()).statusCode());
      assertThrows(
          IOException.class, () -> client.send(HttpRequest.newBuilder(badUri).build(), discard()));

      HttpsURLConnection c = (HttpsURLConnection) goodUri.toURL().openConnection();
      tls.apply(c);
      assertEquals(200, c.getResponseCode());
      c.disconnect();
      HttpsURLConnection d = (HttpsURLConnection) badUri.toURL().openConnection();
      tls.apply(d);
      assertThrows(IOException.class, d::getResponseCode);
      d.disconnect();
    } finally {
      good.stop(0);
      bad.stop(0);
    }
  }

  private static HttpResponse.BodyHandler<Void> discard() {
    return HttpResponse.BodyHandlers.discarding();
  }
}
