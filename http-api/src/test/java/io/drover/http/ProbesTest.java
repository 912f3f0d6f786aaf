package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.actors.host.HostEntity;
import io.drover.actors.site.SiteEntity;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Probing names that do not exist starts no entity, and unknown paths add no metrics series: a
 * scanner cannot make a node's memory or its metrics grow.
 */
class ProbesTest {

  @TempDir Path tmp;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.start(tmp.resolve("node"), Map.of());
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void probingUnknownNamesStartsNoEntityAndAddsNoMetricsSeries() throws Exception {
    Random random = new Random(7);
    // every route and every kind of unknown path once, so their series exist before the count
    probe(12, random);
    series();
    int sites = entities(SiteEntity.ENTITY_TYPE_KEY);
    int hosts = entities(HostEntity.ENTITY_TYPE_KEY);
    int series = series();

    probe(1000, random);

    assertEquals(sites, entities(SiteEntity.ENTITY_TYPE_KEY), "site entities started by probes");
    assertEquals(hosts, entities(HostEntity.ENTITY_TYPE_KEY), "host entities started by probes");
    assertEquals(series, series(), "metrics series added by probes");
  }

  @Test
  void theEntityOfASiteThatDoesNotExistPassivates() throws Exception {
    int before = entities(SiteEntity.ENTITY_TYPE_KEY);
    ClusterSharding.get(node.node.system())
        .entityRefFor(SiteEntity.ENTITY_TYPE_KEY, "ghost")
        .tell(SiteEntity.Wake.INSTANCE);
    awaitEntities(before + 1, "the woken entity runs");
    awaitEntities(before, "the entity of a site that does not exist passivates");
  }

  private void awaitEntities(int n, String what) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (entities(SiteEntity.ENTITY_TYPE_KEY) != n) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "timed out: " + what + " (" + entities(SiteEntity.ENTITY_TYPE_KEY) + " running)");
      }
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private void probe(int n, Random random) throws Exception {
    for (int i = 0; i < n; i++) {
      String name = "p" + Long.toString(random.nextLong() & Long.MAX_VALUE, 36);
      String other = "q" + Integer.toString(random.nextInt(1_000_000), 36);
      record Probe(String method, String path, String body, int status) {}
      List<Probe> probes =
          List.of(
              new Probe("GET", "/api/v1/sites/" + name, null, 404),
              new Probe("GET", "/api/v1/sites/" + name + "/instances", null, 404),
              new Probe("GET", "/api/v1/sites/" + name + "/instances/x/logs", null, 404),
              new Probe("POST", "/api/v1/sites/" + name + "/scale", "{\"instances\":3}", 404),
              new Probe("DELETE", "/api/v1/sites/" + name, null, 404),
              new Probe("GET", "/api/v1/hosts/" + name, null, 404),
              new Probe("POST", "/api/v1/hosts/" + name + "/cordon", null, 404),
              new Probe("GET", "/api/v1/sites/" + name + "/" + other + "/" + other, null, 404),
              new Probe("GET", "/api/v1/" + name + "/" + other, null, 404),
              new Probe("GET", "/" + name, null, 404),
              new Probe("GET", "/api/v1/revisions/" + name, null, 404),
              new Probe("PATCH", "/api/v1/cluster/" + name, null, -1));
      Probe p = i < probes.size() ? probes.get(i) : probes.get(random.nextInt(probes.size()));
      TestNode.Reply r = node.call(p.method(), p.path(), p.body());
      if (p.status() > 0) {
        assertEquals(p.status(), r.status(), p.method() + " " + p.path() + ": " + r.body());
      }
    }
  }

  private int entities(EntityTypeKey<?> key) throws Exception {
    ShardRegion.CurrentShardRegionState state =
        AskPattern
            .<org.apache.pekko.cluster.sharding.typed.ClusterShardingQuery,
                ShardRegion.CurrentShardRegionState>
                ask(
                    ClusterSharding.get(node.node.system()).shardState(),
                    replyTo -> new GetShardRegionState(key, replyTo),
                    Duration.ofSeconds(10),
                    node.node.system().scheduler())
            .toCompletableFuture()
            .get(15, TimeUnit.SECONDS);
    int n = 0;
    for (ShardRegion.ShardState s : state.getShards()) {
      n += s.getEntityIds().size();
    }
    return n;
  }

  private int series() throws Exception {
    String text = node.call("GET", "/metrics", null).body();
    return (int)
        text.lines().filter(l -> l.startsWith("drover_http_requests_seconds_count")).count();
  }
}
