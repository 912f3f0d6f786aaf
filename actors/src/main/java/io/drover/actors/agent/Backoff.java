package io.drover.actors.agent;

import java.time.Duration;

/**
 * Capped exponential restart delay of one instance; a pure value. The n-th consecutive failure
 * waits {@code initial * 2^(n-1)}, never more than {@code max}. A failure that comes after the
 * instance was ready for at least {@code resetAfter} counts as the first one again.
 *
 * @param initial delay after the first failure
 * @param max the cap
 * @param resetAfter how long an instance must have been ready for the count to start over
 * @param failures consecutive failures so far; 0 before any
 */
public record Backoff(Duration initial, Duration max, Duration resetAfter, int failures) {

  public Backoff {
    if (initial.isNegative() || max.compareTo(initial) < 0 || failures < 0) {
      throw new IllegalArgumentException(
          "backoff needs 0 <= initial <= max, got " + initial + " and " + max);
    }
  }

  public static Backoff of(Duration initial, Duration max, Duration resetAfter) {
    return new Backoff(initial, max, resetAfter, 0);
  }

  /**
   * After one more failure.
   *
   * @param readyFor how long the instance had been ready before it failed; {@link Duration#ZERO}
   *     when it never became ready
   */
  public Backoff afterFailure(Duration readyFor) {
    int base = readyFor.compareTo(resetAfter) >= 0 ? 0 : failures;
    return new Backoff(initial, max, resetAfter, base == Integer.MAX_VALUE ? base : base + 1);
  }

  /** The delay before the next restart; {@link Duration#ZERO} before any failure. */
  public Duration delay() {
    if (failures == 0) {
      return Duration.ZERO;
    }
    Duration d = initial;
    for (int i = 1; i < failures; i++) {
      d = d.multipliedBy(2);
      if (d.compareTo(max) >= 0) {
        return max;
      }
    }
    return d.compareTo(max) > 0 ? max : d;
  }
}
