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
    assertEquals(0, fresh.failures());
  }

  @Test
  void firstFailureRestartsAtOnce() {
    Backoff first = fresh.afterFailure(Duration.ZERO);
    assertEquals(1, first.failures());
    assertEquals(Duration.ZERO, first.delay());
  }

  @Test
  void secondConsecutiveFailureWaitsInitialThenDoubles() {
    Backoff b = fresh.afterFailure(Duration.ZERO);
    long[] expected = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000};
    for (int i = 0; i < expected.length; i++) {
      b = b.afterFailure(Duration.ZERO);
      assertEquals(i + 2, b.failures());
      assertEquals(Duration.ofMillis(expected[i]), b.delay(), "failure " + b.failures());
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
  void maxEqualToInitialIsAFixedDelayFromTheSecondFailure() {
    Backoff b = Backoff.of(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(10));
    b = b.afterFailure(Duration.ZERO);
    assertEquals(Duration.ZERO, b.delay());
    for (int i = 0; i < 5; i++) {
      b = b.afterFailure(Duration.ZERO);
      assertEquals(Duration.ofSeconds(1), b.delay());
    }
  }

  @Test
  void failureAfterAStableRunRestartsAtOnceAgain() {
    Backoff b =
        fresh.afterFailure(Duration.ZERO).afterFailure(Duration.ZERO).afterFailure(Duration.ZERO);
    assertEquals(Duration.ofSeconds(1), b.delay());
    Backoff afterLongRun = b.afterFailure(Duration.ofSeconds(60));
    assertEquals(1, afterLongRun.failures());
    assertEquals(Duration.ZERO, afterLongRun.delay());
    assertEquals(Duration.ofMillis(500), afterLongRun.afterFailure(Duration.ZERO).delay());
    Backoff afterShortRun = b.afterFailure(Duration.ofSeconds(59));
    assertEquals(4, afterShortRun.failures());
    assertEquals(Duration.ofSeconds(2), afterShortRun.delay());
  }

  @Test
  void failureCountNeverOverflows() {
    Backoff b =
        new Backoff(
            Duration.ofMillis(500),
            Duration.ofSeconds(30),
            Duration.ofSeconds(60),
            Integer.MAX_VALUE);
    assertEquals(Integer.MAX_VALUE, b.afterFailure(Duration.ZERO).failures());
    assertEquals(Duration.ofSeconds(30), b.delay());
  }

  @Test
  void zeroInitialNeverDelays() {
    Backoff b =
        new Backoff(
            Duration.ZERO, Duration.ofSeconds(30), Duration.ofSeconds(60), Integer.MAX_VALUE);
    assertEquals(Duration.ZERO, b.delay());
  }

  @Test
  void rejectsMaxBelowInitial() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Backoff.of(Duration.ofSeconds(2), Duration.ofSeconds(1), Duration.ofSeconds(1)));
  }
}
