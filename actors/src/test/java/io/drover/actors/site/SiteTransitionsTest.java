package io.drover.actors.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.site.SiteEntity.InstanceLost;
import io.drover.actors.site.SiteEntity.InstancePlaced;
import io.drover.actors.site.SiteEntity.InstanceRemoved;
import io.drover.actors.site.SiteEntity.SiteDeleted;
import io.drover.actors.site.SiteEntity.SpecSet;
import io.drover.actors.site.SiteEntity.State;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class SiteTransitionsTest {

  static SiteSpec spec(String revision, int instances) {
    return SiteSpecs.withDefaults(
        new SiteSpec(revision, List.of("run"), instances, "default", Map.of(), null, null));
  }

  @Test
  void aSpecOfANewGenerationKeepsTheOldSpecWhileAPlacementRunsIt() {
    State s = State.empty();
    s = s.apply(new SpecSet(spec("r1", 2), 1));
    s = s.apply(new InstancePlaced("web-1", "a", 1, 1));
    s = s.apply(new SpecSet(spec("r2", 2), 2));
    assertEquals(Set.of(1L, 2L), s.specs().keySet());
    assertEquals(2, s.nextEpoch());
    assertEquals(Set.of("r1", "r2"), s.revisionsInUse());

    s = s.apply(new InstanceRemoved("web-1", "replaced"));
    assertEquals(Set.of(2L), s.specs().keySet(), "no placement runs generation 1 any more");
    assertEquals(Set.of("r2"), s.revisionsInUse());
  }

  @Test
  void aLostInstanceStaysPlacedAndAnUnknownOneChangesNothing() {
    State s = State.empty().apply(new SpecSet(spec("r1", 2), 1));
    s = s.apply(new InstancePlaced("web-3", "a", 3, 1));
    assertEquals(4, s.nextEpoch());
    State lost = s.apply(new InstanceLost("web-3", "gone"));
    assertTrue(lost.placements().get("web-3").lost());
    assertSame(lost, lost.apply(new InstanceLost("web-9", "never placed")));
  }

  @Test
  void deletingForgetsTheSiteButNotItsCounters() {
    State s = State.empty().apply(new SpecSet(spec("r1", 2), 1));
    s = s.apply(new InstancePlaced("web-1", "a", 1, 1));
    s = s.apply(SiteDeleted.INSTANCE);
    assertFalse(s.exists());
    assertTrue(s.placements().isEmpty());
    assertTrue(s.revisions().isEmpty());
    assertEquals(1, s.generation());
    assertEquals(2, s.nextEpoch());
  }

  @Test
  void revisionHistoryIsNewestFirstWithoutDuplicatesAndBounded() {
    assertEquals(List.of("b", "a", "c"), SiteTransitions.pushed(List.of("a", "b", "c"), "b"));
    List<String> history = new ArrayList<>();
    for (int i = 0; i < State.REVISION_HISTORY; i++) {
      history.add("r" + i);
    }
    List<String> next = SiteTransitions.pushed(history, "new");
    assertEquals(State.REVISION_HISTORY, next.size());
    assertEquals("new", next.get(0));
    assertEquals("r" + (State.REVISION_HISTORY - 2), next.get(next.size() - 1));
  }
}
