package io.drover.actors.agent;

/**
 * What an agent keeps of one cronjob run, on disk in {@code <dataDir>/agent/runs.json} ({@link
 * RunBook}) so that a run id stays known across a restart of the node.
 *
 * @param runId the run id
 * @param job the cronjob
 * @param tick the scheduled instant, ISO-8601 UTC
 * @param revision the release it runs from
 * @param state never {@code UNKNOWN} or {@code REFUSED}
 * @param exitCode the exit code, or {@code null}
 * @param startedAt epoch millis when its process started, or {@code null}
 * @param endedAt epoch millis when it ended, or {@code null}
 * @param reason why it failed or was lost, or {@code null}
 * @param pid its process (and process group) id while it runs, else 0
 * @param startInstant the OS start instant of {@code pid} ({@code Instant.toString()}), or {@code
 *     null}; a live process with this pid but another start instant is somebody else
 * @param fence the fencing token of the dispatch that started it
 * @param acceptedAt epoch millis when this agent accepted it
 */
record RunRecord(
    String runId,
    String job,
    String tick,
    String revision,
    RunState state,
    Integer exitCode,
    Long startedAt,
    Long endedAt,
    String reason,
    long pid,
    String startInstant,
    long fence,
    long acceptedAt) {

  /** A run just accepted: {@code STARTING}, nothing started yet. */
  static RunRecord accepted(RunOrder order, long fence, long now) {
    return new RunRecord(
        order.runId(),
        order.job(),
        order.tick(),
        order.revision(),
        RunState.STARTING,
        null,
        null,
        null,
        null,
        0,
        null,
        fence,
        now);
  }

  /** Its process started. */
  RunRecord running(long newPid, String newStartInstant, long at) {
    return new RunRecord(
        runId,
        job,
        tick,
        revision,
        RunState.RUNNING,
        null,
        at,
        null,
        null,
        newPid,
        newStartInstant,
        fence,
        acceptedAt);
  }

  /** It ended ({@code SUCCEEDED}, {@code FAILED} or {@code LOST}); it has no process any more. */
  RunRecord ended(RunState end, Integer code, String why, Long at) {
    return new RunRecord(
        runId, job, tick, revision, end, code, startedAt, at, why, 0, null, fence, acceptedAt);
  }

  RunStatus status(String host, long seenFence) {
    return new RunStatus(runId, job, host, state, exitCode, startedAt, endedAt, reason, seenFence);
  }
}
