package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes on one machine with the default instance port range (20000-29999, as users run
 * them), while a foreign process (this test JVM) squats the first ports of that range with HTTP
 * servers that answer 200 with their own pid. Three sites of three instances each of a small Python
 * app that answers {@code GET /} with its pid: every instance ends ready, and what answers on each
 * instance's port is that instance's own process. Before ports were random and attributed ({@code
 * SocketOwners}), agents handed out the same lowest ports and a squatter or another host's instance
 * passed readiness checks for an instance that crash-looped on "Address already in use".
 */
class SharedMachinePortsIT {

  private static final int SQUAT_FROM = 20000;
  private static final int SQUAT_TO = 20019;
  private static final int SITES = 3;
  private static final int INSTANCES = 3;

  private static final String APP =
      """
      import http.server, os

      class Handler(http.server.BaseHTTPRequestHandler):
          def do_GET(self):
              body = str(os.getpid()).encode()
              self.send_response(200)
              self.send_header("Content-Length", str(len(body)))
              self.end_headers()
              self.wfile.write(body)

          def log_message(self, *args):
              pass

      http.server.HTTPServer(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
      """;

  @TempDir Path tmp;

  private final List<LocalNode> nodes = new ArrayList<>();
  private final List<HttpServer> squatters = new ArrayList<>();
  private final List<ProcessHandle> instances = new ArrayList<>();
  private Postgres.Database db;

  @AfterEach
  void cleanUp() throws Exception {
    LocalNode.killAll(nodes, instances);
    for (HttpServer s : squatters) {
      s.stop(0);
    }
    if (db != null) {
      db.close();
    }
  }

  /** HTTP servers on the first ports of the range that are free; they answer with this pid. */
  private Set<Integer> squat() {
    byte[] body = ("squatter " + ProcessHandle.current().pid()).getBytes(StandardCharsets.UTF_8);
    Set<Integer> squatted = new TreeSet<>();
    for (int port = SQUAT_FROM; port <= SQUAT_TO; port++) {
      try {
        HttpServer s =
            HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 16);
        s.createContext(
            "/",
            x -> {
              x.sendResponseHeaders(200, body.length);
              x.getResponseBody().write(body);
              x.close();
            });
        s.start();
        squatters.add(s);
        squatted.add(port);
      } catch (IOException e) {
        // another process holds it already; this test only counts its own squatters
      }
    }
    return squatted;
  }

  /**
   * The interpreter itself, not a wrapper script (pyenv shims), so instances start fast: the
   * system's when there is one (a root node runs sites as an unprivileged user, who cannot reach an
   * interpreter under /root, as on any fleet host), else the one on the PATH.
   */
  private static String python() throws IOException, InterruptedException {
    if (Files.isExecutable(Path.of("/usr/bin/python3"))) {
      return "/usr/bin/python3";
    }
    Process p =
        new ProcessBuilder("python3", "-c", "import sys; print(sys.executable)")
            .redirectErrorStream(true)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS) && p.exitValue() == 0, "python3: " + out);
    return out;
  }

  private static String answer(int port) throws IOException, InterruptedException {
    HttpResponse<String> r =
        LocalNode.HTTP.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .timeout(Duration.ofSeconds(3))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    return r.statusCode() + " " + r.body();
  }

  private static String answerOrError(int port) throws InterruptedException {
    try {
      return answer(port);
    } catch (IOException e) {
      return e.toString();
    }
  }

  @Test
  void everyInstanceEndsReadyAnsweringFromItsOwnPid() throws Exception {
    Set<Integer> squatted = squat();
    assertFalse(squatted.isEmpty(), "could squat none of " + SQUAT_FROM + "-" + SQUAT_TO);
    db = Postgres.createDatabase();
    List<String> seeds = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      LocalNode n =
          new LocalNode(tmp.resolve("n" + i), "host-" + i)
              .withArgs(LocalNode.postgresArgs(db))
              .withArgs("--no-example");
      nodes.add(n);
      seeds.add(n.clusterAddress());
    }
    for (LocalNode n : nodes) {
      n.launch("--join", String.join(",", seeds));
    }
    for (LocalNode n : nodes) {
      n.awaitHealthy(Duration.ofSeconds(120));
    }
    LocalNode first = nodes.get(0);
    LocalNode.await(
        Duration.ofSeconds(60),
        "every host reachable in GET /hosts",
        () -> {
          Set<String> reachable = new TreeSet<>();
          first
              .json("/hosts")
              .forEach(
                  h -> {
                    if (h.path("reachable").asBoolean()) {
                      reachable.add(h.path("name").asText());
                    }
                  });
          return reachable.size() == nodes.size();
        });

    Path app = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(app.resolve("app.py"), APP);
    String revision = null;
    for (LocalNode n : nodes) {
      revision = n.uploadRevision(app, tmp);
    }
    String spec =
        "{\"revision\":\""
            + revision
            + "\",\"command\":[\""
            + python()
            + "\",\"app.py\"],\"instances\":"
            + INSTANCES
            + ",\"health\":{\"http\":\"/\",\"interval\":\"1s\"}}";
    long t0 = System.nanoTime();
    for (int s = 1; s <= SITES; s++) {
      HttpResponse<String> put =
          first.send("PUT", "/sites/web" + s, HttpRequest.BodyPublishers.ofString(spec));
      assertTrue(put.statusCode() / 100 == 2, put.body());
    }

    Map<String, JsonNode> ready = new HashMap<>();
    List<String> seen = new ArrayList<>();
    try {
      LocalNode.await(
          Duration.ofSeconds(90),
          SITES + " sites with " + INSTANCES + " ready instances each, answering from own pid",
          () -> {
            ready.clear();
            seen.clear();
            for (int s = 1; s <= SITES; s++) {
              for (JsonNode i : first.json("/sites/web" + s + "/instances")) {
                ProcessHandle.of(i.path("pid").asLong()).ifPresent(instances::add);
                String answer = answerOrError(i.path("port").asInt());
                seen.add(i + " -> port answers " + answer);
                if ("ready".equals(i.path("state").asText())
                    && answer.equals("200 " + i.path("pid").asLong())) {
                  ready.put(i.path("id").asText(), i);
                }
              }
            }
            return ready.size() == SITES * INSTANCES;
          });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last seen:\n" + String.join("\n", seen), e);
    }
    System.out.printf(
        "%d instances on 3 nodes ready in %d ms; squatted %s%n",
        ready.size(), Duration.ofNanos(System.nanoTime() - t0).toMillis(), squatted);

    Set<Integer> ports = new HashSet<>();
    Set<String> hosts = new TreeSet<>();
    for (JsonNode i : ready.values()) {
      int port = i.path("port").asInt();
      assertTrue(ports.add(port), "port " + port + " given twice: " + ready.values());
      assertFalse(squatted.contains(port), "instance on a squatted port: " + i);
      assertTrue(port >= 20000 && port <= 29999, "default range: " + i);
      hosts.add(i.path("host").asText());
    }
    assertTrue(hosts.size() >= 2, "instances of several agents: " + ready.values());
    for (int port : squatted) {
      assertEquals(
          "200 squatter " + ProcessHandle.current().pid(), answer(port), "squatter untouched");
    }
  }
}
