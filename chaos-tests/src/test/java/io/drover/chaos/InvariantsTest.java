package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class InvariantsTest {

  private static Observation.Instance inst(String id, String host, String state) {
    return new Observation.Instance(id, host, state, Long.parseLong(id.substring(2)), 1);
  }

  private static Observation.Proc proc(String id, String host) {
    return new Observation.Proc(host, "s", id, 100);
  }

  private static Observation obs(
      Set<String> up, List<Observation.Instance> placed, List<Observation.Proc> procs) {
    return new Observation(1, up, List.of(new Observation.Site("s", "rev", 2, placed)), procs);
  }

  @Test
  void twiceHoldsWithTwoReadyOnDistinctHostsThatReallyRun() {
    Observation ok =
        obs(
            Set.of("a", "b"),
            List.of(inst("s-1", "a", "ready"), inst("s-2", "b", "ready")),
            List.of(proc("s-1", "a"), proc("s-2", "b")));
    assertTrue(Invariants.twice(ok).isEmpty());
  }

  @Test
  void twiceBrokenWhenStackedOrNotReallyRunning() {
    Observation stacked =
        obs(
            Set.of("a", "b"),
            List.of(inst("s-1", "a", "ready"), inst("s-2", "a", "ready")),
            List.of(proc("s-1", "a"), proc("s-2", "a")));
    assertEquals("I1", Invariants.twice(stacked).get(0).invariant());
    Observation ghost =
        obs(
            Set.of("a", "b"),
            List.of(inst("s-1", "a", "ready"), inst("s-2", "b", "ready")),
            List.of(proc("s-1", "a")));
    assertEquals(1, Invariants.twice(ghost).size(), "a ready instance with no process is a lie");
  }

  @Test
  void twiceIsNotCheckedWithFewerThanTwoHostsUp() {
    assertTrue(Invariants.twice(obs(Set.of("a"), List.of(), List.of())).isEmpty());
  }

  @Test
  void staleCopiesAreFound() {
    Observation stale =
        obs(
            Set.of("a", "b", "c"),
            List.of(inst("s-1", "a", "ready"), inst("s-3", "c", "ready")),
            List.of(proc("s-1", "a"), proc("s-2", "b"), proc("s-3", "c"), proc("s-3", "b")));
    List<Violation> v = Invariants.noStaleCopies(stale);
    assertEquals(3, v.size(), v.toString());
    assertTrue(v.stream().allMatch(x -> x.invariant().equals("I2")));
  }

  @Test
  void acknowledgedWritesMustSurvive() {
    Map<String, Invariants.Acked> acked = new HashMap<>();
    acked.put("s", new Invariants.Acked("rev", 2));
    acked.put("gone", new Invariants.Acked("rev", 2));
    acked.put("deleted", null);
    Observation o = obs(Set.of("a"), List.of(), List.of());
    List<Violation> v = Invariants.nothingLost(acked, o);
    assertEquals(1, v.size(), v.toString());
    assertEquals("gone", v.get(0).site());
  }

  @Test
  void faultPlansReplayBySeedAndKeepAMajority() {
    var a = FaultPlan.random(42, 3, 10, Duration.ofSeconds(5), Duration.ofSeconds(4));
    var b = FaultPlan.random(42, 3, 10, Duration.ofSeconds(5), Duration.ofSeconds(4));
    assertEquals(a, b);
    assertEquals(10, a.size());
    assertTrue(a.stream().allMatch(f -> f.node() >= 0 && f.node() < 3));
  }
}
