package io.drover.actors.cron;

import io.drover.persistence.CborSerializable;

/**
 * One entry of a job's history: a run, or a tick (or range of ticks) that did not run.
 *
 * @param run the run id ({@code <job>-<tick>}, {@code -retry<N>} for a retry, {@code
 *     <job>-manual-<time>} for a manual run); for a missed or skipped tick the id the run would
 *     have had
 * @param tick the scheduled instant (ISO-8601 UTC); a manual run's is when it was asked for
 * @param host where it runs or ran; null for missed and skipped ticks
 * @param state {@code started}, {@code succeeded}, {@code failed}, {@code lost}, {@code skipped} or
 *     {@code missed}
 * @param exitCode the process's exit code once it exited
 * @param startedAt when it was dispatched (epoch ms); null when it did not run
 * @param endedAt when it ended (epoch ms)
 * @param reason why it failed, was lost, skipped or missed
 * @param manual started by {@code POST /cronjobs/{name}/trigger}
 * @param attempt 0 for the first run of a tick, N for its N-th retry
 * @param count how many ticks this entry stands for (more than 1: an aggregated missed range)
 * @param through the last tick of an aggregated range (else equal to {@code tick})
 * @param incarnation the incarnation of the host's agent it was dispatched to
 * @param fence the scheduler's fencing token when it was dispatched
 */
public record RunRecord(
    String run,
    String tick,
    String host,
    String state,
    Integer exitCode,
    Long startedAt,
    Long endedAt,
    String reason,
    boolean manual,
    int attempt,
    long count,
    String through,
    String incarnation,
    long fence)
    implements CborSerializable {

  public static final String STARTED = "started";
  public static final String SUCCEEDED = "succeeded";
  public static final String FAILED = "failed";
  public static final String LOST = "lost";
  public static final String SKIPPED = "skipped";
  public static final String MISSED = "missed";

  /** A run decided now and dispatched to {@code host} once persisted. */
  static RunRecord started(
      String run,
      java.time.Instant tick,
      io.drover.actors.host.HostInfo host,
      java.time.Instant now,
      boolean manual,
      int attempt,
      long fence) {
    return new RunRecord(
        run,
        tick.toString(),
        host.name(),
        STARTED,
        null,
        now.toEpochMilli(),
        null,
        null,
        manual,
        attempt,
        1,
        tick.toString(),
        host.incarnation(),
        fence);
  }

  /** Still running (or about to): not ended. */
  public boolean active() {
    return STARTED.equals(state);
  }

  RunRecord ended(String newState, Integer code, Long started, long at, String why) {
    return new RunRecord(
        run,
        tick,
        host,
        newState,
        code,
        started != null ? started : startedAt,
        at,
        why,
        manual,
        attempt,
        count,
        through,
        incarnation,
        fence);
  }
}
