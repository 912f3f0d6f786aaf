package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ReadinessScheduleTest {

  @Test
  void firstProbeTenMillisecondsAfterTheStart() {
    assertEquals(Duration.ofMillis(10), ReadinessSchedule.upTo(Duration.ofSeconds(5)).delay());
  }

  @Test
  void doublesPerFailedProbeUpToTheInterval() {
    ReadinessSchedule s = ReadinessSchedule.upTo(Duration.ofSeconds(5));
    long[] expected = {10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5000, 5000, 5000};
    for (long ms : expected) {
      assertEquals(Duration.ofMillis(ms), s.delay());
      s = s.next();
    }
  }

  @Test
  void probesOfAFastAppComeEarly() {
    // cumulative probe times (ignoring probe duration): 10, 30, 70, 150 ms
    ReadinessSchedule s = ReadinessSchedule.upTo(Duration.ofSeconds(5));
    long at = 0;
    long[] expected = {10, 30, 70, 150};
    for (long ms : expected) {
      at += s.delay().toMillis();
      assertEquals(ms, at);
      s = s.next();
    }
  }

  @Test
  void intervalBelowTheFirstWaitIsUsedThroughout() {
    ReadinessSchedule s = ReadinessSchedule.upTo(Duration.ofMillis(3));
    assertEquals(Duration.ofMillis(3), s.delay());
    assertEquals(Duration.ofMillis(3), s.next().next().delay());
  }

  @Test
  void intervalNotAPowerOfTwoOfTheFirstIsReachedExactly() {
    ReadinessSchedule s = ReadinessSchedule.upTo(Duration.ofMillis(35));
    assertEquals(Duration.ofMillis(20), s.next().delay());
    assertEquals(Duration.ofMillis(35), s.next().next().delay());
    assertEquals(Duration.ofMillis(35), s.next().next().next().delay());
  }

  @Test
  void rejectsDelayAboveCap() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new ReadinessSchedule(Duration.ofSeconds(2), Duration.ofSeconds(1)));
  }
}
