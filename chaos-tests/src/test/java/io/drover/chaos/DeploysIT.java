package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.http.Json;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

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
class DeploysIT extends DeployItSupport {

  private static final Duration FORM_WITHIN = Duration.ofSeconds(120);

  private final List<LocalNode> nodes = new ArrayList<>();
  private final List<ProcessHandle> orphans = new ArrayList<>();
  private Postgres.Database db;
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
                "canary", "{\"perPool\":1,\"bake\":\"5s\"}"));
    String a = first.get("id").asText();
    // the 5 s bake leaves time to pause it before its second host starts, on a loaded machine too
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
                "canary", "{\"perPool\":1,\"bake\":\"5s\"}"));
    String id = d.get("id").asText();
    // the 5 s bake leaves time to pause it before its second host starts, on a loaded machine too
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
    JsonNode before = deploy(id);
    long startedBefore =
        hostStates(before).values().stream().filter(st -> !st.equals("pending")).count();
    // the whole stream (replayed, then live) for 4 s: no host starts beyond those before the pause
    List<String> steps = stepsWithin(id, 0, Duration.ofSeconds(4));
    assertEquals(
        startedBefore,
        steps.stream().filter("host-started"::equals).count(),
        "a paused deploy starts no host: " + steps);
    JsonNode now = deploy(id);
    assertEquals("paused", now.get("state").asText(), now.toString());
    for (String h : pending) {
      assertEquals("pending", hostStates(now).get(h), "still pending after 4 s: " + now + before);
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
                "canary", "{\"perPool\":1,\"bake\":\"20s\"}"));
    String id = d.get("id").asText();
    JsonNode running = awaitState(id, Duration.ofSeconds(30), Set.of("running"));
    List<String> order = hostOrder(running);
    // the second host in the order, or the third when the second is n1 (the API node): it is
    // killed while the canary bakes (a window of seconds; a host after the canary takes a few
    // hundred ms, too short to hit from outside), so the deploy reaches it dead, before the
    // cluster downs it (not done: it ends vanished). The bake outlasts the grace period: the
    // instance the victim's death displaces may be placed on the canary while it bakes, and
    // starting there is not the canary turning unhealthy (the deploy must not fail for it)
    int at = order.get(1).equals(n1.host) ? 2 : 1;
    String victimName = order.get(at);
    String canaryHost = order.get(0);
    LocalNode victim = nodes.stream().filter(n -> n.host.equals(victimName)).findFirst().get();
    JsonNode beforeDone =
        awaitState(
            id,
            Duration.ofSeconds(60),
            "canary " + canaryHost + " done",
            v -> "done".equals(hostStates(v).get(canaryHost)));
    String victimWas = hostStates(beforeDone).get(victimName);
    assertTrue(
        Set.of("pending", "fetching", "building", "replacing").contains(victimWas),
        "the victim is pending or in progress: " + beforeDone);
    String entityOn =
        nodes.stream()
            .filter(n -> n.readLog().contains("deploy " + id + ": its turn"))
            .map(n -> n.host)
            .findFirst()
            .orElse("unknown");
    System.out.println("the deploy's entity runs on " + entityOn + "; killing " + victimName);
    List<ProcessHandle> itsInstances = victim.descendants();
    orphans.addAll(itsInstances);
    victim.kill();
    itsInstances.forEach(ProcessHandle::destroyForcibly);
    long killed = System.nanoTime();
    System.out.println("SIGKILLed " + victimName + " (" + victimWas + ") mid-deploy " + beforeDone);

    JsonNode ended = settled(awaitState(id, Duration.ofSeconds(150), ENDED));
    System.out.printf(
        "deploy ended %d ms after the kill: %s%n",
        Duration.ofNanos(System.nanoTime() - killed).toMillis(), ended);
    assertEquals("succeeded", ended.get("state").asText(), ended.toString());
    System.out.println("canary " + canaryHost + " after the kill: " + instances("killed"));
    // SIGKILLed, not a clean leave: vanished, wherever the deploy's entity ran
    assertEquals("vanished", hostStates(ended).get(victimName), victimName + " vanished: " + ended);
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
