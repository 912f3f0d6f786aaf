package io.drover.actors.agent;

import io.drover.persistence.CborSerializable;

/**
 * One cronjob run as its host agent sees it now; sent on every change to the run's {@code
 * reportTo}, and as the answer to {@link HostAgent.StartRun} and {@link HostAgent.GetRuns}.
 *
 * @param runId the run id
 * @param job the cronjob, or {@code null} when the agent does not know the run ({@code UNKNOWN})
 * @param host the agent's host
 * @param state see {@link RunState}
 * @param exitCode the process's exit code, {@code null} until it exited (128+n after signal n)
 * @param startedAt epoch millis when its process started, or {@code null}
 * @param endedAt epoch millis when it ended, or {@code null} (also for {@code LOST}: not known)
 * @param reason why it failed, was lost, refused or is unknown; {@code null} on success
 * @param fence the highest fencing token this agent has seen
 */
public record RunStatus(
    String runId,
    String job,
    String host,
    RunState state,
    Integer exitCode,
    Long startedAt,
    Long endedAt,
    String reason,
    long fence)
    implements CborSerializable {}
