package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SimulatedHostsTest {

  private static Config with(Map<String, Object> simulated) {
    return ConfigFactory.parseMap(simulated)
        .withFallback(ConfigFactory.parseResourcesAnySyntax("drover"))
        .resolve();
  }

  @Test
  void noneByDefault() {
    SimulatedHosts s = SimulatedHosts.fromConfig(with(Map.of()));
    assertEquals(0, s.hosts());
    assertEquals(4, s.pools());
    assertEquals(Duration.ofSeconds(2), s.startTime());
    assertEquals(Duration.ofMillis(50), s.stopTime());
    assertEquals(Set.of(), s.failRevisions());
  }

  @Test
  void namesAreZeroPaddedAndPoolsRoundRobin() {
    SimulatedHosts s = new SimulatedHosts(800, 4, Duration.ZERO, Duration.ZERO, Set.of());
    assertEquals("n1-sim-0000", SimulatedHosts.hostName("n1", 0));
    assertEquals("n1-sim-0799", SimulatedHosts.hostName("n1", 799));
    assertEquals("sim-0", s.pool(0));
    assertEquals("sim-3", s.pool(799));
    assertEquals("sim-1", s.pool(5));
    assertNull(s.problem());
  }

  @Test
  void failRevisionsAreRead() {
    SimulatedHosts s =
        SimulatedHosts.fromConfig(
            with(Map.of("drover.simulated.fail-revisions", java.util.List.of("abc"))));
    assertEquals(Set.of("abc"), s.failRevisions());
  }

  @Test
  void outOfBoundsValuesRefuseTheStartWithWhatToFix() {
    assertRefused(Map.of("drover.simulated.hosts", 5001), "drover.simulated.hosts");
    assertRefused(Map.of("drover.simulated.hosts", -1), "between 0 and 5000");
    assertRefused(Map.of("drover.simulated.pools", 0), "drover.simulated.pools");
    assertRefused(Map.of("drover.simulated.start-time", "11m"), "drover.simulated.start-time");
    assertRefused(Map.of("drover.simulated.stop-time", "2m"), "drover.simulated.stop-time");
    assertRefused(Map.of("drover.simulated.hosts", "many"), "drover.simulated");
  }

  private static void assertRefused(Map<String, Object> o, String mentions) {
    StartRefused e = assertThrows(StartRefused.class, () -> SimulatedHosts.fromConfig(with(o)));
    assertTrue(e.getMessage().contains(mentions), e.getMessage());
  }
}
