package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class ClusterSettingsTest {

  private static ClusterSettings.Discovery config(int expect, String... endpoints) {
    return new ClusterSettings.Discovery(
        ClusterSettings.Method.CONFIG, "drover", 8558, expect, List.of(endpoints));
  }

  private static ClusterSettings seeds(String... join) {
    return new ClusterSettings(
        List.of(join),
        false,
        Duration.ofMinutes(2),
        Duration.ofSeconds(4),
        ClusterSettings.Discovery.none());
  }

  /**
   * A restarted first seed must find the running cluster before it forms its own: with 1 s it did
   * not on a busy 2-core machine and two clusters ran side by side (ChaosIT, kill scenario).
   */
  @Test
  void firstSeedWaitsLongEnoughForARunningClusterToAnswer() {
    Config c = ConfigFactory.parseResourcesAnySyntax("application").resolve();
    assertTrue(
        c.getDuration("pekko.cluster.seed-node-timeout").compareTo(Duration.ofSeconds(5)) >= 0,
        "seed-node-timeout " + c.getDuration("pekko.cluster.seed-node-timeout"));
  }

  @Test
  void hostPortAcceptsNamesIpsAndBracketedIpv6() {
    assertEquals(
        new ClusterSettings.HostPort("127.0.0.1", 2552),
        ClusterSettings.parseHostPort("127.0.0.1:2552"));
    assertEquals(
        "node-1.example.org", ClusterSettings.parseHostPort("node-1.example.org:1").host());
    assertEquals("[::1]", ClusterSettings.parseHostPort(" [::1]:65535 ").host());
  }

  @Test
  void hostPortRefusalsSayWhatToFix() {
    assertTrue(message("127.0.0.1").contains("HOST:PORT"));
    assertTrue(message(":2552").contains("HOST:PORT"));
    assertTrue(message("127.0.0.1:").contains("HOST:PORT"));
    assertTrue(message("127.0.0.1:0").contains("between 1 and 65535"));
    assertTrue(message("127.0.0.1:65536").contains("between 1 and 65535"));
    assertTrue(message("127.0.0.1:http").contains("not a number"));
    assertTrue(message("::1:2552").contains("brackets"));
    assertTrue(message("bad_host!:2552").contains("not a host name"));
  }

  private static String message(String hp) {
    return assertThrows(IllegalArgumentException.class, () -> ClusterSettings.parseHostPort(hp))
        .getMessage();
  }

  @Test
  void defaultsFormAClusterOfItsOwnWithTwoSecondDowning() {
    ClusterSettings s = ClusterSettings.fromConfig(Node.config(ConfigFactory.empty()));
    assertEquals(ClusterSettings.Mode.SELF, s.mode());
    assertEquals(Duration.ofSeconds(2), s.downAfter());
    assertEquals(2, s.discovery().expectNodes());
    assertTrue(s.problem().isEmpty());
  }

  @Test
  void seedsBecomeTheWholeSeedNodeListAndDownAfterTheSbrTiming() {
    Config c = seeds("127.0.0.1:2552", "10.0.0.2:2553").pekkoConfig("127.0.0.1").resolve();
    assertEquals(
        List.of("pekko://drover@127.0.0.1:2552", "pekko://drover@10.0.0.2:2553"),
        c.getStringList("pekko.cluster.seed-nodes"));
    assertEquals(
        Duration.ofSeconds(4), c.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
    assertFalse(c.hasPath("pekko.management.http.port"));
  }

  @Test
  void seedsWinOverTheFilesInTheNodeConfiguration() {
    Config overrides =
        ConfigFactory.parseMap(
            Map.of("drover.join", List.of("127.0.0.1:2601"), "drover.down-after", "2500ms"));
    Config node = Node.config(overrides);
    ClusterSettings s = ClusterSettings.fromConfig(node);
    assertEquals(ClusterSettings.Mode.SEEDS, s.mode());
    Config full = s.pekkoConfig("127.0.0.1").withFallback(node);
    assertEquals(
        List.of("pekko://drover@127.0.0.1:2601"), full.getStringList("pekko.cluster.seed-nodes"));
    assertEquals(
        Duration.ofMillis(2500),
        full.getDuration("pekko.cluster.split-brain-resolver.stable-after"));
    assertEquals(
        Duration.ofMillis(500),
        full.getDuration("pekko.cluster.failure-detector.heartbeat-interval"));
    // not tied to down-after: it covers how long a downing takes to be seen, not a stable-after
    assertEquals(Duration.ofSeconds(1), full.getDuration("pekko.cluster.down-removal-margin"));
  }

  @Test
  void onlyAFirstSeedThatRanBeforeWaitsLongerBeforeItFormsACluster() {
    Duration wait = Duration.ofSeconds(30);
    ClusterSettings s = seeds("127.0.0.1:2601", "127.0.0.1:2602");
    assertEquals(Optional.of(wait), s.firstSeedWait("127.0.0.1:2601", true, wait));
    assertEquals(Optional.empty(), s.firstSeedWait("127.0.0.1:2601", false, wait), "fresh");
    assertEquals(Optional.empty(), s.firstSeedWait("127.0.0.1:2602", true, wait), "not first");
    assertEquals(
        Optional.empty(),
        withDiscovery(config(1, "127.0.0.1:8558")).firstSeedWait("127.0.0.1:2601", true, wait));
    assertEquals(
        Duration.ofSeconds(30),
        Node.config(ConfigFactory.empty()).getDuration("drover.rejoin-seed-timeout"));
  }

  @Test
  void configDiscoveryListsEndpointsAndKeepsOtherPortsOnOneIp() {
    ClusterSettings s =
        new ClusterSettings(
            List.of(),
            false,
            Duration.ofMinutes(2),
            Duration.ofSeconds(4),
            config(3, "127.0.0.1:8601", "127.0.0.1:8602", "127.0.0.1:8603"));
    assertEquals(ClusterSettings.Mode.DISCOVERY, s.mode());
    assertTrue(s.problem().isEmpty(), s.problem().toString());
    Config c = s.pekkoConfig("127.0.0.1");
    assertEquals("config", c.getString("pekko.discovery.method"));
    assertEquals(8558, c.getInt("pekko.management.http.port"));
    assertEquals("127.0.0.1", c.getString("pekko.management.http.hostname"));
    String b = "pekko.management.cluster.bootstrap.";
    assertFalse(c.getBoolean(b + "contact-point.filter-on-fallback-port"));
    assertEquals(3, c.getInt(b + "contact-point-discovery.required-contact-point-nr"));
    assertEquals("drover", c.getString(b + "contact-point-discovery.service-name"));
    List<? extends Config> eps =
        c.getConfigList("pekko.discovery.config.services.drover.endpoints");
    assertEquals(3, eps.size());
    assertEquals(8602, eps.get(1).getInt("port"));
  }

  @Test
  void dnsDiscoveryUsesPekkoDnsWithTheServiceName() {
    ClusterSettings s =
        new ClusterSettings(
            List.of(),
            false,
            Duration.ofMinutes(2),
            Duration.ofSeconds(4),
            new ClusterSettings.Discovery(
                ClusterSettings.Method.DNS, "drover.internal", 8558, 2, List.of()));
    assertTrue(s.problem().isEmpty());
    Config c = s.pekkoConfig("10.0.0.5");
    assertEquals("pekko-dns", c.getString("pekko.discovery.method"));
    assertEquals(
        "drover.internal",
        c.getString("pekko.management.cluster.bootstrap.contact-point-discovery.service-name"));
  }

  @Test
  void problemsNameTheFlagToFix() {
    assertTrue(seeds("127.0.0.1:0").problem().orElseThrow().startsWith("--join"));
    ClusterSettings both =
        new ClusterSettings(
            List.of("127.0.0.1:2552"),
            true,
            Duration.ofMinutes(2),
            Duration.ofSeconds(4),
            ClusterSettings.Discovery.none());
    assertTrue(both.problem().orElseThrow().contains("only one of"));
    ClusterSettings zero =
        new ClusterSettings(
            List.of(),
            false,
            Duration.ofMinutes(2),
            Duration.ZERO,
            ClusterSettings.Discovery.none());
    assertTrue(zero.problem().orElseThrow().contains("--down-after"));
    assertTrue(withDiscovery(config(1)).problem().orElseThrow().contains("--contact-point"));
    assertTrue(
        withDiscovery(config(3, "127.0.0.1:8558", "127.0.0.1:8559"))
            .problem()
            .orElseThrow()
            .contains("--expect-nodes 3"));
    assertTrue(
        withDiscovery(config(1, "127.0.0.1:99999")).problem().orElseThrow().contains("65535"));
    assertTrue(
        withDiscovery(
                new ClusterSettings.Discovery(
                    ClusterSettings.Method.DNS, "drover", 8558, 2, List.of("127.0.0.1:8558")))
            .problem()
            .orElseThrow()
            .contains("only used with --discovery config"));
  }

  private static ClusterSettings withDiscovery(ClusterSettings.Discovery d) {
    return new ClusterSettings(List.of(), false, Duration.ofMinutes(2), Duration.ofSeconds(4), d);
  }
}
