package io.drover.actors.site;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.actors.agent.HostAgent.Assignment;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AssignmentDiffTest {

  private static final SiteSpec R1 =
      new SiteSpec("aa".repeat(32), List.of("sleep", "1"), 2, "p", Map.of(), null, null);
  private static final SiteSpec R2 = R1.withRevision("bb".repeat(32));

  private static Assignment a(long epoch, SiteSpec spec) {
    return new Assignment("s-" + epoch, epoch, spec);
  }

  @Test
  void onlyHostsWhoseListChangedAreSentAgain() {
    Map<String, List<Assignment>> before =
        Map.of("a", List.of(a(1, R1)), "b", List.of(a(2, R1)), "c", List.of(a(3, R1)));
    Map<String, List<Assignment>> after =
        Map.of(
            "a", List.of(a(1, R1)),
            "b", List.of(a(2, R1), a(4, R2)),
            "d", List.of(a(5, R2)));
    assertEquals(
        Set.of("b", "c", "d"),
        AssignmentDiff.changed(before, after),
        "b: a new instance, c: emptied, d: new host; a unchanged");
  }

  @Test
  void nothingChangedNothingSent() {
    Map<String, List<Assignment>> same = Map.of("a", List.of(a(1, R1)));
    assertEquals(Set.of(), AssignmentDiff.changed(same, Map.of("a", List.of(a(1, R1)))));
    assertEquals(Set.of(), AssignmentDiff.changed(Map.of(), Map.of()));
  }
}
