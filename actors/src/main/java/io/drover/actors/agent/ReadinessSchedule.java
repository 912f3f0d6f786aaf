package io.drover.actors.agent;

import java.time.Duration;

/**
 * When a starting instance's readiness is probed next; a pure value. Most apps answer within tens
 * of milliseconds, so the first probe comes {@link #FIRST} after the start and each failed one
 * doubles the wait, up to the site's health-check interval: a fast app is seen ready within a few
 * milliseconds of answering, a slow one costs a handful of cheap probes. Each wait counts from the
 * previous probe's answer (a probe may itself take up to the check timeout), never from a fixed
 * clock.
 *
 * @param delay the wait before the next probe
 * @param cap the longest wait, the configured health-check interval; when it is below {@link
 *     #FIRST}, every wait is {@code cap}
 */
record ReadinessSchedule(Duration delay, Duration cap) {

  /** The wait between the process start and its first readiness probe. */
  static final Duration FIRST = Duration.ofMillis(10);

  ReadinessSchedule {
    if (delay.isNegative() || cap.isNegative() || delay.compareTo(cap) > 0) {
      throw new IllegalArgumentException(
          "readiness schedule needs 0 <= delay <= cap, got " + delay + " and " + cap);
    }
  }

  /** The schedule of a process that has just started, doubling up to {@code interval}. */
  static ReadinessSchedule upTo(Duration interval) {
    return new ReadinessSchedule(FIRST.compareTo(interval) > 0 ? interval : FIRST, interval);
  }

  /** After one more failed probe: twice the wait, at most {@code cap}. */
  ReadinessSchedule next() {
    Duration doubled = delay.compareTo(cap) >= 0 ? cap : delay.multipliedBy(2);
    return new ReadinessSchedule(doubled.compareTo(cap) > 0 ? cap : doubled, cap);
  }
}
