package io.drover.actors.agent;

import io.drover.persistence.CborSerializable;
import java.util.List;

/** STUB (contract). */
public record RunStatuses(List<RunStatus> runs) implements CborSerializable {}
