package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** {@code drover.agent.build-timeout}: 10 minutes unless set, and bounded. */
class NodeSettingsBuildTimeoutTest {

  private static Config with(String setting) {
    return ConfigFactory.parseString(setting).withFallback(ConfigFactory.load()).resolve();
  }

  @Test
  void defaultsToTenMinutes() {
    assertEquals(Duration.ofMinutes(10), NodeSettings.fromConfig(with("")).agent().buildTimeout());
  }

  @Test
  void canBeSetWithinBounds() {
    assertEquals(
        Duration.ofHours(1),
        NodeSettings.fromConfig(with("drover.agent.build-timeout = 1h")).agent().buildTimeout());
  }

  @Test
  void outOfBoundsSaysWhatToFix() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> NodeSettings.fromConfig(with("drover.agent.build-timeout = 3h")));
    assertEquals("drover.agent.build-timeout must be between 1s and 2h, got 3h", e.getMessage());
  }
}
