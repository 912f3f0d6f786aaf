package io.drover.actors.agent;

import java.time.Duration;

/**
 * Restart delay of one instance; a pure value. Like runit, the first restart after a stable run is
 * immediate: a crash is most often a one-off, and every millisecond of delay is downtime. Only when
 * the instance fails again before it has stayed ready for {@code resetAfter} does the delay grow:
 * the second consecutive failure waits {@code initial}, the third {@code 2 * initial}, the n-th
 * {@code initial * 2^(n-2)}, never more than {@code max}. A failure that comes after the instance
 * was ready for at least {@code resetAfter} is the first one again (no delay).
 *
 * <p>"Consecutive" means: without a ready period of at least {@code resetAfter} in between. A
 * process that never became ready (it crashed while starting, or missed its start timeout) had a
 * ready period of zero, so a crash loop backs off from its second failure on.
 *
 * @param initial delay after the second consecutive failure (the first restarts at once)
 * @param max the cap
 * @param resetAfter how long an instance must have been ready for the count to start over
 * @param failures consecutive failures so far, including the latest; 0 before any
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

  /**
   * The delay before the next restart: {@link Duration#ZERO} before any failure and after the first
   * one, then {@code initial * 2^(failures-2)} capped at {@code max}.
   */
  public Duration delay() {
    if (failures <= 1 || initial.isZero()) {
      return Duration.ZERO;
    }
    Duration d = initial;
    for (int i = 2; i < failures; i++) {
      d = d.multipliedBy(2);
      if (d.compareTo(max) >= 0) {
        return max;
      }
    }
    return d.compareTo(max) > 0 ? max : d;
  }
}
