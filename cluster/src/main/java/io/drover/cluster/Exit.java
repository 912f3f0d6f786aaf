package io.drover.cluster;

import java.util.Optional;
import org.apache.pekko.actor.CoordinatedShutdown;

/**
 * Why a node stopped and the process exit code that says so. Downing is not a clean stop: the
 * cluster removed this node while it did not leave on purpose, so it stopped every instance and
 * exits non-zero (it fenced itself). A restarted node joins as a new incarnation and starts empty.
 *
 * @param code the process exit code: 0 stopped on purpose (leave, SIGTERM), 3 downed, 1 other
 *     cluster failures (could not join, incompatible configuration)
 * @param message one line for the node's log
 */
public record Exit(int code, String message) {

  /** The exit code of a node the cluster downed. */
  public static final int DOWNED = 3;

  static Exit of(Optional<CoordinatedShutdown.Reason> reason) {
    CoordinatedShutdown.Reason r = reason.orElse(CoordinatedShutdown.unknownReason());
    if (r == CoordinatedShutdown.clusterDowningReason()) {
      return new Exit(
          DOWNED,
          "this node was downed by the cluster (unreachable for longer than drover.down-after, or"
              + " removed while not leaving): it stopped every instance and exits with code "
              + DOWNED
              + " (fenced); restarted, it joins as a new incarnation");
    }
    if (r == CoordinatedShutdown.clusterJoinUnsuccessfulReason()
        || r == CoordinatedShutdown.incompatibleConfigurationDetectedReason()) {
      return new Exit(1, "this node could not join the cluster (" + r + "); exiting with code 1");
    }
    if (r == CoordinatedShutdown.clusterLeavingReason()) {
      return new Exit(0, "this node left the cluster; its instances stopped");
    }
    return new Exit(0, "node stopped (" + r + ")");
  }
}
