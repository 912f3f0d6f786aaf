package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.host.HostEntity;
import io.drover.actors.revision.TarGz;
import io.drover.actors.site.HealthCheck;
import io.drover.actors.site.SiteDirectory;
import io.drover.actors.site.SiteEntity;
import io.drover.actors.site.SiteSpec;
import io.drover.cluster.GracefulLeave;
import io.drover.cluster.Node;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The cluster logic with several real nodes in one JVM (one actor system each, on a shared
 * PostgreSQL journal, real instance processes): a site spreads onto a host that joins, moves off a
 * drained host with a ready replacement before the old copy stops, and a graceful leave empties its
 * host before the node goes. Crashes and pauses need separate processes: see ChaosIT.
 */
class MultiNodeTest {

  private static final Duration WAIT = Duration.ofSeconds(90);

  @TempDir Path tmp;

  private Postgres.Database db;
  private final List<Node> nodes = new ArrayList<>();
  private int seedPort;

  @AfterEach
  void stop() throws Exception {
    for (Node n : nodes) {
      n.stop().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
    if (db != null) {
      db.close();
    }
  }

  private Node start(String host) throws Exception {
    if (db == null) {
      db = Postgres.createDatabase();
    }
    int port = LocalNode.freePort();
    if (seedPort == 0) {
      seedPort = port;
    }
    Map<String, Object> o = new HashMap<>();
    o.put("drover.data-dir", tmp.resolve(host).toString());
    o.put("drover.host", host);
    o.put("drover.http.port", LocalNode.freePort());
    o.put("pekko.remote.artery.canonical.port", port);
    o.put("drover.join", List.of("127.0.0.1:" + seedPort));
    o.put("drover.journal", "postgres");
    o.put("drover.jdbc.url", db.url());
    o.put("drover.jdbc.user", Postgres.USER);
    o.put("drover.jdbc.password", Postgres.PASSWORD);
    o.put("drover.grace", "3s");
    o.put("drover.reconcile-interval", "1s");
    o.put("drover.agent.report-interval", "1s");
    o.put("drover.agent.stop-grace", "2s");
    Node node = Node.start(ConfigFactory.parseMap(o));
    nodes.add(node);
    return node;
  }

  private static void await(String what, Duration within, LocalNode.Condition condition)
      throws InterruptedException {
    LocalNode.await(within, what, condition);
  }

  private static SiteEntity.Reply get(Node via, String site) throws Exception {
    return AskPattern.<SiteEntity.Command, SiteEntity.Reply>ask(
            ClusterSharding.get(via.system()).entityRefFor(SiteEntity.ENTITY_TYPE_KEY, site),
            SiteEntity.Get::new,
            Duration.ofSeconds(10),
            via.system().scheduler())
        .toCompletableFuture()
        .get(15, TimeUnit.SECONDS);
  }

  private static List<InstanceStatus> ready(Node via, String site) throws Exception {
    SiteEntity.Reply r = get(via, site);
    if (r.site() == null) {
      return List.of();
    }
    return r.site().instances().stream().filter(InstanceStatus::isReady).toList();
  }

  private static Set<String> hostsOf(List<InstanceStatus> instances) {
    Set<String> hosts = new TreeSet<>();
    instances.forEach(i -> hosts.add(i.host()));
    return hosts;
  }

  private static int running(Node node) throws Exception {
    return AskPattern.<HostAgent.Command, HostAgent.Instances>ask(
            node.agent(),
            HostAgent.GetInstances::new,
            Duration.ofSeconds(5),
            node.system().scheduler())
        .toCompletableFuture()
        .get(10, TimeUnit.SECONDS)
        .instances()
        .size();
  }

  private void awaitMembers(int count) throws InterruptedException {
    for (Node n : nodes) {
      await(
          n.settings().host() + " sees " + count + " Up members",
          WAIT,
          () -> {
            int up = 0;
            for (var m : Cluster.get(n.system()).state().getMembers()) {
              up += m.status() == MemberStatus.up() ? 1 : 0;
            }
            return up == count;
          });
    }
  }

  private String upload(Node... to) throws Exception {
    Path app = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(app.resolve("README"), "sleeps\n");
    Path tarGz = tmp.resolve("app.tar.gz");
    TarGz.pack(app, tarGz);
    String id = null;
    for (Node n : to) {
      Path copy = Files.copy(tarGz, n.revisions().uploadsDir().resolve("app-" + System.nanoTime()));
      id = n.revisions().importFile(copy).id();
    }
    return id;
  }

  @Test
  void spreadsOntoAJoiningHostMovesOffADrainedOneAndEmptiesALeavingOne() throws Exception {
    Node a = start("host-a");
    String rev = upload(a);
    SiteSpec spec =
        new SiteSpec(
            rev,
            List.of("sh", "-c", "exec sleep 600"),
            2,
            null,
            null,
            new HealthCheck(null, null, List.of("true"), null, null, null, null),
            null);
    SiteEntity.Reply created =
        AskPattern.<SiteDirectory.Command, Done>ask(
                a.sites(),
                r -> new SiteDirectory.Register("web", r),
                Duration.ofSeconds(10),
                a.system().scheduler())
            .thenCompose(
                d ->
                    AskPattern.<SiteEntity.Command, SiteEntity.Reply>ask(
                        ClusterSharding.get(a.system())
                            .entityRefFor(SiteEntity.ENTITY_TYPE_KEY, "web"),
                        r -> new SiteEntity.Put(spec, r),
                        Duration.ofSeconds(10),
                        a.system().scheduler()))
            .toCompletableFuture()
            .get(20, TimeUnit.SECONDS);
    assertEquals(SiteEntity.Outcome.CREATED, created.outcome());
    await("2 ready on host-a alone", WAIT, () -> ready(a, "web").size() == 2);
    assertTrue(get(a, "web").site().status().degraded(), "one host: degraded");

    // a host joins: the site spreads, the new copy ready before a stacked one stops
    Node b = start("host-b");
    upload(b);
    awaitMembers(2);
    await(
        "web spread over host-a and host-b",
        WAIT,
        () -> {
          List<InstanceStatus> r = ready(a, "web");
          return r.size() == 2 && hostsOf(r).equals(Set.of("host-a", "host-b"));
        });
    assertFalse(get(a, "web").site().status().degraded());

    // a third host; draining b moves its copy to c, never below two ready
    Node c = start("host-c");
    upload(c);
    awaitMembers(3);
    AtomicInteger lowest = new AtomicInteger(2);
    HostEntity.Reply drained =
        AskPattern.<HostEntity.Command, HostEntity.Reply>ask(
                ClusterSharding.get(a.system()).entityRefFor(HostEntity.ENTITY_TYPE_KEY, "host-b"),
                HostEntity.Drain::new,
                Duration.ofSeconds(10),
                a.system().scheduler())
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    assertEquals(HostEntity.Outcome.OK, drained.outcome());
    await(
        "web moved off the drained host-b",
        WAIT,
        () -> {
          List<InstanceStatus> r = ready(a, "web");
          lowest.set(Math.min(lowest.get(), r.size()));
          return hostsOf(r).equals(Set.of("host-a", "host-c")) && running(b) == 0;
        });
    assertEquals(2, lowest.get(), "never fewer than two ready while draining");

    // a graceful leave of c: its copy moves (b is drained: back onto a), then c goes
    GracefulLeave.Result left =
        GracefulLeave.drainThenLeave(c, WAIT).toCompletableFuture().get(120, TimeUnit.SECONDS);
    assertTrue(left.emptied(), "host-c emptied before leaving: " + left);
    await("2 ready again without host-c", WAIT, () -> ready(a, "web").size() == 2);
    await(
        "host-c removed from the cluster",
        WAIT,
        () -> c.system().getWhenTerminated().toCompletableFuture().isDone());
    nodes.remove(c);
  }
}
