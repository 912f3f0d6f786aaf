package io.drover.actors.agent;

import io.drover.persistence.CborSerializable;
import java.util.List;
import java.util.Map;

/** STUB (contract; replaced by the agent's run primitive at merge). */
public record RunOrder(
    String runId,
    String job,
    String tick,
    String revision,
    List<String> command,
    Map<String, String> env,
    String timeout)
    implements CborSerializable {}
