package io.drover.actors.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.host.HostInfo;
import io.drover.actors.site.Placement.Addition;
import io.drover.actors.site.Placement.Current;
import io.drover.actors.site.Placement.Input;
import io.drover.actors.site.Placement.Plan;
import io.drover.actors.site.Placement.Removal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * Placement while a deploy drives the site: held hosts keep what they run, each released
 * ("rolling") host replaces its instances in place, one surge copy at a time, all at once.
 */
class PlacementRolloutTest {

  /** The generation the deploy rolls to; old placements run generation 1. */
  private static final long GEN = 2;

  private static List<HostInfo> hosts(String... names) {
    return Arrays.stream(names).map(n -> new HostInfo(n, "default", Map.of(), "1", null)).toList();
  }

  private static Current old(String host, long epoch) {
    return new Current("s-" + epoch, host, epoch, 1, true, false);
  }

  /** A site that simulates placement rounds: plan, apply, check the invariants; then readiness. */
  private static final class Sim {
    final int desired;
    final List<HostInfo> hosts;
    final Set<String> held;
    final Set<String> rolling;
    final Set<String> unavailable;
    final List<Current> current = new ArrayList<>();
    long nextEpoch = 100;
    int maxSurgesAtOnce;

    Sim(
        int desired,
        List<HostInfo> hosts,
        Set<String> held,
        Set<String> rolling,
        Set<String> unavailable,
        List<Current> initial) {
      this.desired = desired;
      this.hosts = hosts;
      this.held = held;
      this.rolling = rolling;
      this.unavailable = unavailable;
      current.addAll(initial);
    }

    Plan plan() {
      return Placement.plan(
          new Input(
              desired,
              "default",
              GEN,
              hosts,
              h -> false,
              Map.of(),
              List.copyOf(current),
              unavailable,
              held,
              rolling));
    }

    /** One placement round with the checks every round must pass. */
    Plan round() {
      Plan p = plan();
      Set<String> removed = new HashSet<>();
      p.removals().forEach(r -> removed.add(r.instanceId()));
      long readyLeft =
          current.stream().filter(c -> c.ready() && !removed.contains(c.instanceId())).count();
      assertTrue(
          readyLeft >= desired,
          "never fewer ready than desired: " + readyLeft + " after " + p + " of " + current);
      current.removeIf(c -> removed.contains(c.instanceId()));
      for (Addition a : p.additions()) {
        current.add(new Current("s-" + nextEpoch, a.host(), nextEpoch, GEN, false, false));
        nextEpoch++;
      }
      long good =
          current.stream().filter(c -> c.generation() == GEN || held.contains(c.host())).count();
      assertTrue(good <= desired, "no surge beyond desired: " + current);
      for (String h : rolling) {
        long surging = current.stream().filter(c -> c.host().equals(h) && !c.ready()).count();
        assertTrue(surging <= 1, "one surge copy at a time on " + h + ": " + current);
      }
      maxSurgesAtOnce =
          Math.max(maxSurgesAtOnce, (int) current.stream().filter(c -> !c.ready()).count());
      return p;
    }

    void readyAll() {
      current.replaceAll(
          c -> new Current(c.instanceId(), c.host(), c.epoch(), c.generation(), true, false));
    }

    /** Rounds until nothing changes; returns the rounds taken. */
    int converge() {
      for (int i = 1; i <= 100; i++) {
        Plan p = round();
        Plan again = round();
        assertTrue(
            again.additions().isEmpty(),
            "nothing more is added before the surge is ready: " + again);
        if (p.isEmpty() && again.isEmpty() && current.stream().allMatch(Current::ready)) {
          return i;
        }
        readyAll();
      }
      throw new AssertionError("did not converge: " + current);
    }

    Map<String, List<Long>> generationsByHost() {
      Map<String, List<Long>> m = new TreeMap<>();
      for (Current c : current) {
        m.computeIfAbsent(c.host(), h -> new ArrayList<>()).add(c.generation());
      }
      m.values().forEach(l -> l.sort(null));
      return m;
    }
  }

  private static List<String> addedHosts(Plan p) {
    return p.additions().stream().map(Addition::host).toList();
  }

  @Test
  void heldHostsKeepTheirOldGenerationAsGoodAndAreNotReplaced() {
    List<Current> three = List.of(old("a", 1), old("b", 2), old("c", 3));
    Sim held = new Sim(3, hosts("a", "b", "c"), Set.of("a", "b", "c"), Set.of(), Set.of(), three);
    assertTrue(held.plan().isEmpty(), "a deploy that released nothing changes nothing");

    Sim notHeld = new Sim(3, hosts("a", "b", "c"), Set.of(), Set.of(), Set.of(), three);
    assertEquals(1, notHeld.plan().additions().size(), "without the hold the site would roll");
  }

  @Test
  void aRollingHostReplacesItsCopiesInPlaceOneSurgeAtATime() {
    Sim sim =
        new Sim(
            4,
            hosts("a", "b"),
            Set.of("b"),
            Set.of("a"),
            Set.of(),
            List.of(old("a", 1), old("a", 2), old("b", 3), old("b", 4)));
    Plan first = sim.round();
    assertEquals(List.of("a"), addedHosts(first), "one surge copy, on the rolling host itself");
    assertTrue(first.removals().isEmpty(), "no old copy goes before its replacement is ready");

    Plan waiting = sim.round();
    assertTrue(waiting.isEmpty(), "the surge is not ready: nothing else happens " + waiting);

    sim.readyAll();
    Plan next = sim.round();
    assertEquals(1, next.removals().size(), "one old copy goes once a new one is ready");
    assertTrue(next.removals().get(0).instanceId().matches("s-[12]"), next.toString());
    assertEquals(List.of("a"), addedHosts(next), "and the next surge starts on the same host");

    sim.converge();
    assertEquals(
        Map.of("a", List.of(GEN, GEN), "b", List.of(1L, 1L)),
        sim.generationsByHost(),
        "the rolling host runs the target twice; the held host is untouched");
  }

  @Test
  void severalRollingHostsSurgeInParallel() {
    Sim sim =
        new Sim(
            4,
            hosts("a", "b", "c", "d"),
            Set.of("d"),
            Set.of("a", "b", "c"),
            Set.of(),
            List.of(old("a", 1), old("b", 2), old("c", 3), old("d", 4)));
    Plan first = sim.round();
    assertEquals(List.of("a", "b", "c"), addedHosts(first), "every released host at once");
    sim.converge();
    assertEquals(3, sim.maxSurgesAtOnce);
    assertEquals(
        Map.of("a", List.of(GEN), "b", List.of(GEN), "c", List.of(GEN), "d", List.of(1L)),
        sim.generationsByHost());
  }

  @Test
  void rollingSurgesNeverTakeTheSiteBeyondDesired() {
    // one copy already runs the target elsewhere: only one of the two rolling hosts may surge
    List<Current> start =
        List.of(old("a", 1), old("b", 2), new Current("s-3", "c", 3, GEN, true, false));
    Sim sim = new Sim(2, hosts("a", "b", "c"), Set.of(), Set.of("a", "b"), Set.of(), start);
    Plan p = sim.round();
    assertEquals(1, p.additions().size(), p.toString());
    sim.converge();
    long good = sim.current.stream().filter(c -> c.generation() == GEN).count();
    assertEquals(2, good);
    assertEquals(2, sim.current.size());
  }

  @Test
  void aRollingHostThatIsNotEligibleFallsBackToOneAtATime() {
    // a is released but cordoned: its copy is replaced elsewhere, one at a time, like any roll
    Sim sim =
        new Sim(
            3,
            hosts("a", "b", "c"),
            Set.of("b", "c"),
            Set.of("a"),
            Set.of("a"),
            List.of(old("a", 1), old("b", 2), old("c", 3)));
    Plan first = sim.round();
    assertEquals(1, first.additions().size(), first.toString());
    assertTrue(!addedHosts(first).contains("a"), "a cordoned host takes no new copy");
    assertTrue(first.additions().get(0).reason().contains("replaces s-1"), first.toString());
    sim.converge();
    assertEquals(1, sim.maxSurgesAtOnce);
    assertTrue(!sim.generationsByHost().containsKey("a"), "a is emptied: " + sim.current);
    assertEquals(3, sim.current.size());
  }

  @Test
  void withoutHeldOrRollingHostsTheSiteRollsOneSurgeAtATimeSiteWide() {
    List<Current> start = List.of(old("a", 1), old("b", 2), old("c", 3));
    Input legacy =
        new Input(3, "default", GEN, hosts("a", "b", "c"), h -> false, Map.of(), start, Set.of());
    Input explicit =
        new Input(
            3,
            "default",
            GEN,
            hosts("a", "b", "c"),
            h -> false,
            Map.of(),
            start,
            Set.of(),
            Set.of(),
            Set.of());
    assertEquals(Placement.plan(legacy), Placement.plan(explicit));

    Sim sim = new Sim(3, hosts("a", "b", "c"), Set.of(), Set.of(), Set.of(), start);
    Plan first = sim.round();
    assertEquals(List.of("a"), addedHosts(first), "the oldest copy's host, one surge only");
    int rounds = sim.converge();
    assertEquals(1, sim.maxSurgesAtOnce, "one surge at a time site-wide");
    assertTrue(rounds >= 3, "three copies, one at a time: " + rounds);
    assertEquals(
        Map.of("a", List.of(GEN), "b", List.of(GEN), "c", List.of(GEN)), sim.generationsByHost());
  }

  @Test
  void anOldCopyOnARollingHostGoesBeforeOneOnAHostNotYetReplaced() {
    // desired 2, one new copy ready on a (released), a new one starting on b: one old copy may go.
    // Load and epoch alone would pick the copy on b; the copy on a, whose replacement stands next
    // to it, goes first
    List<Current> start =
        List.of(
            old("a", 1),
            new Current("s-5", "a", 5, GEN, true, false),
            old("b", 2),
            new Current("s-6", "b", 6, GEN, false, false));
    assertEquals(List.of("s-1"), removed(start, Set.of("a")));
    assertEquals(List.of("s-2"), removed(start, Set.of()), "the order without the deploy");
  }

  private static List<String> removed(List<Current> start, Set<String> rolling) {
    Plan p =
        Placement.plan(
            new Input(
                2,
                "default",
                GEN,
                hosts("a", "b", "c"),
                h -> false,
                Map.of(),
                start,
                Set.of(),
                Set.of(),
                rolling));
    return p.removals().stream().map(Removal::instanceId).toList();
  }
}
