package io.drover.actors.agent;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.drover.persistence.CborSerializable;

/**
 * One instance as its host agent sees it right now. This is observed state: never persisted, sent
 * by the agent to the site in every report, shown by {@code GET /api/v1/sites/{name}/instances}.
 *
 * @param id instance id, {@code <site>-<epoch>}
 * @param site the site it belongs to
 * @param host the host it runs on
 * @param pid the OS pid of the process group leader; 0 while no process runs (fetching, building,
 *     backoff)
 * @param port the value of {@code PORT}; stable across restarts of the same instance, unless
 *     another process turned out to hold it (then the agent hands the instance a new one)
 * @param state see {@link InstanceState}
 * @param revision the revision its release directory holds
 * @param epoch the placement epoch; of two copies the one with the older epoch is surplus
 * @param restarts how many times the agent restarted it
 * @param lastExit exit code of the last process that ended, or {@code null}
 * @param message why it is not ready (last error and a short log tail), or {@code null}
 * @param sinceMillis epoch milliseconds when it entered {@code state}
 */
public record InstanceStatus(
    String id,
    String site,
    String host,
    long pid,
    int port,
    InstanceState state,
    String revision,
    long epoch,
    int restarts,
    Integer lastExit,
    String message,
    long sinceMillis)
    implements CborSerializable {

  @JsonIgnore
  public boolean isReady() {
    return state == InstanceState.READY;
  }
}
