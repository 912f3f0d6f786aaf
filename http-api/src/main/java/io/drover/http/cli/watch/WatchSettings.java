package io.drover.http.cli.watch;

import java.time.Duration;
import java.time.ZoneId;
import java.util.function.LongSupplier;

/**
 * How a watch talks and draws; {@link #defaults()} for the CLI, shorter bounds in tests.
 *
 * <p>Its requests' own bounds are the CLI's ({@link io.drover.http.cli.Api}): 5 s to connect, 30 s
 * for an answer or a stream's head.
 *
 * @param idleTimeout a stream that sends nothing this long (not even the node's keep-alive comment,
 *     every 15 s) is taken as dropped and resumed
 * @param maxAttempts reconnections in a row without a step in between, then give up (exit 3)
 * @param initialBackoff before the first reconnection; doubled each attempt up to {@code
 *     maxBackoff}
 * @param maxBackoff the longest wait between reconnections
 * @param totalBound the longest time without a stream, since it dropped, before giving up (exit 3)
 * @param redrawEvery how often a terminal's live line is redrawn with no step (elapsed and ETA
 *     move)
 * @param width columns of the terminal (the live line takes at most this minus one)
 * @param zone time zone of the times printed
 * @param clock epoch ms now
 */
public record WatchSettings(
    Duration idleTimeout,
    int maxAttempts,
    Duration initialBackoff,
    Duration maxBackoff,
    Duration totalBound,
    Duration redrawEvery,
    int width,
    ZoneId zone,
    LongSupplier clock) {

  /** For the CLI: 10 reconnections, 0.5 s doubling to 5 s, at most 60 s without a stream. */
  public static WatchSettings defaults() {
    return new WatchSettings(
        Duration.ofSeconds(45),
        10,
        Duration.ofMillis(500),
        Duration.ofSeconds(5),
        Duration.ofSeconds(60),
        Duration.ofSeconds(1),
        ProgressRender.width(System.getenv("COLUMNS")),
        ZoneId.systemDefault(),
        System::currentTimeMillis);
  }

  /** The wait before reconnection {@code attempt} (1 for the first). */
  public Duration backoff(int attempt) {
    long ms = initialBackoff.toMillis();
    for (int i = 1; i < attempt && ms < maxBackoff.toMillis(); i++) {
      ms *= 2;
    }
    return Duration.ofMillis(Math.min(ms, maxBackoff.toMillis()));
  }

  public WatchSettings withWidth(int columns) {
    return new WatchSettings(
        idleTimeout,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        totalBound,
        redrawEvery,
        columns,
        zone,
        clock);
  }

  public WatchSettings withRetries(int attempts, Duration initial, Duration max, Duration total) {
    return new WatchSettings(
        idleTimeout, attempts, initial, max, total, redrawEvery, width, zone, clock);
  }

  public WatchSettings withIdleTimeout(Duration idle) {
    return new WatchSettings(
        idle, maxAttempts, initialBackoff, maxBackoff, totalBound, redrawEvery, width, zone, clock);
  }

  public WatchSettings withZone(ZoneId z) {
    return new WatchSettings(
        idleTimeout,
        maxAttempts,
        initialBackoff,
        maxBackoff,
        totalBound,
        redrawEvery,
        width,
        z,
        clock);
  }
}
