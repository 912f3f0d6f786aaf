package io.drover.actors.site;

import io.drover.actors.site.SiteEntity.Event;
import io.drover.actors.site.SiteEntity.InstanceLost;
import io.drover.actors.site.SiteEntity.InstancePlaced;
import io.drover.actors.site.SiteEntity.InstanceRemoved;
import io.drover.actors.site.SiteEntity.Placed;
import io.drover.actors.site.SiteEntity.SpecSet;
import io.drover.actors.site.SiteEntity.State;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** How each event changes a site's {@link State}: pure functions, also run on recovery. */
final class SiteTransitions {

  private SiteTransitions() {}

  static State apply(State state, Event event) {
    if (event instanceof SpecSet e) {
      Map<Long, SiteSpec> s = new HashMap<>(state.specs());
      s.put(e.generation(), e.spec());
      return pruned(
          new State(
              e.spec(),
              e.generation(),
              state.nextEpoch(),
              state.placements(),
              s,
              pushed(state.revisions(), e.spec().revision())));
    } else if (event instanceof InstancePlaced e) {
      Map<String, Placed> p = new HashMap<>(state.placements());
      p.put(e.instanceId(), new Placed(e.instanceId(), e.host(), e.epoch(), e.generation(), false));
      return new State(
          state.spec(),
          state.generation(),
          Math.max(state.nextEpoch(), e.epoch() + 1),
          p,
          state.specs(),
          state.revisions());
    } else if (event instanceof InstanceLost e) {
      Placed lost = state.placements().get(e.instanceId());
      if (lost == null) {
        return state;
      }
      Map<String, Placed> p = new HashMap<>(state.placements());
      p.put(e.instanceId(), lost.asLost());
      return new State(
          state.spec(), state.generation(), state.nextEpoch(), p, state.specs(), state.revisions());
    } else if (event instanceof InstanceRemoved e) {
      Map<String, Placed> p = new HashMap<>(state.placements());
      p.remove(e.instanceId());
      return pruned(
          new State(
              state.spec(),
              state.generation(),
              state.nextEpoch(),
              p,
              state.specs(),
              state.revisions()));
    } else {
      return new State(null, state.generation(), state.nextEpoch(), Map.of(), Map.of(), List.of());
    }
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
        state.revisions());
  }
}
