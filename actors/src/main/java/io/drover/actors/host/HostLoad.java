package io.drover.actors.host;

import io.drover.persistence.CborSerializable;

/**
 * How many instances one host's agent runs, of all sites; published by the agent on {@link
 * HostLoadTopic} when the count changes (coalesced) and every {@link #REPUBLISH_INTERVAL}.
 *
 * @param host the host name
 * @param incarnation the agent's incarnation; a count of another incarnation than the one the
 *     directory knows is ignored
 * @param instances instances the agent runs now (starting, ready, backing off or stopping)
 */
public record HostLoad(String host, String incarnation, int instances) implements CborSerializable {

  /** Least time between two publications of one agent after changes. */
  public static final java.time.Duration MIN_GAP = java.time.Duration.ofMillis(200);

  /** Every agent publishes its count this often even without change: heals a lost publication. */
  public static final java.time.Duration REPUBLISH_INTERVAL = java.time.Duration.ofSeconds(30);
}
