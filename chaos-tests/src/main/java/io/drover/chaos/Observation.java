package io.drover.chaos;

import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What the harness saw at one moment: the sites as the API describes them, and the instance
 * processes that really run, as the OS lists them. Invariants are checked against both, so a bug
 * that makes Drover report something untrue still shows.
 *
 * @param atMillis when it was taken
 * @param hostsUp hosts whose node is running and not paused
 * @param sites every site from {@code GET /api/v1/sites} of a live node; empty if none answered
 * @param processes every instance process found in {@code /proc}, by its {@code DROVER_*}
 *     environment
 */
public record Observation(
    long atMillis, Set<String> hostsUp, List<Site> sites, List<Proc> processes) {

  /**
   * A site as the API reports it.
   *
   * @param name site name
   * @param revision its desired revision
   * @param desired its desired instance count
   * @param instances every placed instance
   */
  public record Site(String name, String revision, int desired, List<Instance> instances) {}

  /**
   * One placed instance as the API reports it.
   *
   * @param revision the revision it runs; null when not reported
   */
  public record Instance(
      String id, String host, String state, long epoch, long pid, String revision) {

    public Instance(String id, String host, String state, long epoch, long pid) {
      this(id, host, state, epoch, pid, null);
    }

    public boolean ready() {
      return "ready".equals(state);
    }
  }

  /**
   * One instance process in the OS.
   *
   * @param host the host whose agent started it (from {@code DROVER_AGENT_ID})
   * @param site {@code DROVER_SITE}
   * @param instanceId {@code DROVER_INSTANCE}
   * @param pid its pid
   */
  public record Proc(String host, String site, String instanceId, long pid) {}

  /** Processes grouped by site. */
  public Map<String, List<Proc>> processesBySite() {
    return processes.stream().collect(java.util.stream.Collectors.groupingBy(Proc::site));
  }
}
