package io.drover.actors.agent;

import io.drover.persistence.CborSerializable;
import java.util.List;

/** The answer to {@link HostAgent.GetRuns}: one status per asked run id, in the asked order. */
public record RunStatuses(List<RunStatus> runs) implements CborSerializable {
  public RunStatuses {
    runs = List.copyOf(runs);
  }
}
