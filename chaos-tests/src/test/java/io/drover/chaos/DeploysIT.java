package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
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
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Deploys on three real nodes sharing a PostgreSQL journal, with real instance processes: a small
 * Python app that answers its version ({@code v1}, {@code v2}) and a {@code v3} that exits 3 at
 * start. One cluster serves every test (each uses its own site); the host-kill test runs last
 * because it leaves two nodes.
 *
 * <ol>
 *   <li>a deploy succeeds in its seeded order while capacity, sampled by probing every instance's
 *       port, never drops below the desired count nor onto fewer than 2 hosts;
 *   <li>a deploy to the crashing v3 fails with the exit code and log line and auto-reverts;
 *   <li>a second deploy of a site with a running (paused) one waits in the queue;
 *   <li>pause holds, resume goes on, revert reuses the seed and the order; abort ends consistent;
 *   <li>a host SIGKILLed mid-deploy ends {@code vanished}/{@code skipped} and the deploy succeeds
 *       on the survivors.
 * </ol>
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class DeploysIT {

  private static final Duration FORM_WITHIN = Duration.ofSeconds(120);

  /** A deploy of 3 hosts with a short bake; generous for a loaded 2-core machine. */
  private static final Duration DEPLOY_WITHIN = Duration.ofSeconds(90);

  private static final Set<String> ENDED = Set.of("succeeded", "failed", "aborted", "reverted");

  private static final Set<String> HOST_ENDED = Set.of("done", "failed", "skipped", "vanished");

  @TempDir static Path tmp;

  private final List<LocalNode> nodes = new ArrayList<>();
  private final List<ProcessHandle> orphans = new ArrayList<>();
  private Postgres.Database db;
  private LocalNode n1;
  private String v1;
  private String v2;
  private String v3;

  /** Answers "slow", 3 s after it starts: a host deploying it stays in flight that long. */
  private String slow;

  @BeforeAll
  void cluster() throws Exception {
    long t0 = System.nanoTime();
    db = Postgres.createDatabase();
    for (int i = 1; i <= 3; i++) {
      nodes.add(
          new LocalNode(tmp.resolve("n" + i), "host-" + i).withArgs(LocalNode.postgresArgs(db)));
    }
    n1 = nodes.get(0);
    n1.launch("--no-example");
    nodes.get(1).launch("--no-example", "--join", n1.clusterAddress());
    nodes
        .get(2)
        .launch(
            "--no-example", "--join", n1.clusterAddress() + "," + nodes.get(1).clusterAddress());
    for (LocalNode n : nodes) {
      n.awaitHealthy(FORM_WITHIN);
    }
    for (LocalNode n : nodes) {
      LocalNode.await(
          Duration.ofSeconds(90),
          n.host + " sees 3 reachable Up members",
          () -> {
            List<JsonNode> ms = n.members();
            return ms.size() == 3
                && ms.stream()
                    .allMatch(
                        m ->
                            m.get("status").asText().equals("up")
                                && m.get("reachable").asBoolean());
          });
    }
    v1 = upload(app("v1", serving("v1")));
    v2 = upload(app("v2", serving("v2")));
    slow = upload(app("slow", "import time\ntime.sleep(3)\n" + serving("slow")));
    v3 =
        upload(
            app(
                "v3",
                "import sys\n"
                    + "print('v3 cannot start: CONFIG_V3 is missing', flush=True)\n"
                    + "sys.exit(3)\n"));
    System.out.printf(
        "cluster of 3 up and revisions uploaded in %d ms%n",
        Duration.ofNanos(System.nanoTime() - t0).toMillis());
  }

  @AfterAll
  void killEverything() throws Exception {
    LocalNode.killAll(nodes, orphans);
    if (db != null) {
      db.close();
    }
  }

  // ---- the app and its revisions

  private static String serving(String version) {
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

  private Path app(String name, String source) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve("app-" + name));
    Files.writeString(dir.resolve("app.py"), source);
    return dir;
  }

  private String upload(Path app) throws Exception {
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

  private void putSite(String site, String revision, int instances) throws Exception {
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

  private List<JsonNode> instances(String site) throws Exception {
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
  private List<JsonNode> awaitAll(String site, int count, String revision, String answer)
      throws Exception {
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
  private static String answer(int port) throws InterruptedException {
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

  private JsonNode startDeploy(String body) throws Exception {
    HttpResponse<String> r = n1.send("POST", "/deploys", HttpRequest.BodyPublishers.ofString(body));
    assertEquals(201, r.statusCode(), "POST /deploys " + body + " -> " + r.body());
    return Json.MAPPER.readTree(r.body());
  }

  private JsonNode deploy(String id) throws Exception {
    return n1.json("/deploys/" + id);
  }

  private JsonNode action(String id, String what) throws Exception {
    HttpResponse<String> r =
        n1.send(
            "POST",
            "/deploys/" + id + "/" + what,
            HttpRequest.BodyPublishers.ofString("{\"reason\":\"DeploysIT " + what + "\"}"));
    assertTrue(r.statusCode() / 100 == 2, what + " " + id + " -> " + r.statusCode() + r.body());
    return Json.MAPPER.readTree(r.body());
  }

  private JsonNode awaitState(String id, Duration within, Set<String> states) throws Exception {
    JsonNode[] last = {null};
    try {
      LocalNode.await(
          within,
          "deploy " + id + " in " + states,
          () -> {
            last[0] = deploy(id);
            return states.contains(last[0].get("state").asText());
          });
    } catch (AssertionError e) {
      throw new AssertionError(e.getMessage() + "; last seen: " + last[0], e);
    }
    return last[0];
  }

  private JsonNode awaitEnded(String id) throws Exception {
    return settled(awaitState(id, DEPLOY_WITHIN, ENDED));
  }

  /** I5: an ended deploy has every host in an end state ({@code done|failed|skipped|vanished}). */
  private static JsonNode settled(JsonNode ended) {
    for (JsonNode h : ended.get("hosts")) {
      assertTrue(
          HOST_ENDED.contains(h.get("state").asText()),
          "host " + h.get("host") + " still in flight after the deploy ended: " + ended);
    }
    assertEquals(0, ended.get("counters").get("inProgress").asInt(), ended.toString());
    assertEquals(0, ended.get("counters").get("pending").asInt(), ended.toString());
    return ended;
  }

  private static List<String> hostOrder(JsonNode deploy) {
    List<String> order = new ArrayList<>();
    deploy.get("hosts").forEach(h -> order.add(h.get("host").asText()));
    return order;
  }

  private static Map<String, String> hostStates(JsonNode deploy) {
    Map<String, String> states = new TreeMap<>();
    deploy.get("hosts").forEach(h -> states.put(h.get("host").asText(), h.get("state").asText()));
    return states;
  }

  /** The order the product must use: {@link DeployOrder} of the deploy's hosts and seed. */
  private static List<String> expectedOrder(JsonNode deploy) {
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

  private static String json(String... kv) {
    StringBuilder b = new StringBuilder("{");
    for (int i = 0; i < kv.length; i += 2) {
      b.append(i == 0 ? "" : ",").append('"').append(kv[i]).append("\":").append(kv[i + 1]);
    }
    return b.append('}').toString();
  }

  private static String q(String s) {
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
  private final class Capacity implements AutoCloseable {
    private final String site;
    private final int desired;
    private final Thread thread;
    private volatile boolean stop;
    private int samples;
    private int minAnswering = Integer.MAX_VALUE;
    private int minHosts = Integer.MAX_VALUE;
    private final List<String> violations = new ArrayList<>();
    private final Set<String> answers = new LinkedHashSet<>();

    Capacity(String site, int desired) {
      this.site = site;
      this.desired = desired;
      this.thread = new Thread(this::run, "capacity-" + site);
      thread.setDaemon(true);
      thread.start();
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

    private void run() {
      while (!stop) {
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
          Thread.sleep(50);
        } catch (InterruptedException e) {
          return;
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
      stop = true;
      thread.interrupt();
      try {
        thread.join(10_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }

  // ---- the scenarios

  @Test
  @Order(1)
  void aDeploySucceedsInSeedOrderAndNeverDropsCapacity() throws Exception {
    long t0 = System.nanoTime();
    putSite("roll", v1, 4);
    awaitAll("roll", 4, v1, "v1");
    JsonNode d;
    try (Capacity capacity = new Capacity("roll", 4).started()) {
      d =
          startDeploy(
              json(
                  "sites", "[\"roll\"]",
                  "revision", q(v2),
                  "seed", q("first-seed"),
                  "canary", "{\"perPool\":1,\"bake\":\"2s\"}",
                  "reason", q("DeploysIT: roll v2")));
      assertEquals("first-seed", d.get("seed").asText());
      d = awaitEnded(d.get("id").asText());
      awaitAll("roll", 4, v2, "v2");
      capacity.check();
    }
    assertEquals("succeeded", d.get("state").asText(), d.toString());
    assertEquals(v1, d.get("previous").get("roll").asText(), d.toString());
    assertEquals("DeploysIT: roll v2", d.get("reason").asText());
    List<String> order = hostOrder(d);
    assertEquals(Set.of("host-1", "host-2", "host-3"), new TreeSet<>(order), "every host: " + d);
    assertEquals(expectedOrder(d), order, "the seeded order: " + d);
    assertTrue(d.get("hosts").get(0).get("canary").asBoolean(), "canary first: " + d);
    Instant previous = Instant.MIN;
    for (JsonNode h : d.get("hosts")) {
      assertEquals("done", h.get("state").asText(), d.toString());
      Instant started = Instant.parse(h.get("startedAt").asText());
      assertFalse(started.isBefore(previous), "hosts start in deploy order: " + d);
      previous = started;
    }
    // the canary baked before the others started
    Instant canaryEnded = Instant.parse(d.get("hosts").get(0).get("endedAt").asText());
    Instant secondStarted = Instant.parse(d.get("hosts").get(1).get("startedAt").asText());
    assertTrue(
        !secondStarted.isBefore(canaryEnded.plusMillis(1900)),
        "the canary bakes 2s before the next host starts: " + d);
    assertEquals(3, d.get("counters").get("done").asInt(), d.toString());
    System.out.printf(
        "scenario 1 (deploy v1->v2 of 4 instances): %d ms%n",
        Duration.ofNanos(System.nanoTime() - t0).toMillis());
  }

  @Test
  @Order(2)
  void aDeployToACrashingRevisionFailsAndRevertsItself() throws Exception {
    long t0 = System.nanoTime();
    putSite("crash", v1, 3);
    awaitAll("crash", 3, v1, "v1");
    JsonNode failed;
    JsonNode revert;
    try (Capacity capacity = new Capacity("crash", 3).started()) {
      JsonNode d =
          startDeploy(
              json(
                  "sites", "[\"crash\"]",
                  "revision", q(v3),
                  "maxStartFailures", "2",
                  "canary", "{\"perPool\":1,\"bake\":\"1s\"}"));
      String id = d.get("id").asText();
      failed = awaitEnded(id);
      assertEquals("failed", failed.get("state").asText(), failed.toString());
      assertEquals(id + "-revert", failed.path("revertedBy").asText(), failed.toString());
      revert = awaitEnded(id + "-revert");
      awaitAll("crash", 3, v1, "v1");
      capacity.check();
    }
    System.out.println("failed deploy: " + failed);
    System.out.println("its revert: " + revert);
    List<JsonNode> failedHosts = new ArrayList<>();
    failed
        .get("hosts")
        .forEach(
            h -> {
              if (h.get("state").asText().equals("failed")) {
                failedHosts.add(h);
              }
            });
    assertEquals(1, failedHosts.size(), "the canary fails, no other host starts: " + failed);
    String reason = failedHosts.get(0).path("reason").asText();
    assertTrue(reason.contains("exit 3"), "the exit code in the reason: " + reason);
    assertTrue(
        reason.contains("CONFIG_V3 is missing"), "the app's log line in the reason: " + reason);
    assertTrue(failedHosts.get(0).get("canary").asBoolean(), failed.toString());
    assertEquals("succeeded", revert.get("state").asText(), revert.toString());
    assertEquals(failed.get("id").asText(), revert.get("revertOf").asText());
    assertEquals(failed.get("seed").asText(), revert.get("seed").asText());
    assertEquals(v1, revert.get("revisions").get("crash").asText(), revert.toString());
    System.out.printf(
        "scenario 2 (crashing v3, auto-revert): %d ms%n",
        Duration.ofNanos(System.nanoTime() - t0).toMillis());
  }

  @Test
  @Order(3)
  void aSecondDeployOfTheSameSiteWaitsInTheQueue() throws Exception {
    long t0 = System.nanoTime();
    putSite("queue", v1, 3);
    awaitAll("queue", 3, v1, "v1");
    JsonNode first =
        startDeploy(
            json(
                "sites", "[\"queue\"]",
                "revision", q(v2),
                "parallel", "1",
                "canary", "{\"perPool\":1,\"bake\":\"1s\"}"));
    String a = first.get("id").asText();
    awaitState(a, Duration.ofSeconds(30), Set.of("running"));
    assertEquals("paused", action(a, "pause").get("state").asText());
    JsonNode second =
        startDeploy(json("sites", "[\"queue\"]", "revision", q(v1), "reason", q("second")));
    String b = second.get("id").asText();
    assertEquals("queued", second.get("state").asText(), second.toString());
    JsonNode queued = n1.json("/deploys?state=queued");
    List<JsonNode> waiting = new ArrayList<>();
    queued.get("deploys").forEach(waiting::add);
    JsonNode mine =
        waiting.stream()
            .filter(x -> x.get("id").asText().equals(b))
            .findFirst()
            .orElseThrow(() -> new AssertionError("not in the queue: " + queued));
    assertEquals(1, mine.get("queuePosition").asInt(), queued.toString());
    waiting.forEach(
        x -> assertEquals("queued", x.get("state").asText(), "only queued ones: " + queued));
    JsonNode bySite = n1.json("/deploys?site=queue");
    assertEquals(b, bySite.get("deploys").get(0).get("id").asText(), "newest first: " + bySite);
    assertEquals(a, bySite.get("deploys").get(1).get("id").asText(), bySite.toString());
    assertEquals("paused", deploy(a).get("state").asText());
    assertEquals("queued", deploy(b).get("state").asText(), "waits while the first is paused");

    assertEquals("running", action(a, "resume").get("state").asText());
    JsonNode endedA = awaitEnded(a);
    assertEquals("succeeded", endedA.get("state").asText(), endedA.toString());
    JsonNode endedB = awaitEnded(b);
    assertEquals("succeeded", endedB.get("state").asText(), endedB.toString());
    assertFalse(
        Instant.parse(endedB.get("startedAt").asText())
            .isBefore(Instant.parse(endedA.get("endedAt").asText())),
        "the second starts only after the first ended: " + endedA + " / " + endedB);
    assertEquals(v2, endedB.get("previous").get("queue").asText(), endedB.toString());
    awaitAll("queue", 3, v1, "v1");
    System.out.printf(
        "scenario 3 (queue): %d ms%n", Duration.ofNanos(System.nanoTime() - t0).toMillis());
  }

  @Test
  @Order(4)
  void pauseHoldsResumeGoesOnRevertReusesTheSeedAndAbortEndsConsistent() throws Exception {
    long t0 = System.nanoTime();
    putSite("knobs", v1, 3);
    awaitAll("knobs", 3, v1, "v1");
    JsonNode d =
        startDeploy(
            json(
                "sites", "[\"knobs\"]",
                "revision", q(v2),
                "parallel", "1",
                "seed", q("knob-seed"),
                "canary", "{\"perPool\":1,\"bake\":\"1s\"}"));
    String id = d.get("id").asText();
    awaitState(id, Duration.ofSeconds(30), Set.of("running"));
    JsonNode paused = action(id, "pause");
    assertEquals("paused", paused.get("state").asText());
    // pending hosts stay pending while it is paused (hosts in flight may finish)
    Set<String> pending = new TreeSet<>();
    hostStates(deploy(id))
        .forEach(
            (h, s) -> {
              if (s.equals("pending")) {
                pending.add(h);
              }
            });
    assertFalse(pending.isEmpty(), "parallel 1 leaves hosts pending: " + deploy(id));
    long holdUntil = System.nanoTime() + Duration.ofSeconds(4).toNanos();
    while (System.nanoTime() < holdUntil) {
      JsonNode now = deploy(id);
      assertEquals("paused", now.get("state").asText(), now.toString());
      for (String h : pending) {
        assertEquals("pending", hostStates(now).get(h), "a paused deploy starts no host: " + now);
      }
      Thread.sleep(250);
    }
    assertEquals("running", action(id, "resume").get("state").asText());
    JsonNode done = awaitEnded(id);
    assertEquals("succeeded", done.get("state").asText(), done.toString());
    awaitAll("knobs", 3, v2, "v2");

    // revert: same seed, same order of the hosts both visit
    HttpResponse<String> r =
        n1.send(
            "POST",
            "/deploys/" + id + "/revert",
            HttpRequest.BodyPublishers.ofString("{\"reason\":\"DeploysIT revert\"}"));
    assertEquals(201, r.statusCode(), r.body());
    JsonNode revert = Json.MAPPER.readTree(r.body());
    assertEquals(id + "-revert", revert.get("id").asText());
    assertEquals("knob-seed", revert.get("seed").asText(), revert.toString());
    assertEquals(id, revert.get("revertOf").asText());
    JsonNode reverted = awaitEnded(id + "-revert");
    assertEquals("succeeded", reverted.get("state").asText(), reverted.toString());
    assertEquals(id + "-revert", deploy(id).path("revertedBy").asText());
    List<String> original = hostOrder(done);
    List<String> back = hostOrder(reverted);
    List<String> common = original.stream().filter(back::contains).toList();
    assertTrue(common.size() >= 2, "both visit the hosts: " + original + " / " + back);
    assertEquals(common, back.stream().filter(original::contains).toList(), "the revert's order");
    awaitAll("knobs", 3, v1, "v1");

    // abort while the canary host is in flight (the slow app takes 3 s to answer): the deploy
    // ends aborted, no host is left in flight, and every instance is back on v1
    JsonNode third =
        startDeploy(
            json(
                "sites", "[\"knobs\"]",
                "revision", q(slow),
                "parallel", "1",
                "autoRevert", "false",
                "canary", "{\"perPool\":1,\"bake\":\"30s\"}"));
    String abortId = third.get("id").asText();
    awaitState(abortId, Duration.ofSeconds(30), Set.of("running"));
    LocalNode.await(
        Duration.ofSeconds(30),
        "the canary host in flight",
        () ->
            Set.of("fetching", "building", "replacing")
                .contains(deploy(abortId).get("hosts").get(0).get("state").asText()));
    JsonNode aborting = action(abortId, "abort");
    assertEquals("aborted", settled(aborting).get("state").asText(), aborting.toString());
    JsonNode aborted = awaitEnded(abortId);
    System.out.println("aborted: " + aborted);
    JsonNode canary = aborted.get("hosts").get(0);
    if (!"done".equals(canary.get("state").asText())) {
      assertEquals("skipped", canary.get("state").asText(), aborted.toString());
      assertTrue(canary.path("reason").asText().contains("aborted"), aborted.toString());
    }
    assertEquals("aborted", aborted.get("state").asText(), aborted.toString());
    assertNotNull(aborted.get("endedAt"), aborted.toString());
    Map<String, String> states = hostStates(aborted);
    LocalNode.await(
        Duration.ofSeconds(60),
        "knobs consistent with the aborted deploy " + aborted,
        () -> {
          List<JsonNode> is = instances("knobs");
          if (is.size() != 3) {
            return false;
          }
          for (JsonNode i : is) {
            String want = "done".equals(states.get(i.get("host").asText())) ? slow : v1;
            String answer = want.equals(slow) ? "slow" : "v1";
            if (!i.get("state").asText().equals("ready")
                || !want.equals(i.path("revision").asText())
                || !answer.equals(answer(i.get("port").asInt()))) {
              return false;
            }
          }
          return true;
        });
    System.out.println("after abort: " + instances("knobs"));
    System.out.printf(
        "scenario 4 (pause/resume, revert, abort): %d ms%n",
        Duration.ofNanos(System.nanoTime() - t0).toMillis());
  }

  @Test
  @Order(5)
  void aHostKilledMidDeployVanishesAndTheDeploySucceedsOnTheOthers() throws Exception {
    long t0 = System.nanoTime();
    putSite("killed", v1, 3);
    awaitAll("killed", 3, v1, "v1");
    JsonNode d =
        startDeploy(
            json(
                "sites", "[\"killed\"]",
                "revision", q(v2),
                "parallel", "1",
                "canary", "{\"perPool\":1,\"bake\":\"3s\"}"));
    String id = d.get("id").asText();
    JsonNode running = awaitState(id, Duration.ofSeconds(30), Set.of("running"));
    List<String> order = hostOrder(running);
    // the last host in the order that is not n1 (the API node): pending while the canary runs
    String victimHost = null;
    for (String h : order) {
      if (!h.equals(n1.host)) {
        victimHost = h;
      }
    }
    String victimName = victimHost;
    LocalNode victim = nodes.stream().filter(n -> n.host.equals(victimName)).findFirst().get();
    assertEquals("pending", hostStates(running).get(victimHost), running.toString());
    String entityOn =
        nodes.stream()
            .filter(n -> n.readLog().contains("deploy " + id + ": its turn"))
            .map(n -> n.host)
            .findFirst()
            .orElse("unknown");
    System.out.println("the deploy's entity runs on " + entityOn + "; killing " + victimHost);
    List<ProcessHandle> itsInstances = victim.descendants();
    orphans.addAll(itsInstances);
    victim.kill();
    itsInstances.forEach(ProcessHandle::destroyForcibly);
    long killed = System.nanoTime();
    System.out.println("SIGKILLed " + victimHost + " (pending) mid-deploy " + running);

    JsonNode ended = settled(awaitState(id, Duration.ofSeconds(150), ENDED));
    System.out.printf(
        "deploy ended %d ms after the kill: %s%n",
        Duration.ofNanos(System.nanoTime() - killed).toMillis(), ended);
    assertEquals("succeeded", ended.get("state").asText(), ended.toString());
    // SIGKILLed, not a clean leave: vanished, wherever the deploy's entity ran
    assertEquals("vanished", hostStates(ended).get(victimHost), victimHost + " vanished: " + ended);
    hostStates(ended)
        .forEach(
            (h, s) -> {
              if (!h.equals(victimName)) {
                assertEquals("done", s, h + " in " + ended);
              }
            });
    List<JsonNode> is = awaitAll("killed", 3, v2, "v2");
    for (JsonNode i : is) {
      assertFalse(victimName.equals(i.get("host").asText()), "nothing on the dead host: " + is);
    }
    System.out.printf(
        "scenario 5 (host SIGKILLed mid-deploy): %d ms%n",
        Duration.ofNanos(System.nanoTime() - t0).toMillis());
  }
}
