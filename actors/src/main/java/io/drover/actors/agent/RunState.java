package io.drover.actors.agent;

/**
 * Where one cronjob run stands on its host.
 *
 * <ul>
 *   <li>{@code STARTING}: accepted and recorded; its release directory is being resolved
 *   <li>{@code RUNNING}: its process runs
 *   <li>{@code SUCCEEDED}: it exited with code 0
 *   <li>{@code FAILED}: it exited with another code, timed out, was stopped, or never started
 *   <li>{@code LOST}: the node stopped while it was starting or running; it is never started again
 *   <li>{@code UNKNOWN}: this agent has no record of the run id (an answer, never stored)
 *   <li>{@code REFUSED}: the request came with a fencing token older than one this agent has seen,
 *       or the agent is stopping; nothing was started (an answer, never stored)
 * </ul>
 */
public enum RunState {
  STARTING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  LOST,
  UNKNOWN,
  REFUSED;

  /** True for the states of a run whose process may still run or start. */
  public boolean isActive() {
    return this == STARTING || this == RUNNING;
  }
}
