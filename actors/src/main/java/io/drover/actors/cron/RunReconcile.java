package io.drover.actors.cron;

import io.drover.actors.agent.RunStatus;

/**
 * What an agent's word about a run means for the scheduler's record of it: the one decision that
 * keeps a run from starting twice after a failover. Pure.
 *
 * <ul>
 *   <li>running (or starting): nothing to record; the exit comes later.
 *   <li>succeeded, failed, lost: the run ended so.
 *   <li>unknown to an agent of the incarnation it was dispatched to: the dispatch never arrived
 *       (the scheduler stopped between persisting {@code TickStarted} and sending it, or the
 *       message was lost): send it again — the agent starts a run id at most once, so this cannot
 *       make a second run.
 *   <li>unknown to a newer incarnation of the host (its node restarted with another data
 *       directory): whether it ran cannot be known; it is lost, never started again.
 *   <li>refused: a newer scheduler incarnation exists; this one does nothing.
 * </ul>
 */
public final class RunReconcile {

  private RunReconcile() {}

  public enum Action {
    NONE,
    RUNNING,
    ENDED,
    REDISPATCH,
    STALE
  }

  /** The outcome: what to do, and for {@code ENDED} the run's end state and reason. */
  public record Outcome(Action action, String state, String reason) {
    static Outcome of(Action a) {
      return new Outcome(a, null, null);
    }
  }

  /**
   * @param record the scheduler's record (active)
   * @param status what the agent says
   * @param incarnation the incarnation of the host's agent that answered
   */
  public static Outcome decide(RunRecord record, RunStatus status, String incarnation) {
    if (!record.active()) {
      return Outcome.of(Action.NONE);
    }
    return switch (status.state()) {
      case STARTING, RUNNING -> Outcome.of(Action.RUNNING);
      case SUCCEEDED -> new Outcome(Action.ENDED, RunRecord.SUCCEEDED, null);
      case FAILED -> new Outcome(Action.ENDED, RunRecord.FAILED, status.reason());
      case LOST ->
          new Outcome(
              Action.ENDED,
              RunRecord.LOST,
              status.reason() != null ? status.reason() : "lost on host " + record.host());
      case REFUSED -> Outcome.of(Action.STALE);
      case UNKNOWN ->
          record.incarnation() == null || record.incarnation().equals(incarnation)
              ? Outcome.of(Action.REDISPATCH)
              : new Outcome(
                  Action.ENDED,
                  RunRecord.LOST,
                  "host "
                      + record.host()
                      + " restarted without a record of the run; it is not started again");
    };
  }

  /** The end of a run whose host departed (its node left, crashed or was downed). */
  public static Outcome departed(RunRecord record, boolean vanished) {
    return new Outcome(
        Action.ENDED,
        RunRecord.LOST,
        "host "
            + record.host()
            + (vanished ? " vanished" : " left the cluster")
            + " while the run was running; it is not started again");
  }
}
