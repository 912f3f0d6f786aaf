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

  @Test
  void faultPlansWithoutPartitionsReplayAsBeforePartitionsExisted() {
    assertEquals(
        "[kill node 3 for 13000 ms, kill node 3 for 10000 ms, pause node 3 for 6093 ms, pause node"
            + " 3 for 2792 ms, pause node 3 for 1670 ms, pause node 2 for 20863 ms, kill node 3 for"
            + " 8000 ms, pause node 1 for 6387 ms, pause node 1 for 2930 ms, pause node 3 for 20212"
            + " ms]",
        FaultPlan.random(42, 3, 10, Duration.ofSeconds(5), Duration.ofSeconds(4), false)
            .toString());
  }

  @Test
  void partitionsCutAStrictMinorityOff() {
    for (int k = 3; k <= 7; k++) {
      int nodes = k;
      var plan = FaultPlan.random(7, nodes, 60, Duration.ofSeconds(5), Duration.ofSeconds(4), true);
      var partitions = plan.stream().filter(f -> f.kind() == FaultPlan.Kind.PARTITION).toList();
      assertTrue(partitions.size() > 5, nodes + " nodes: " + partitions.size() + " partitions");
      for (var f : partitions) {
        assertTrue(2 * f.group().size() < nodes, f + " of " + nodes + " is not a minority");
        assertEquals(f.group().size(), Set.copyOf(f.group()).size(), f.toString());
        assertTrue(f.group().stream().allMatch(n -> n >= 0 && n < nodes), f.toString());
        assertEquals(f.node(), f.group().get(0));
      }
    }
    assertEquals(
        "partition node 2, node 4 from the rest for 9000 ms",
        FaultPlan.Fault.partition(List.of(3, 1), Duration.ofSeconds(9)).toString());
  }
}
