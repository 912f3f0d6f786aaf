package io.drover.actors.site;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.site.SiteEntity.Event;
import io.drover.actors.site.SiteEntity.InstanceLost;
import io.drover.actors.site.SiteEntity.InstancePlaced;
import io.drover.actors.site.SiteEntity.InstanceRemoved;
import io.drover.actors.site.SiteEntity.Placed;
import io.drover.actors.site.SiteEntity.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The reconcile step of a site, a pure function of its state and what it observes: instances
 * missing longer than the grace (or whose host left) are declared lost, then {@link Placement}
 * decides what to add and remove.
 */
final class SitePlanner {

  private SitePlanner() {}

  /**
   * The events that bring {@code state} closer to its spec; empty when nothing is to change.
   *
   * @param name the site name (instance ids are {@code <name>-<epoch>})
   * @param state an existing site
   * @param seen what the site observes; every placement's grace clock already runs
   * @param now the current time (epoch ms)
   * @param grace how long an instance may stay missing before it is replaced
   */
  static List<Event> plan(
      String name, State state, SiteObservations seen, long now, Duration grace) {
    List<Event> events = new ArrayList<>();
    State planned = state;
    for (Placed p : state.sortedPlacements()) {
      if (!p.lost() && (seen.hostDeparted(p) || seen.isMissingTooLong(p, now, grace))) {
        InstanceLost lost = new InstanceLost(p.instanceId(), seen.missingReason(p, now));
        events.add(lost);
        planned = planned.apply(lost);
      }
    }
    List<Placement.Current> current = new ArrayList<>();
    for (Placed p : planned.sortedPlacements()) {
      // an instance whose spec runs the same process as the current one needs no replacement
      SiteSpec s = planned.specs().get(p.generation());
      long generation =
          s != null && !s.needsNewInstances(planned.spec()) ? planned.generation() : p.generation();
      current.add(
          new Placement.Current(
              p.instanceId(), p.host(), p.epoch(), generation, seen.isReady(p), p.lost()));
    }
    Placement.Plan plan =
        Placement.plan(
            new Placement.Input(
                planned.spec().instances(),
                planned.spec().pool(),
                planned.generation(),
                seen.hosts(),
                seen.directory().draining()::contains,
                seen.directory().load(),
                current,
                seen.unavailable(),
                planned.heldHosts(),
                planned.rollout() == null ? java.util.Set.of() : planned.rollout().released()));
    for (Placement.Removal r : plan.removals()) {
      events.add(new InstanceRemoved(r.instanceId(), r.reason()));
    }
    long epoch = planned.nextEpoch();
    for (Placement.Addition a : plan.additions()) {
      events.add(new InstancePlaced(name + "-" + epoch, a.host(), epoch, planned.generation()));
      epoch++;
    }
    return events;
  }

  /** What each host with placements runs, by host name in order, each in epoch order. */
  static Map<String, List<HostAgent.Assignment>> assignments(State state) {
    Map<String, List<HostAgent.Assignment>> byHost = new TreeMap<>();
    for (Placed p : state.sortedPlacements()) {
      byHost
          .computeIfAbsent(p.host(), h -> new ArrayList<>())
          .add(
              new HostAgent.Assignment(
                  p.instanceId(), p.epoch(), state.specs().get(p.generation())));
    }
    return byHost;
  }
}
