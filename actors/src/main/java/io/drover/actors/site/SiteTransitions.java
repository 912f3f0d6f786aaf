package io.drover.actors.site;

import io.drover.actors.site.SiteEntity.Event;
import io.drover.actors.site.SiteEntity.HostsReleased;
import io.drover.actors.site.SiteEntity.InstanceLost;
import io.drover.actors.site.SiteEntity.InstancePlaced;
import io.drover.actors.site.SiteEntity.InstanceRemoved;
import io.drover.actors.site.SiteEntity.Placed;
import io.drover.actors.site.SiteEntity.RolloutEnded;
import io.drover.actors.site.SiteEntity.RolloutStarted;
import io.drover.actors.site.SiteEntity.SpecSet;
import io.drover.actors.site.SiteEntity.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** How each event changes a site's {@link State}: pure functions, also run on recovery. */
final class SiteTransitions {

  private SiteTransitions() {}

  static State apply(State state, Event event) {
    if (event instanceof SpecSet e) {
      // a spec change that replaces instances outside a deploy rolls every host: nothing is held
      SiteRollout.Hold hold = e.generation() != state.generation() ? null : state.hold();
      return withSpec(state, e.spec(), e.generation(), state.rollout(), hold);
    } else if (event instanceof RolloutStarted e) {
      return withSpec(
          state,
          e.spec(),
          e.generation(),
          new SiteRollout.Active(e.deployId(), e.previous(), Set.of()),
          e.held().isEmpty() ? null : new SiteRollout.Hold(e.held(), e.deployId(), null));
    } else if (event instanceof HostsReleased e) {
      SiteRollout.Active r = state.rollout();
      if (r == null || !r.deployId().equals(e.deployId())) {
        return state;
      }
      Set<String> released = new TreeSet<>(r.released());
      released.addAll(e.hosts());
      SiteRollout.Hold hold = state.hold();
      if (hold != null) {
        Set<String> held = new TreeSet<>(hold.hosts());
        e.hosts().forEach(held::remove);
        hold = held.isEmpty() ? null : new SiteRollout.Hold(held, hold.deployId(), hold.why());
      }
      return new State(
          state.spec(),
          state.generation(),
          state.nextEpoch(),
          state.placements(),
          state.specs(),
          state.revisions(),
          new SiteRollout.Active(r.deployId(), r.previous(), released),
          hold);
    } else if (event instanceof RolloutEnded e) {
      if (state.rollout() == null || !state.rollout().deployId().equals(e.deployId())) {
        return state;
      }
      SiteRollout.Hold hold =
          e.held().isEmpty() ? null : new SiteRollout.Hold(e.held(), e.deployId(), e.why());
      if (e.spec() == null) {
        return new State(
            state.spec(),
            state.generation(),
            state.nextEpoch(),
            state.placements(),
            state.specs(),
            state.revisions(),
            null,
            hold);
      }
      return withSpec(state, e.spec(), e.generation(), null, hold);
    } else if (event instanceof InstancePlaced e) {
      Map<String, Placed> p = new HashMap<>(state.placements());
      p.put(e.instanceId(), new Placed(e.instanceId(), e.host(), e.epoch(), e.generation(), false));
      return new State(
          state.spec(),
          state.generation(),
          Math.max(state.nextEpoch(), e.epoch() + 1),
          p,
          state.specs(),
          state.revisions(),
          state.rollout(),
          state.hold());
    } else if (event instanceof InstanceLost e) {
      Placed lost = state.placements().get(e.instanceId());
      if (lost == null) {
        return state;
      }
      Map<String, Placed> p = new HashMap<>(state.placements());
      p.put(e.instanceId(), lost.asLost());
      return withPlacements(state, p);
    } else if (event instanceof InstanceRemoved e) {
      Map<String, Placed> p = new HashMap<>(state.placements());
      p.remove(e.instanceId());
      return pruned(withPlacements(state, p));
    } else {
      return new State(null, state.generation(), state.nextEpoch(), Map.of(), Map.of(), List.of());
    }
  }

  private static State withSpec(
      State state,
      SiteSpec spec,
      long generation,
      SiteRollout.Active rollout,
      SiteRollout.Hold hold) {
    Map<Long, SiteSpec> s = new HashMap<>(state.specs());
    s.put(generation, spec);
    return pruned(
        new State(
            spec,
            generation,
            state.nextEpoch(),
            state.placements(),
            s,
            pushed(state.revisions(), spec.revision()),
            rollout,
            hold));
  }

  private static State withPlacements(State state, Map<String, Placed> placements) {
    return new State(
        state.spec(),
        state.generation(),
        state.nextEpoch(),
        placements,
        state.specs(),
        state.revisions(),
        state.rollout(),
        state.hold());
  }

  /**
   * The revision history after the site was set to {@code revision}: it first, then the others
   * newest first, at most {@link State#REVISION_HISTORY}.
   */
  static List<String> pushed(List<String> history, String revision) {
    List<String> next = new ArrayList<>();
    next.add(revision);
    for (String r : history) {
      if (!r.equals(revision) && next.size() < State.REVISION_HISTORY) {
        next.add(r);
      }
    }
    return next;
  }

  /** Keeps the specs of the current generation and of generations that still have a placement. */
  private static State pruned(State state) {
    Map<Long, SiteSpec> s = new HashMap<>();
    for (Map.Entry<Long, SiteSpec> e : state.specs().entrySet()) {
      long g = e.getKey();
      if ((g == state.generation() && state.spec() != null)
          || state.placements().values().stream().anyMatch(p -> p.generation() == g)) {
        s.put(g, e.getValue());
      }
    }
    return new State(
        state.spec(),
        state.generation(),
        state.nextEpoch(),
        state.placements(),
        s,
        state.revisions(),
        state.rollout(),
        state.hold());
  }
}
