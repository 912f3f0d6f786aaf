package io.drover.actors.agent;

/** STUB (contract). */
public enum RunState {
  STARTING,
  RUNNING,
  SUCCEEDED,
  FAILED,
  LOST,
  UNKNOWN,
  REFUSED
}
