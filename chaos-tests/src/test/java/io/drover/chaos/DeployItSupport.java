package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.actors.deploy.DeployOrder;
import io.drover.http.Json;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.junit.jupiter.api.io.TempDir;

/**
 * What {@link DeploysIT} drives its cluster with: the test app and its revisions, sites and deploys
 * over the API of one node, the invariants an ended deploy must hold, and a capacity sampler that
 * probes every instance from outside.
 */
abstract class DeployItSupport {

  @TempDir static Path tmp;

  /** The node every API call goes to; never killed. */
  LocalNode n1;

  /** A deploy of 3 hosts with a short bake; generous for a loaded 2-core machine. */
  static final Duration DEPLOY_WITHIN = Duration.ofSeconds(90);

  static final Set<String> ENDED = Set.of("succeeded", "failed", "aborted", "reverted");

  static final Set<String> HOST_ENDED = Set.of("done", "failed", "skipped", "vanished");

  // ---- the app and its revisions

  static String serving(String version) {
    return "import os\n"
        + "from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer\n"
        + "BODY = b'"
        + version
        + "'\n"
        + "class H(BaseHTTPRequestHandler):\n"
        + "    def do_GET(self):\n"
        + "        self.send_response(200)\n"
        + "        self.send_header('Content-Length', str(len(BODY)))\n"
        + "        self.end_headers()\n"
        + "        self.wfile.write(BODY)\n"
        + "    def log_message(self, *args):\n"
        + "        pass\n"
        + "print('"
        + version
        + " listening on', os.environ['PORT'], flush=True)\n"
        + "ThreadingHTTPServer(('127.0.0.1', int(os.environ['PORT'])), H).serve_forever()\n";
  }

  Path app(String name, String source) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("app-" + name));
    Files.writeString(dir.resolve("app.py"), source);
    return dir;
  }

  String upload(Path app) throws Exception {
    String[] id = {null};
    LocalNode.await(
        Duration.ofSeconds(60),
        "upload of " + app,
        () -> {
          id[0] = n1.uploadRevision(app, tmp);
          return true;
        });
    return id[0];
  }

  // ---- sites and deploys over the API

  void putSite(String site, String revision, int instances) throws Exception {
    String body =
        "{\"revision\":\""
            + revision
            + "\",\"command\":[\"python3\",\"app.py\"],\"instances\":"
            + instances
            + ",\"health\":{\"http\":\"/\",\"interval\":\"300ms\",\"timeout\":\"1s\"},"
            + "\"restart\":{\"initialBackoff\":\"100ms\",\"maxBackoff\":\"500ms\"}}";
    LocalNode.await(
        Duration.ofSeconds(60),
        "site " + site + " accepted",
        () -> {
          HttpResponse<String> r =
              n1.send("PUT", "/sites/" + site, HttpRequest.BodyPublishers.ofString(body));
          if (r.statusCode() == 503) {
            return false;
          }
          assertTrue(r.statusCode() / 100 == 2, r.body());
          return true;
        });
  }

  List<JsonNode> instances(String site) throws Exception {
    HttpResponse<String> r = n1.get("/sites/" + site + "/instances");
    if (r.statusCode() != 200) {
      throw new IOException("GET instances of " + site + " -> " + r.statusCode() + " " + r.body());
    }
    List<JsonNode> all = new ArrayList<>();
    Json.MAPPER.readTree(r.body()).forEach(all::add);
    return all;
  }

  /**
   * Waits until the site has exactly {@code count} instances, every one ready on {@code revision}
   * and answering {@code answer} on its port, on at least 2 distinct hosts; returns them.
   */
  List<JsonNode> awaitAll(String site, int count, String revision, String answer) throws Exception {
    List<List<JsonNode>> seen = new ArrayList<>(List.of(List.of()));
    try {
      LocalNode.await(
          Duration.ofSeconds(90),
          site + ": " + count + " ready instances of " + revision + " answering " + answer,
          () -> {
            List<JsonNode> is = instances(site);
            seen.set(0, is);
            Set<String> hosts = new TreeSet<>();
            for (JsonNode i : is) {
              if (!i.get("state").asText().equals("ready")
                  || !revision.equals(i.path("revision").asText())
                  || !answer.equals(answer(i.get("port").asInt()))) {
                return false;
              }
              hosts.add(i.get("host").asText());
            }
            return is.size() == count && hosts.size() >= 2;
          });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last seen: " + seen.get(0), e);
    }
    return seen.get(0);
  }

  /** What the app on {@code port} answers to {@code GET /}; null when it does not. */
  static String answer(int port) throws InterruptedException {
    if (port <= 0) {
      return null;
    }
    try {
      HttpResponse<String> r =
          LocalNode.HTTP.send(
              HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                  .timeout(Duration.ofSeconds(1))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    }
  }

  JsonNode startDeploy(String body) throws Exception {
    HttpResponse<String> r = n1.send("POST", "/deploys", HttpRequest.BodyPublishers.ofString(body));
    assertEquals(201, r.statusCode(), "POST /deploys " + body + " -> " + r.body());
    return Json.MAPPER.readTree(r.body());
  }

  /**
   * The step types the deploy's event stream sends within {@code window} after step {@code after}
   * (the stream ends early when the deploy does); a window of observation, not a wait for
   * something.
   */
  List<String> stepsWithin(String id, long after, Duration window) throws Exception {
    HttpResponse<java.util.stream.Stream<String>> r =
        LocalNode.HTTP.send(
            n1.request("/deploys/" + id + "/events?after=" + after).build(),
            HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, r.statusCode());
    List<String> types = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread reader =
        new Thread(
            () -> {
              try {
                r.body()
                    .filter(l -> l.startsWith("event:"))
                    .forEach(l -> types.add(l.substring(6).trim()));
              } catch (RuntimeException e) {
                // the stream was closed at the end of the window
              }
            },
            "steps-" + id);
    reader.setDaemon(true);
    reader.start();
    reader.join(window.toMillis());
    r.body().close();
    return List.copyOf(types);
  }

  JsonNode deploy(String id) throws Exception {
    return n1.json("/deploys/" + id);
  }

  JsonNode action(String id, String what) throws Exception {
    HttpResponse<String> r =
        n1.send(
            "POST",
            "/deploys/" + id + "/" + what,
            HttpRequest.BodyPublishers.ofString("{\"reason\":\"DeploysIT " + what + "\"}"));
    assertTrue(r.statusCode() / 100 == 2, what + " " + id + " -> " + r.statusCode() + r.body());
    return Json.MAPPER.readTree(r.body());
  }

  JsonNode awaitState(String id, Duration within, Set<String> states) throws Exception {
    return awaitState(id, within, "in " + states, d -> states.contains(d.get("state").asText()));
  }

  /** Polls the deploy until {@code holds} is true of it; returns that view. */
  JsonNode awaitState(
      String id, Duration within, String what, java.util.function.Predicate<JsonNode> holds)
      throws Exception {
    JsonNode[] last = {null};
    try {
      LocalNode.await(
          within,
          "deploy " + id + " " + what,
          () -> {
            last[0] = deploy(id);
            return holds.test(last[0]);
          });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last seen: " + last[0], e);
    }
    return last[0];
  }

  JsonNode awaitEnded(String id) throws Exception {
    return settled(awaitState(id, DEPLOY_WITHIN, ENDED));
  }

  /** I5: an ended deploy has every host in an end state ({@code done|failed|skipped|vanished}). */
  static JsonNode settled(JsonNode ended) {
    for (JsonNode h : ended.get("hosts")) {
      assertTrue(
          HOST_ENDED.contains(h.get("state").asText()),
          "host " + h.get("host") + " still in flight after the deploy ended: " + ended);
    }
    assertEquals(0, ended.get("counters").get("inProgress").asInt(), ended.toString());
    assertEquals(0, ended.get("counters").get("pending").asInt(), ended.toString());
    return ended;
  }

  static List<String> hostOrder(JsonNode deploy) {
    List<String> order = new ArrayList<>();
    deploy.get("hosts").forEach(h -> order.add(h.get("host").asText()));
    return order;
  }

  static Map<String, String> hostStates(JsonNode deploy) {
    Map<String, String> states = new TreeMap<>();
    deploy.get("hosts").forEach(h -> states.put(h.get("host").asText(), h.get("state").asText()));
    return states;
  }

  /** The order the product must use: {@link DeployOrder} of the deploy's hosts and seed. */
  static List<String> expectedOrder(JsonNode deploy) {
    List<DeployOrder.HostRef> refs = new ArrayList<>();
    deploy
        .get("hosts")
        .forEach(
            h -> refs.add(new DeployOrder.HostRef(h.get("host").asText(), h.get("pool").asText())));
    return DeployOrder.order(
            refs, deploy.get("seed").asText(), deploy.get("canary").get("perPool").asInt())
        .stream()
        .map(DeployOrder.Slot::host)
        .toList();
  }

  static String json(String... kv) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < kv.length; i += 2) {
      b.append(i == 0 ? "" : ",").append('"').append(kv[i]).append("\":").append(kv[i + 1]);
    }
    return b.append('}').toString();
  }

  static String q(String s) {
    return "\"" + s + "\"";
  }

  // ---- capacity, sampled from outside

  /**
   * Polls the site's instance list every ~100 ms and probes each instance's port; the capacity is
   * the number of instances that answer, and the hosts they answer from. A low sample is sampled
   * again at once and counts only when that one is low too: one sample is not atomic (a new
   * instance may start listening and the old one stop between two probes), while a real dip lasts
   * at least a process start.
   */
  final class Capacity implements AutoCloseable {
    private final String site;
    private final int desired;
    private final java.util.concurrent.ScheduledExecutorService sampler;
    private int samples;
    private int minAnswering = Integer.MAX_VALUE;
    private int minHosts = Integer.MAX_VALUE;
    private final List<String> violations = new ArrayList<>();
    private final Set<String> answers = new LinkedHashSet<>();

    Capacity(String site, int desired) {
      this.site = site;
      this.desired = desired;
      this.sampler =
          java.util.concurrent.Executors.newSingleThreadScheduledExecutor(
              r -> {
                Thread t = new Thread(r, "capacity-" + site);
                t.setDaemon(true);
                return t;
              });
      // one sample every 50 ms after the previous one ended
      sampler.scheduleWithFixedDelay(
          this::sampleOnce, 0, 50, java.util.concurrent.TimeUnit.MILLISECONDS);
    }

    private record Sample(int answering, Set<String> hosts, String detail) {}

    private Sample sample() throws Exception {
      Set<String> hosts = new TreeSet<>();
      int answering = 0;
      StringBuilder detail = new StringBuilder();
      for (JsonNode i : instances(site)) {
        String a = answer(i.get("port").asInt());
        detail
            .append(i.get("id").asText())
            .append('@')
            .append(i.get("host").asText())
            .append(':')
            .append(i.get("port").asInt())
            .append('=')
            .append(i.get("state").asText())
            .append('/')
            .append(a)
            .append(' ');
        if (a != null) {
          answering++;
          hosts.add(i.get("host").asText());
          synchronized (this) {
            answers.add(a);
          }
        }
      }
      return new Sample(answering, hosts, detail.toString());
    }

    private void sampleOnce() {
      {
        try {
          Sample s = sample();
          if (s.answering() < desired || s.hosts().size() < 2) {
            Sample again = sample();
            if (again.answering() < desired || again.hosts().size() < 2) {
              s = again;
              synchronized (this) {
                violations.add(
                    Instant.now() + " " + s.answering() + " on " + s.hosts() + ": " + s.detail());
              }
            } else {
              s = again;
            }
          }
          synchronized (this) {
            samples++;
            minAnswering = Math.min(minAnswering, s.answering());
            minHosts = Math.min(minHosts, s.hosts().size());
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (Exception e) {
          // the API did not answer this time: no sample
        }
      }
    }

    @Override
    public synchronized String toString() {
      return site
          + ": "
          + samples
          + " samples, min "
          + minAnswering
          + " answering (desired "
          + desired
          + ") on min "
          + minHosts
          + " hosts; answers seen "
          + answers;
    }

    /** Stops sampling and asserts capacity never dropped. */
    void check() {
      close();
      System.out.println("capacity " + this);
      synchronized (this) {
        assertTrue(samples >= 6, "too few capacity samples: " + this);
        assertTrue(violations.isEmpty(), "capacity dropped: " + this + "\n" + violations);
      }
    }

    /** Waits until the sampler took a few samples: the baseline before the deploy starts. */
    Capacity started() throws InterruptedException {
      try {
        awaitSamples();
      } catch (AssertionError | InterruptedException e) {
        close();
        throw e;
      }
      return this;
    }

    private void awaitSamples() throws InterruptedException {
      LocalNode.await(
          Duration.ofSeconds(30),
          "first capacity samples of " + site,
          () -> {
            synchronized (this) {
              return samples >= 3;
            }
          });
    }

    @Override
    public void close() {
      sampler.shutdownNow();
      try {
        sampler.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
