package io.drover.actors.site;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.common.Durations;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import io.drover.actors.site.SiteEntity.Placed;
import io.drover.actors.site.SiteEntity.State;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a site entity observes of the world, in memory only: the host directory's latest list and
 * each host agent's latest report, and when each placed instance was last seen. It is rebuilt from
 * the host directory and agent reports after a restart. The entity updates it; the planner and the
 * view only read it.
 */
final class SiteObservations {

  private List<HostInfo> hosts = List.of();
  private Map<String, HostInfo> byName = Map.of();
  private HostDirectory.Hosts directory =
      new HostDirectory.Hosts(List.of(), Set.of(), Set.of(), Set.of());
  private boolean hostsReceived;
  private final Map<String, HostAgent.SiteReport> reports = new HashMap<>();
  private final Map<String, Long> lastSeen = new HashMap<>();

  /**
   * The host directory's latest list.
   *
   * @return the names of hosts whose assignments must be sent again: see {@link #changedHosts}
   */
  Set<String> hosts(HostDirectory.Hosts latest) {
    Set<String> changed = changedHosts(hostsReceived ? directory : null, latest);
    hosts = latest.hosts();
    Map<String, HostInfo> index = new HashMap<>();
    for (HostInfo h : hosts) {
      index.put(h.name(), h);
    }
    byName = index;
    directory = latest;
    hostsReceived = true;
    return changed;
  }

  /**
   * Hosts of {@code after} that may have missed this site's assignments: new ones, ones whose agent
   * or incarnation changed (a restarted node), and ones reachable again (what was sent meanwhile
   * may be lost). A change of load, cordon or drain alone changes no assignment by itself; when it
   * changes the plan, the plan's own assignments follow. Pure.
   *
   * @param before the previous list; {@code null} for the first, when every host counts as new
   */
  static Set<String> changedHosts(HostDirectory.Hosts before, HostDirectory.Hosts after) {
    Map<String, HostInfo> previous = new HashMap<>();
    if (before != null) {
      for (HostInfo h : before.hosts()) {
        previous.put(h.name(), h);
      }
    }
    Set<String> changed = new TreeSet<>();
    for (HostInfo h : after.hosts()) {
      HostInfo old = previous.get(h.name());
      if (old == null
          || !java.util.Objects.equals(old.agent(), h.agent())
          || !java.util.Objects.equals(old.incarnation(), h.incarnation())
          || (before.unreachable().contains(h.name()) && !after.unreachable().contains(h.name()))) {
        changed.add(h.name());
      }
    }
    return changed;
  }

  List<HostInfo> hosts() {
    return hosts;
  }

  HostDirectory.Hosts directory() {
    return directory;
  }

  /** False until the host directory's first list arrived: until then nothing is planned. */
  boolean hostsReceived() {
    return hostsReceived;
  }

  /**
   * Records a host agent's latest report about this site: every instance it lists that the site
   * placed on that host is seen at {@code now}.
   *
   * @return true when it lists instances the site did not place on that host (strays to stop)
   */
  boolean report(State state, HostAgent.SiteReport report, long now) {
    reports.put(report.host(), report);
    boolean strays = false;
    for (InstanceStatus st : report.instances()) {
      Placed p = state.placements().get(st.id());
      if (p != null && p.host().equals(report.host())) {
        lastSeen.put(st.id(), now);
      } else {
        strays = true;
      }
    }
    return strays;
  }

  /** {@code instanceId} was seen (reported by its host, or just placed) at {@code now}. */
  void seen(String instanceId, long now) {
    lastSeen.put(instanceId, now);
  }

  /** Starts the grace clock of {@code instanceId} at {@code now} unless it already runs. */
  void watch(String instanceId, long now) {
    lastSeen.putIfAbsent(instanceId, now);
  }

  /** {@code instanceId} is no longer placed. */
  void forget(String instanceId) {
    lastSeen.remove(instanceId);
  }

  /** Hosts that take no new placements but keep theirs: unreachable or cordoned. */
  Set<String> unavailable() {
    Set<String> all = new TreeSet<>(directory.unreachable());
    all.addAll(directory.unschedulable());
    return all;
  }

  HostInfo hostInfo(String host) {
    return byName.get(host);
  }

  /** What the host last reported of {@code p}; null when never reported or not reachable. */
  InstanceStatus observed(Placed p) {
    if (hostInfo(p.host()) == null || directory.unreachable().contains(p.host())) {
      return null;
    }
    return lastReported(p);
  }

  InstanceStatus lastReported(Placed p) {
    HostAgent.SiteReport r = reports.get(p.host());
    if (r == null) {
      return null;
    }
    for (InstanceStatus st : r.instances()) {
      if (st.id().equals(p.instanceId())) {
        return st;
      }
    }
    return null;
  }

  boolean isReady(Placed p) {
    InstanceStatus st = observed(p);
    return st != null && st.isReady();
  }

  /**
   * Its host was seen to leave the cluster (downed or stopped): the instance is gone with it, so
   * there is no grace to wait out. This is what lets a site that moved to a survivor after a host
   * died replace the host's instances right after the downing.
   */
  boolean hostDeparted(Placed p) {
    return directory.departed().contains(p.host());
  }

  /** Not in its host's reports (host unreachable, gone, or the instance vanished) for too long. */
  boolean isMissingTooLong(Placed p, long now, Duration grace) {
    return now - lastSeen.getOrDefault(p.instanceId(), now) > grace.toMillis();
  }

  String missingReason(Placed p, long now) {
    String since =
        Durations.format(Duration.ofMillis(now - lastSeen.getOrDefault(p.instanceId(), now)));
    if (hostDeparted(p)) {
      return "host " + p.host() + " left the cluster";
    }
    if (hostInfo(p.host()) == null) {
      return "host " + p.host() + " is gone (" + since + ")";
    }
    if (directory.unreachable().contains(p.host())) {
      return "host " + p.host() + " unreachable for " + since;
    }
    return "not reported by host " + p.host() + " for " + since;
  }
}
