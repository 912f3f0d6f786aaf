package io.drover.actors.deploy;

import io.drover.actors.deploy.DeployEntity.Event;
import io.drover.actors.deploy.DeployEntity.HostDone;
import io.drover.actors.deploy.DeployEntity.HostFailed;
import io.drover.actors.deploy.DeployEntity.HostProgressed;
import io.drover.actors.deploy.DeployEntity.HostSkipped;
import io.drover.actors.deploy.DeployState.HostRow;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.site.SiteEntity;
import io.drover.actors.site.SiteRollout;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What the deploy makes of what it hears, as pure functions: a site's report about one host, a new
 * host list from the directory, and the revert of a deploy. The entity persists the events these
 * return.
 */
final class DeployProgress {

  private DeployProgress() {}

  /**
   * The events one site's progress report about a host leads to (none when nothing changed).
   *
   * @param bySite the latest report of each site about that host, {@code p} included
   * @param unreachable the host directory lists the host as unreachable now
   */
  static List<Event> onReport(
      DeployState s,
      SiteEntity.HostProgress p,
      Map<String, SiteEntity.HostProgress> bySite,
      boolean unreachable,
      long now) {
    HostRow row = s.host(p.host());
    if (row == null) {
      return List.of();
    }
    if (row.state() == HostState.DONE && row.canary() && s.bakeUntil() > 0 && now < s.bakeUntil()) {
      String why = canaryUnhealthy(s, row, p, bySite);
      return why == null
          ? List.of()
          : List.of(
              new HostFailed(
                  p.host(),
                  "canary turned unhealthy while baking (site " + p.site() + ": " + why + ")",
                  now));
    }
    if (!row.state().inProgress()) {
      return List.of();
    }
    List<String> sites = s.hostSites().getOrDefault(p.host(), List.of());
    List<SiteRollout.Step> steps = new ArrayList<>();
    int replaced = 0;
    String failure = null;
    for (String site : sites) {
      SiteEntity.HostProgress sp = bySite.get(site);
      if (sp != null) {
        steps.add(sp.step());
        replaced += sp.replaced();
        if (sp.step() == SiteRollout.Step.FAILED && failure == null) {
          failure = "site " + site + ": " + sp.reason();
        }
      }
    }
    HostState combined = DeployPlanner.combine(steps, sites.size());
    if (combined == HostState.FAILED) {
      return List.of(new HostFailed(p.host(), failure, now));
    }
    if (combined == HostState.DONE && unreachable) {
      // "nothing left to replace there" on an unreachable host means its instances were lost
      // with it, not that it runs the target: it stays in flight until it is reachable again
      // (asked again then) or departs (vanished)
      return List.of();
    }
    List<Event> events = new ArrayList<>();
    if (combined != row.state() || replaced != row.replaced()) {
      events.add(
          new HostProgressed(
              p.host(),
              combined == HostState.DONE ? row.state() : combined,
              replaced,
              p.site(),
              now));
    }
    if (combined == HostState.DONE) {
      events.add(new HostDone(p.host(), now));
    }
    return events;
  }

  /**
   * Why a baking canary host is unhealthy, or null while it is not: an instance of the target
   * revision there failed to start, one was restarted and is not ready again (it crashed or failed
   * its liveness check), or fewer of its instances are ready than when the host was done. An
   * instance placed there meanwhile (displaced from a host that vanished, a scale-up) and still
   * starting for the first time is not a fault of the canary. Ready counts are compared only once
   * every site on the host has reported since the entity started (its reports are not persisted).
   */
  private static String canaryUnhealthy(
      DeployState s,
      HostRow row,
      SiteEntity.HostProgress p,
      Map<String, SiteEntity.HostProgress> bySite) {
    if (p.step() == SiteRollout.Step.FAILED) {
      return p.reason() == null ? "failed" : p.reason();
    }
    if (p.restarting() > 0) {
      return p.restarting()
          + (p.restarting() == 1 ? " instance" : " instances")
          + " restarted and not ready";
    }
    List<String> sites = s.hostSites().getOrDefault(p.host(), List.of());
    int ready = 0;
    for (String site : sites) {
      SiteEntity.HostProgress sp = bySite.get(site);
      if (sp == null) {
        return null;
      }
      ready += sp.replaced();
    }
    if (ready >= row.replaced()) {
      return null;
    }
    return ready
        + " of "
        + row.replaced()
        + " instances ready ("
        + p.step().name().toLowerCase(Locale.ROOT)
        + ")";
  }

  /**
   * Hosts of the deploy that left the cluster: {@code vanished} when they were unreachable before
   * they went (as this deploy saw it, or as the directory recorded it), else {@code skipped}.
   *
   * @param seenUnreachable hosts this deploy saw unreachable at some point
   */
  static List<Event> departed(
      DeployState s, HostDirectory.Hosts hosts, Set<String> seenUnreachable, long now) {
    List<Event> events = new ArrayList<>();
    for (HostRow h : s.hosts()) {
      if (h.state().terminal() || !hosts.departed().contains(h.host())) {
        continue;
      }
      boolean vanished = seenUnreachable.contains(h.host()) || hosts.vanished().contains(h.host());
      events.add(
          new HostSkipped(
              h.host(),
              vanished ? HostState.VANISHED : HostState.SKIPPED,
              vanished
                  ? "the host vanished (unreachable, then gone); its instances are replaced"
                      + " elsewhere on the target revision"
                  : "the host left the cluster",
              now));
    }
    return events;
  }

  /**
   * The revert of deploy {@code s}: back to each site's previous revision, with the same seed and
   * knobs (so the same hosts go first), no canary, no auto-revert.
   */
  static DeploySpec revertSpec(DeployState s, String revertId, long now) {
    DeploySpec o = s.spec();
    Map<String, String> back = new TreeMap<>(s.previous());
    Set<String> distinct = new TreeSet<>(back.values());
    return new DeploySpec(
        revertId,
        List.copyOf(back.keySet()),
        back,
        distinct.size() == 1 ? distinct.iterator().next() : null,
        o.parallel(),
        o.perPool(),
        0,
        0,
        o.hostDeadlineMillis(),
        o.deployDeadlineMillis(),
        false,
        o.maxStartFailures(),
        o.seed(),
        "revert of " + o.id() + (s.endReason() == null ? "" : ": " + s.endReason()),
        s.endedBy() == null ? "drover" : s.endedBy(),
        false,
        o.id(),
        now);
  }
}
