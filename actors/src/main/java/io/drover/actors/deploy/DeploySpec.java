package io.drover.actors.deploy;

import io.drover.persistence.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * One deploy as accepted: every knob resolved to a value (defaults filled in, durations in
 * milliseconds). Persisted in the deploy's first event, so it is the journal's type, not the API's:
 * the HTTP request body maps onto it.
 *
 * @param id the deploy id (client-chosen or generated)
 * @param sites the sites it deploys, sorted, at least one
 * @param revisions the target revision of each site (the same for all, except in a revert)
 * @param revision the target revision when it is the same for every site; null in a revert whose
 *     sites go back to different revisions
 * @param parallel hosts in progress at once, at most
 * @param perPool hosts of one pool in progress at once, at most
 * @param canaryPerPool canary hosts per pool, deployed first; 0 for none
 * @param canaryBakeMillis how long the canaries must stay healthy before the rest goes
 * @param hostDeadlineMillis a host not done this long after it started fails
 * @param deployDeadlineMillis the deploy fails when not done this long after it started (time spent
 *     paused does not count)
 * @param autoRevert a failed deploy starts its revert at once
 * @param maxStartFailures a host fails when a new instance there failed to become ready this often
 * @param seed the seed of the host order
 * @param reason why, from the request (shown, audited)
 * @param by who asked (the API caller's name, or {@code drover} for an automatic revert)
 * @param force the deploy aborts running deploys of its sites instead of queueing behind them
 * @param revertOf the deploy this one reverts; null for a plain deploy
 * @param requestedAt epoch ms of the request
 */
public record DeploySpec(
    String id,
    List<String> sites,
    Map<String, String> revisions,
    String revision,
    int parallel,
    int perPool,
    int canaryPerPool,
    long canaryBakeMillis,
    long hostDeadlineMillis,
    long deployDeadlineMillis,
    boolean autoRevert,
    int maxStartFailures,
    String seed,
    String reason,
    String by,
    boolean force,
    String revertOf,
    long requestedAt)
    implements CborSerializable {

  public DeploySpec {
    sites = List.copyOf(sites);
    revisions = Map.copyOf(revisions);
  }

  /** The target revision of {@code site}. */
  public String revisionOf(String site) {
    return revisions.get(site);
  }
}
