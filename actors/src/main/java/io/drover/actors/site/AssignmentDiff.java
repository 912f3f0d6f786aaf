package io.drover.actors.site;

import io.drover.actors.agent.HostAgent;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Which hosts' assignments changed between two plans: after a plan change only those hosts need a
 * new {@link HostAgent.Assign} (the others' agents already run what they are told; the reconcile
 * tick re-sends everything anyway). Sending every host's assignment on every plan change costs
 * O(hosts) messages per change, O(hosts^2) per roll of a site. Pure.
 */
final class AssignmentDiff {

  private AssignmentDiff() {}

  /**
   * @param before {@link SitePlanner#assignments} before the change
   * @param after the same after it
   * @return hosts whose list differs, including hosts that had assignments and have none now
   */
  static Set<String> changed(
      Map<String, List<HostAgent.Assignment>> before,
      Map<String, List<HostAgent.Assignment>> after) {
    Set<String> changed = new TreeSet<>();
    for (Map.Entry<String, List<HostAgent.Assignment>> e : after.entrySet()) {
      if (!e.getValue().equals(before.get(e.getKey()))) {
        changed.add(e.getKey());
      }
    }
    for (String host : before.keySet()) {
      if (!after.containsKey(host)) {
        changed.add(host);
      }
    }
    return changed;
  }
}
