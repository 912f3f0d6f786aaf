package io.drover.actors.agent;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** What the host agent observes of one instance. Shown in lower case in the API. */
public enum InstanceState {
  /**
   * No process yet: the release directory of its revision is being fetched from another host (or
   * unpacked); {@code message} says from where.
   */
  FETCHING,
  /**
   * No process yet: the site's {@code build} runs for its revision on this host (or another
   * instance's run of the same build is awaited). Once per host and revision + build.
   */
  BUILDING,
  /** The process runs and its readiness check has not passed yet. */
  STARTING,
  /** The readiness check passed and the liveness checks keep passing. */
  READY,
  /** A ready instance failed its liveness check; it is about to be restarted. */
  UNHEALTHY,
  /** The process exited (or never became ready) and waits out its restart delay. */
  BACKOFF,
  /** SIGTERM was sent to its process group; SIGKILL follows after the stop grace. */
  STOPPING,
  /**
   * Shown by the site, never by an agent: its host does not report it now (unreachable or gone); it
   * is replaced elsewhere once it has been missing for the grace period.
   */
  UNKNOWN;

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }
}
