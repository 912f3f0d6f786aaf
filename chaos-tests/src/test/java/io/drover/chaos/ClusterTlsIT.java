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
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Mutual TLS with real processes: certificates from {@code drover certs}; two nodes with them form
 * a cluster (their APIs over HTTPS, a revision uploaded to one reaches the other over HTTPS) and
 * run a site; a node whose certificate another CA signed, and a node without TLS, cannot join: they
 * never become Up and the good nodes never list them.
 */
class ClusterTlsIT {

  /** How long a node that must not get in is watched. */
  private static final Duration KEPT_OUT_FOR = Duration.ofSeconds(40);

  @TempDir Path tmp;

  private final List<LocalNode> nodes = new ArrayList<>();
  private final List<ProcessHandle> instances = new ArrayList<>();
  private Postgres.Database db;

  @AfterEach
  void killEverything() throws Exception {
    LocalNode.killAll(nodes, instances);
    if (db != null) {
      db.close();
    }
  }

  private LocalNode node(String host) throws IOException {
    LocalNode n =
        new LocalNode(tmp.resolve(host), host)
            .withArgs(LocalNode.postgresArgs(db))
            .withArgs("--no-example");
    nodes.add(n);
    return n;
  }

  @Test
  void onlyNodesWithTheClusterCaJoin() throws Exception {
    db = Postgres.createDatabase();
    Path ca = tmp.resolve("ca");
    HarnessTls.init(ca);
    assertFalse(Files.exists(ca.resolve("host-1/ca.p12")), "the CA key stays in the CA dir");
    LocalNode n1 = node("host-1").withTls(HarnessTls.node(ca, "host-1", "ip:127.0.0.1"), true);
    LocalNode n2 = node("host-2").withTls(HarnessTls.node(ca, "host-2", "ip:127.0.0.1"), true);
    n1.launch();
    n2.launch("--join", n1.clusterAddress());
    n1.awaitHealthy(Duration.ofSeconds(120));
    n2.awaitHealthy(Duration.ofSeconds(120));
    assertTrue(n1.uri("/health").toString().startsWith("https://"));
    assertTrue(n1.readLog().contains("HTTP API listening on https://"), n1.readLog());
    for (LocalNode n : List.of(n1, n2)) {
      LocalNode.await(
          Duration.ofSeconds(60),
          n.host + " sees 2 Up members",
          () ->
              n.members().stream().filter(m -> m.get("status").asText().equals("up")).count() == 2);
    }

    // A site runs on both hosts: host-2 fetches the revision uploaded to host-1 over HTTPS.
    Path app = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(app.resolve("README"), "sleeps\n");
    String rev = n1.uploadRevision(app, tmp);
    HttpResponse<String> put =
        n1.send(
            "PUT",
            "/sites/tls",
            HttpRequest.BodyPublishers.ofString(
                "{\"revision\":\""
                    + rev
                    + "\",\"command\":[\"sleep\",\"100000\"],\"instances\":2,"
                    + "\"health\":{\"exec\":[\"true\"],\"interval\":\"2s\"}}"));
    assertTrue(put.statusCode() == 201 || put.statusCode() == 200, put.body());
    Set<String> hosts = new TreeSet<>();
    LocalNode.await(
        Duration.ofSeconds(120),
        "2 ready instances of site tls",
        () -> {
          hosts.clear();
          int ready = 0;
          for (JsonNode i : n2.json("/sites/tls/instances")) {
            if (i.hasNonNull("pid")) {
              ProcessHandle.of(i.get("pid").asLong()).ifPresent(instances::add);
            }
            if ("ready".equals(i.path("state").asText())) {
              ready++;
              hosts.add(i.path("host").asText());
            }
          }
          return ready == 2;
        });
    System.out.println("site tls ready on " + hosts);
    if (hosts.contains("host-2")) {
      assertTrue(
          n2.readLog().contains("revision " + rev + " fetched from"),
          "host-2 fetched the revision over HTTPS: " + n2.readLog());
    }

    // A certificate from another CA: the handshake fails both ways, the node never gets in.
    Path other = tmp.resolve("other-ca");
    HarnessTls.init(other);
    // It gives up before it is watched out, and says why in one line.
    LocalNode foreign =
        node("host-3")
            .withTls(HarnessTls.node(other, "host-3"), false)
            .withJvmArgs("-Ddrover.join-timeout=25s");
    foreign.launch("--join", n1.clusterAddress() + "," + n2.clusterAddress());
    assertKeptOut(foreign, n1, n2);
    String foreignLog = foreign.readLog();
    assertTrue(
        foreignLog.contains(
            "could not join the cluster within 25s: TLS handshakes with the other nodes failed"),
        foreignLog);

    // No TLS at all (loopback, so the node itself starts): it cannot join either.
    LocalNode plain = node("host-4");
    plain.launch("--join", n1.clusterAddress() + "," + n2.clusterAddress());
    assertKeptOut(plain, n1, n2);

    assertEquals(200, n1.get("/health").statusCode());
    assertEquals(2, n1.members().size());
  }

  /**
   * For {@link #KEPT_OUT_FOR}: {@code outsider} never answers health 200 (not Up; it may give up),
   * and the good nodes never list its address. Then it is killed.
   */
  private void assertKeptOut(LocalNode outsider, LocalNode... good) throws Exception {
    long until = System.nanoTime() + KEPT_OUT_FOR.toNanos();
    int checks = 0;
    while (System.nanoTime() < until) {
      for (LocalNode g : good) {
        for (JsonNode m : g.members()) {
          assertFalse(
              m.get("address").asText().equals(outsider.memberAddress()),
              g.host + " lists " + outsider.host + ": " + m);
        }
      }
      if (outsider.isAlive()) {
        try {
          int status = outsider.get("/health").statusCode();
          assertTrue(status != 200, outsider.host + " became Up: " + outsider.readLog());
        } catch (IOException e) {
          // its API is not bound yet
        }
      }
      checks++;
      TimeUnit.MILLISECONDS.sleep(500);
    }
    assertTrue(checks > 10, "watched " + checks + " times");
    String log = outsider.readLog();
    // nothing is sent to a shard region before the node is Up: Pekko would warn every 500 ms
    assertFalse(log.contains("No coordinator found to register"), log);
    System.out.println(
        outsider.host
            + " kept out; its log mentions TLS: "
            + (log.contains("SSL") || log.contains("TLS") || log.contains("handshake")));
    outsider.kill();
  }
}
