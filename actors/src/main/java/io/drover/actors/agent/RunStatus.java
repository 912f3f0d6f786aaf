package io.drover.actors.agent;

import io.drover.persistence.CborSerializable;

/** STUB (contract). */
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
