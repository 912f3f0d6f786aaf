package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BackoffTest {

  private final Backoff fresh =
      Backoff.of(Duration.ofMillis(500), Duration.ofSeconds(30), Duration.ofSeconds(60));

  @Test
  void noDelayBeforeAnyFailure() {
    assertEquals(Duration.ZERO, fresh.delay());
  }

  @Test
  void doublesPerConsecutiveFailure() {
    Backoff b = fresh;
    long[] expected = {500, 1000, 2000, 4000, 8000, 16000};
    for (long ms : expected) {
      b = b.afterFailure(Duration.ZERO);
      assertEquals(Duration.ofMillis(ms), b.delay());
    }
  }

  @Test
  void cappedAtMax() {
    Backoff b = fresh;
    for (int i = 0; i < 200; i++) {
      b = b.afterFailure(Duration.ofSeconds(1));
    }
    assertEquals(Duration.ofSeconds(30), b.delay());
    assertEquals(200, b.failures());
  }

  @Test
  void readyLongEnoughStartsOver() {
    Backoff b =
        fresh.afterFailure(Duration.ZERO).afterFailure(Duration.ZERO).afterFailure(Duration.ZERO);
    assertEquals(Duration.ofSeconds(2), b.delay());
    Backoff afterLongRun = b.afterFailure(Duration.ofSeconds(60));
    assertEquals(1, afterLongRun.failures());
    assertEquals(Duration.ofMillis(500), afterLongRun.delay());
    Backoff afterShortRun = b.afterFailure(Duration.ofSeconds(59));
    assertEquals(Duration.ofSeconds(4), afterShortRun.delay());
  }

  @Test
  void rejectsMaxBelowInitial() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Backoff.of(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1)));
  }
}
