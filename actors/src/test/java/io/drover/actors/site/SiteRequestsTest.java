package io.drover.actors.site;

import static io.drover.actors.site.SiteTransitionsTest.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.site.SiteEntity.Outcome;
import io.drover.actors.site.SiteEntity.SpecSet;
import io.drover.actors.site.SiteEntity.State;
import org.junit.jupiter.api.Test;

class SiteRequestsTest {

  @Test
  void aDeadlineOfZeroNeverExpires() {
    assertFalse(SiteRequests.expired(0, Long.MAX_VALUE));
    assertFalse(SiteRequests.expired(1000, 1000));
    assertTrue(SiteRequests.expired(1000, 1001));
    assertEquals(Outcome.EXPIRED, SiteRequests.expired("web").outcome());
  }

  @Test
  void aPutNeedsTwoInstances() {
    assertEquals(Outcome.INVALID, SiteRequests.invalidPut(null).outcome());
    assertTrue(SiteRequests.invalidPut(spec("r1", 1)).message().contains("got 1"));
    assertNull(SiteRequests.invalidPut(spec("r1", 2)));
    assertEquals(Outcome.INVALID, SiteRequests.invalidScale("web", spec("r1", 1)).outcome());
    assertNull(SiteRequests.invalidScale("web", spec("a".repeat(64), 3)));
  }

  @Test
  void onlyAChangeOfWhatRunsStartsANewGeneration() {
    assertEquals(1, SiteRequests.generation(State.empty(), spec("r1", 2)));
    State s = State.empty().apply(new SpecSet(spec("r1", 2), 1));
    assertEquals(1, SiteRequests.generation(s, spec("r1", 5)), "a scale keeps the instances");
    assertEquals(2, SiteRequests.generation(s, spec("r2", 2)));
  }
}
