package io.drover.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.actors.revision.TarGz;
import io.drover.cluster.NodeSettings;
import io.drover.http.auth.Bootstrap;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Uploads {@code examples/hello} as a revision through the node's own HTTP API and makes sure the
 * site {@code hello} runs with two instances, then prints how to reach it.
 */
final class ExampleSite {

  private static final Logger log = LoggerFactory.getLogger(ExampleSite.class);
  private static final Duration READY_WITHIN = Duration.ofSeconds(120);

  private final NodeSettings settings;
  private final Path appDir;

  /** Where the admin token is, for the banner: " in <file>" or " from DROVER_ADMIN_TOKEN". */
  private final String tokenWhere;

  /** The node's bootstrap admin token, sent with every request. */
  private final String token;

  /** How a shell reads that token: from its file, or the environment variable. */
  private final String tokenInShell;

  private final HttpClient http;
  private final String scheme;

  /**
   * @param selfTls with HTTPS on: a context trusting the node's own API certificate
   */
  ExampleSite(
      NodeSettings settings,
      Path appDir,
      Bootstrap bootstrap,
      java.util.Optional<javax.net.ssl.SSLContext> selfTls) {
    this.settings = settings;
    this.appDir = appDir;
    this.token = bootstrap.token();
    this.tokenWhere = bootstrap.file().map(f -> " in " + f).orElse(" from " + Bootstrap.ENV);
    this.tokenInShell = bootstrap.file().map(f -> "$(cat " + f + ")").orElse("$" + Bootstrap.ENV);
    HttpClient.Builder b = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    selfTls.ifPresent(b::sslContext);
    this.http = b.build();
    this.scheme = selfTls.isPresent() ? "https" : "http";
  }

  private String base() {
    String host = settings.bind().equals("0.0.0.0") ? "127.0.0.1" : settings.bind();
    return scheme + "://" + host + ":" + settings.httpPort() + "/api/v1";
  }

  void ensureRunning() throws IOException, InterruptedException {
    Path tarGz = Files.createTempFile(settings.dataDir().resolve("tmp"), "hello-", ".tar.gz");
    String revision;
    try {
      TarGz.pack(appDir, tarGz);
      HttpResponse<String> up =
          http.send(
              HttpRequest.newBuilder(URI.create(base() + "/revisions"))
                  .header("Authorization", "Bearer " + token)
                  .header("Content-Type", "application/gzip")
                  .POST(HttpRequest.BodyPublishers.ofFile(tarGz))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (up.statusCode() / 100 != 2) {
        throw new IOException("uploading the example failed: " + up.body());
      }
      revision = Json.MAPPER.readTree(up.body()).get("id").asText();
    } finally {
      Files.deleteIfExists(tarGz);
    }
    Map<String, Object> spec =
        Map.of(
            "revision",
            revision,
            "command",
            List.of("java", "-Xmx32m", "-XX:TieredStopAtLevel=1", "Hello.java"),
            "instances",
            2,
            "health",
            Map.of("http", "/healthz"));
    HttpResponse<String> put =
        http.send(
            HttpRequest.newBuilder(URI.create(base() + "/sites/hello"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofByteArray(Json.bytes(spec)))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (put.statusCode() / 100 != 2) {
      throw new IOException("creating the example site failed: " + put.body());
    }
    log.info("example site hello runs revision {}", revision.substring(0, 12));
    List<Integer> ports = awaitReady();
    StringBuilder b = new StringBuilder("\n  Drover is up. The example site 'hello' runs twice:\n");
    for (int port : ports) {
      b.append("    curl http://127.0.0.1:").append(port).append("/\n");
    }
    String server = base().substring(0, base().length() - "/api/v1".length());
    String client =
        server.equals("http://127.0.0.1:8080") ? "./drover" : "./drover --server " + server;
    b.append("  Its status:  ")
        .append(client)
        .append(" site hello   (the API: curl -H \"Authorization: Bearer ")
        .append(tokenInShell)
        .append("\" ")
        .append(base())
        .append("/sites/hello)\n")
        .append("  Dashboard:   ")
        .append(server)
        .append("/ui/ (log in with the admin token")
        .append(tokenWhere)
        .append(")\n")
        .append("  Stop Drover: Ctrl-C (its instances stop first)\n");
    System.out.println(b);
  }

  /** Waits (bounded) until both instances are ready; returns their ports. */
  private List<Integer> awaitReady() throws IOException, InterruptedException {
    long deadline = System.nanoTime() + READY_WITHIN.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> r =
          http.send(
              HttpRequest.newBuilder(URI.create(base() + "/sites/hello/instances"))
                  .header("Authorization", "Bearer " + token)
                  .GET()
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() == 200) {
        last = Json.MAPPER.readTree(r.body());
        List<Integer> ports = new ArrayList<>();
        for (JsonNode i : last) {
          if ("ready".equals(i.path("state").asText())) {
            ports.add(i.path("port").asInt());
          }
        }
        if (ports.size() >= 2) {
          return ports;
        }
      }
      Thread.sleep(500);
    }
    log.warn(
        "example site hello is not ready after {}s; its instances: {}",
        READY_WITHIN.toSeconds(),
        last);
    return List.of();
  }
}
