package io.drover.http;

import com.typesafe.config.ConfigFactory;
import io.drover.cluster.Node;
import io.drover.http.auth.Bootstrap;
import io.drover.http.auth.Credentials;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** One real single-node cluster (LevelDB journal) with its HTTP API, on free loopback ports. */
public final class TestNode {

  final Node node;
  final int httpPort;

  /** The node's bootstrap admin token (from {@code <data-dir>/admin.token}), sent by default. */
  final String adminToken;

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  /** A reply: status and body. */
  record Reply(int status, String body) {}

  private TestNode(Node node, int httpPort, String adminToken) {
    this.node = node;
    this.httpPort = httpPort;
    this.adminToken = adminToken;
  }

  static TestNode start(Path dataDir, Map<String, Object> extra) throws Exception {
    return start(dataDir, extra, HttpServer.NO_TOKENS);
  }

  /** A node whose API also accepts the tokens of {@code credentials} (fixed test tokens). */
  static TestNode start(Path dataDir, Map<String, Object> extra, Credentials credentials)
      throws Exception {
    int http = freePort();
    Map<String, Object> o = new HashMap<>();
    o.put("drover.data-dir", dataDir.toString());
    o.put("drover.host", "test-host");
    o.put("drover.http.bind", "127.0.0.1");
    o.put("drover.http.port", http);
    o.put("pekko.remote.artery.canonical.port", freePort());
    o.put("pekko.coordinated-shutdown.exit-jvm", "off");
    o.put("pekko.cluster.jmx.multi-mbeans-in-same-jvm", "on");
    o.put("drover.agent.stop-grace", "2s");
    o.putAll(extra);
    Bootstrap bootstrap = Bootstrap.load(dataDir, Map.of());
    Node node = Node.start(ConfigFactory.parseMap(o));
    try {
      HttpServer.start(node, bootstrap, credentials)
          .toCompletableFuture()
          .get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
      throw e;
    }
    return new TestNode(node, http, bootstrap.token());
  }

  Reply call(String method, String path, String body) throws IOException, InterruptedException {
    return callAt(httpPort, method, path, body);
  }

  /** A request with {@code token} (none when null) instead of the admin token. */
  Reply callAs(String token, String method, String path, String body)
      throws IOException, InterruptedException {
    return send(token, httpPort, method, path, body);
  }

  /** A request to another server on this machine (e.g. a route bound alone by a test). */
  Reply callAt(int port, String method, String path, String body)
      throws IOException, InterruptedException {
    return send(adminToken, port, method, path, body);
  }

  private Reply send(String token, int port, String method, String path, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(60));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    HttpResponse<String> r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }

  Reply upload(byte[] archive) throws IOException, InterruptedException {
    HttpRequest req =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + httpPort + "/api/v1/revisions"))
            .timeout(Duration.ofSeconds(60))
            .header("Content-Type", "application/gzip")
            .header("Authorization", "Bearer " + adminToken)
            .POST(HttpRequest.BodyPublishers.ofByteArray(archive))
            .build();
    HttpResponse<String> r = client.send(req, HttpResponse.BodyHandlers.ofString());
    return new Reply(r.statusCode(), r.body());
  }

  /** A condition a test waits for. */
  public interface Check {
    boolean ok() throws Exception;
  }

  /** Waits until {@code check} holds, at most {@code within}; polls every 50 ms. */
  public static void await(Duration within, String what, Check check) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out after " + within + " waiting: " + what);
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  /** Stops the node (its instances first). */
  void close() throws Exception {
    node.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }
}
