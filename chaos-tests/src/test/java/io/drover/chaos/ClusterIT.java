package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three real nodes on loopback: they form a cluster (seed nodes, and Cluster Bootstrap with config
 * discovery), a SIGKILLed node is downed and removed, a node paused longer than the downing timeout
 * is downed and on waking fences itself (stops its instances, exits 3), and a node asked to leave
 * exits 0. The nodes share a PostgreSQL journal (a fresh database per test), as every cluster must.
 */
class ClusterIT {

  /** The default of --down-after; the deadlines below are derived from it. */
  private static final Duration DOWN_AFTER = Duration.ofSeconds(4);

  /** Unreachable (~2.5-3 s), stable-after, removal (~1 s), plus room for a busy 2-core host. */
  private static final Duration REMOVED_WITHIN = DOWN_AFTER.plusSeconds(20);

  private static final Duration FORM_WITHIN = Duration.ofSeconds(120);

  @TempDir Path tmp;

  private final List<LocalNode> nodes = new ArrayList<>();
  private Postgres.Database db;

  @org.junit.jupiter.api.BeforeEach
  void database() throws Exception {
    db = Postgres.createDatabase();
  }

  private final List<ProcessHandle> instances = new ArrayList<>();

  @AfterEach
  void killEverything() throws Exception {
    LocalNode.killAll(nodes, instances);
    if (db != null) {
      db.close();
    }
  }

  private LocalNode node(int i) throws IOException {
    LocalNode n =
        new LocalNode(tmp.resolve("n" + i), "host-" + i).withArgs(LocalNode.postgresArgs(db));
    nodes.add(n);
    return n;
  }

  private static Optional<JsonNode> member(LocalNode seenBy, LocalNode target)
      throws IOException, InterruptedException {
    return seenBy.members().stream()
        .filter(m -> m.get("address").asText().equals(target.memberAddress()))
        .findFirst();
  }

  private static void awaitAllUp(List<LocalNode> cluster) throws InterruptedException {
    for (LocalNode n : cluster) {
      n.awaitHealthy(FORM_WITHIN);
    }
    for (LocalNode n : cluster) {
      LocalNode.await(
          Duration.ofSeconds(60),
          n.host + " sees " + cluster.size() + " Up members",
          () -> {
            List<JsonNode> ms = n.members();
            return ms.size() == cluster.size()
                && ms.stream()
                    .allMatch(
                        m ->
                            m.get("status").asText().equals("up") && m.get("reachable").asBoolean())
                && ms.stream().filter(m -> m.get("self").asBoolean()).count() == 1;
          });
    }
  }

  /** Waits until {@code target} is gone from {@code seenBy}'s members; returns the time taken. */
  private static Duration awaitRemoved(LocalNode seenBy, LocalNode target, long sinceNanos)
      throws InterruptedException {
    LocalNode.await(
        REMOVED_WITHIN,
        target.host + " removed from " + seenBy.host + "'s members",
        () -> member(seenBy, target).isEmpty());
    return Duration.ofNanos(System.nanoTime() - sinceNanos);
  }

  @Test
  void seedNodesFormAClusterThatDownsAKilledNodeAndLetsANodeLeave() throws Exception {
    LocalNode n1 = node(1);
    LocalNode n2 = node(2);
    LocalNode n3 = node(3);
    n1.launch("--no-example");
    n2.launch("--no-example", "--join", n1.clusterAddress());
    n3.launch("--no-example", "--join", n1.clusterAddress() + "," + n2.clusterAddress());
    awaitAllUp(List.of(n1, n2, n3));
    for (LocalNode n : List.of(n1, n2, n3)) {
      // nothing is sent to a shard region before the node is Up: Pekko would warn every 500 ms
      assertFalse(n.readLog().contains("No coordinator found to register"), n.readLog());
    }

    n3.kill();
    long killed = System.nanoTime();
    LocalNode.await(
        REMOVED_WITHIN,
        "n1 sees n3 unreachable or gone",
        () -> member(n1, n3).map(m -> !m.get("reachable").asBoolean()).orElse(true));
    Duration unreachable = Duration.ofNanos(System.nanoTime() - killed);
    Duration removed1 = awaitRemoved(n1, n3, killed);
    Duration removed2 = awaitRemoved(n2, n3, killed);
    System.out.printf(
        "SIGKILL n3: unreachable after %d ms, removed after %d ms (n1) / %d ms (n2)%n",
        unreachable.toMillis(), removed1.toMillis(), removed2.toMillis());
    assertTrue(
        removed1.compareTo(DOWN_AFTER) > 0, "removed before down-after elapsed: " + removed1);
    assertEquals(2, n1.members().size());

    HttpResponse<String> leave =
        n1.send(
            "POST",
            "/cluster/leave",
            HttpRequest.BodyPublishers.ofString("{\"address\":\"" + n2.memberAddress() + "\"}"));
    assertEquals(202, leave.statusCode(), leave.body());
    assertEquals(0, n2.awaitExit(Duration.ofSeconds(60)), "a node that leaves exits 0");
    assertTrue(n2.readLog().contains("left the cluster"), n2.readLog());
    LocalNode.await(Duration.ofSeconds(30), "n1 alone", () -> n1.members().size() == 1);
    assertEquals(200, n1.get("/health").statusCode());
  }

  @Test
  void discoveryFormsAClusterAndAPausedNodeIsDownedAndFencesItself() throws Exception {
    LocalNode n1 = node(1);
    LocalNode n2 = node(2);
    LocalNode n3 = node(3);
    List<Integer> mgmt = new ArrayList<>();
    while (mgmt.size() < 3) {
      int p = LocalNode.freePort();
      boolean taken = mgmt.contains(p);
      for (LocalNode n : nodes) {
        taken |= p == n.httpPort || p == n.clusterPort;
      }
      if (!taken) {
        mgmt.add(p);
      }
    }
    String contacts =
        "127.0.0.1:" + mgmt.get(0) + ",127.0.0.1:" + mgmt.get(1) + ",127.0.0.1:" + mgmt.get(2);
    for (int i = 0; i < 3; i++) {
      nodes
          .get(i)
          .launch(
              "--no-example",
              "--discovery",
              "config",
              "--contact-point",
              contacts,
              "--management-port",
              Integer.toString(mgmt.get(i)),
              "--expect-nodes",
              "3");
    }
    List<LocalNode> cluster = List.of(n1, n2, n3);
    awaitAllUp(cluster);

    // A site with one instance on every host, so the paused node has one to stop.
    Path app = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(app.resolve("README"), "sleeps\n");
    String revision = null;
    for (LocalNode n : cluster) {
      revision = n.uploadRevision(app, tmp);
    }
    HttpResponse<String> put =
        n1.send(
            "PUT",
            "/sites/sleeper",
            HttpRequest.BodyPublishers.ofString(
                "{\"revision\":\""
                    + revision
                    + "\",\"command\":[\"sleep\",\"600\"],\"instances\":3}"));
    assertTrue(put.statusCode() / 100 == 2, put.body());
    LocalNode.await(
        Duration.ofSeconds(60), "an instance runs on n2", () -> !n2.descendants().isEmpty());
    List<ProcessHandle> onN2 = n2.descendants();
    instances.addAll(onN2);

    n2.signal("STOP");
    long paused = System.nanoTime();
    Duration removed1 = awaitRemoved(n1, n2, paused);
    Duration removed3 = awaitRemoved(n3, n2, paused);
    System.out.printf(
        "SIGSTOP n2: removed after %d ms (n1) / %d ms (n3)%n",
        removed1.toMillis(), removed3.toMillis());
    assertTrue(removed1.compareTo(DOWN_AFTER) > 0, "removed before down-after: " + removed1);
    n2.signal("CONT");
    long resumed = System.nanoTime();

    int exit = n2.awaitExit(Duration.ofSeconds(60));
    System.out.printf(
        "SIGCONT n2: exited %d after %d ms%n",
        exit, Duration.ofNanos(System.nanoTime() - resumed).toMillis());
    assertEquals(3, exit, "a downed node exits 3; log:\n" + n2.readLog());
    String log = n2.readLog();
    assertTrue(log.contains("downed by the cluster") && log.contains("fenced"), log);
    LocalNode.await(
        Duration.ofSeconds(10),
        "n2's instances gone",
        () -> onN2.stream().noneMatch(ProcessHandle::isAlive));
    assertFalse(n2.isAlive());
    for (LocalNode n : List.of(n1, n3)) {
      assertEquals(2, n.members().size(), n.host);
      assertEquals(200, n.get("/health").statusCode());
    }
  }

  @Test
  void aLevelDbNodeRefusesAnotherNodeAndSaysWhy() throws Exception {
    LocalNode alone = new LocalNode(tmp.resolve("leveldb"), "host-leveldb");
    nodes.add(alone);
    alone.launch("--no-example");
    alone.awaitHealthy(FORM_WITHIN);
    LocalNode joiner = node(2);
    joiner.launch("--no-example", "--join", alone.clusterAddress());
    int exit = joiner.awaitExit(REMOVED_WITHIN.plusSeconds(60));
    assertEquals(3, exit, "the joiner is downed and fences itself: " + joiner.readLog());
    LocalNode.await(
        Duration.ofSeconds(30),
        "the LevelDB node logs why it refused the joiner",
        () -> alone.readLog().contains("refusing member"));
    assertTrue(alone.readLog().contains("--journal postgres"), alone.readLog());
    LocalNode.await(
        Duration.ofSeconds(30), "the LevelDB node alone", () -> alone.members().size() == 1);
    assertEquals(200, alone.get("/health").statusCode());
  }
}
