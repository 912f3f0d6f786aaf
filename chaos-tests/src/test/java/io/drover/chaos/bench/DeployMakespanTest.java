package io.drover.chaos.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DeployMakespanTest {

  @Test
  void defaultsAndFlags() {
    assertEquals(
        new DeployMakespan.Args(800, 50, Duration.ofSeconds(2)), DeployMakespan.Args.parse());
    assertEquals(
        new DeployMakespan.Args(40, 10, Duration.ofMillis(1500)),
        DeployMakespan.Args.parse("--hosts", "40", "--parallel", "10", "--start", "1500ms"));
  }

  @Test
  void lowerBoundIsCeilOfHostsOverParallelTimesStart() {
    assertEquals(Duration.ofSeconds(32), DeployMakespan.Args.parse().lowerBound());
    assertEquals(
        Duration.ofSeconds(3),
        DeployMakespan.Args.parse("--hosts", "44", "--parallel", "20", "--start", "1s")
            .lowerBound());
  }

  @Test
  void badInputSaysWhatToFix() {
    assertMessage("multiple of 4", "--hosts", "801");
    assertMessage("from 8 to 5000", "--hosts", "4");
    assertMessage("whole number", "--hosts", "many");
    assertMessage("--parallel must be", "--parallel", "0");
    assertMessage("--start must be", "--start", "50ms");
    assertMessage("--start must be", "--start", "11m");
    assertMessage("like 2s", "--start", "2 s");
    assertMessage("unknown flag", "--canary", "1");
    assertMessage("incomplete", "--hosts");
  }

  private static void assertMessage(String part, String... argv) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeployMakespan.Args.parse(argv));
    assertTrue(e.getMessage().contains(part), e.getMessage());
  }

  @Test
  void cpuTicksAreUtimePlusStimeEvenWithSpacesInTheName() {
    String stat =
        "4242 (java (x) y) S 1 4242 4242 0 -1 4194560 100 0 0 0 1234 567 0 0 20 0 30 0 99 0";
    assertEquals(1234 + 567, DeployMakespan.cpuTicks(stat));
  }
}
