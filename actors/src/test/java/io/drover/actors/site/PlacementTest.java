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
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class PlacementTest {

  private static HostInfo host(String name, String pool) {
    return new HostInfo(name, pool, Map.of(), "1", null);
  }

  private static List<HostInfo> hosts(String... names) {
    return Arrays.stream(names).map(n -> host(n, "default")).toList();
  }

  private static Current ready(String host, long epoch) {
    return new Current("s-" + epoch, host, epoch, 1, true, false);
  }

  private static Current starting(String host, long epoch) {
    return new Current("s-" + epoch, host, epoch, 1, false, false);
  }

  private static Plan plan(int desired, List<HostInfo> hosts, List<Current> current) {
    return plan(desired, hosts, Set.of(), current);
  }

  private static Plan plan(
      int desired, List<HostInfo> hosts, Set<String> excluded, List<Current> current) {
    return Placement.plan(
        new Input(desired, "default", 1, hosts, excluded::contains, Map.of(), current));
  }

  private static List<String> addedHosts(Plan p) {
    return p.additions().stream().map(Addition::host).toList();
  }

  private static List<String> removedIds(Plan p) {
    return p.removals().stream().map(Removal::instanceId).toList();
  }

  @Test
  void twoOnThreeHostsGoToTwoDistinctHosts() {
    Plan p = plan(2, hosts("c", "a", "b"), List.of());
    assertEquals(List.of("a", "b"), addedHosts(p));
    assertTrue(p.removals().isEmpty());
  }

  @Test
  void threeOnTwoHostsStackOnlyOnce() {
    Plan p = plan(3, hosts("a", "b"), List.of());
    assertEquals(List.of("a", "b", "a"), addedHosts(p));
  }

  @Test
  void oneHostTakesBoth() {
    assertEquals(List.of("a", "a"), addedHosts(plan(2, hosts("a"), List.of())));
  }

  @Test
  void noEligibleHostPlacesNothing() {
    assertTrue(plan(2, List.of(host("a", "web")), List.of()).isEmpty());
  }

  @Test
  void onlyHostsOfThePoolAreEligible() {
    List<HostInfo> hs = List.of(host("a", "web"), host("b", "default"), host("c", "default"));
    assertEquals(List.of("b", "c"), addedHosts(plan(2, hs, List.of())));
  }

  @Test
  void excludedHostsTakeNothing() {
    assertEquals(
        List.of("b", "c"), addedHosts(plan(2, hosts("a", "b", "c"), Set.of("a"), List.of())));
  }

  @Test
  void excludedHostIsDrainedOneAtATime() {
    List<Current> cur = List.of(ready("a", 1), ready("b", 2));
    Plan p = plan(2, hosts("a", "b", "c"), Set.of("a"), cur);
    assertEquals(List.of("c"), addedHosts(p));
    assertTrue(p.removals().isEmpty(), "the instance on a stays until its replacement is ready");
    Plan p2 =
        plan(
            2,
            hosts("a", "b", "c"),
            Set.of("a"),
            List.of(ready("a", 1), ready("b", 2), ready("c", 3)));
    assertEquals(List.of("s-1"), removedIds(p2));
    assertTrue(p2.additions().isEmpty());
  }

  @Test
  void scaleUpGoesToLeastLoadedHosts() {
    List<Current> cur = List.of(ready("a", 1), ready("b", 2));
    assertEquals(List.of("c", "a"), addedHosts(plan(4, hosts("a", "b", "c"), cur)));
  }

  @Test
  void tieBreakByTotalLoadOnHost() {
    Plan p =
        Placement.plan(
            new Input(
                2, "default", 1, hosts("a", "b", "c"), h -> false, Map.of("a", 5), List.of()));
    assertEquals(List.of("b", "c"), addedHosts(p));
  }

  @Test
  void scaleDownRemovesNonReadyFirstThenMostLoadedThenNewest() {
    List<Current> cur =
        List.of(ready("a", 1), ready("b", 2), ready("a", 3), starting("c", 4), ready("b", 5));
    // s-4 is alone on c while a and b are stacked: keep everything until the spreading copy is
    // ready
    assertTrue(plan(3, hosts("a", "b", "c"), cur).isEmpty());
    List<Current> later =
        List.of(ready("a", 1), ready("b", 2), ready("a", 3), ready("c", 4), ready("b", 5));
    assertEquals(List.of("s-5", "s-3"), removedIds(plan(3, hosts("a", "b", "c"), later)));
    Plan p2 = plan(2, hosts("a", "b"), List.of(ready("a", 1), ready("b", 2), starting("b", 3)));
    assertEquals(List.of("s-3"), removedIds(p2));
    Plan p3 = plan(2, hosts("a", "b", "c"), List.of(ready("a", 1), ready("b", 2), ready("c", 3)));
    assertEquals(List.of("s-3"), removedIds(p3));
  }

  @Test
  void convergedPlanIsEmpty() {
    assertTrue(plan(2, hosts("a", "b"), List.of(ready("a", 1), ready("b", 2))).isEmpty());
    assertTrue(plan(2, hosts("a"), List.of(ready("a", 1), ready("a", 2))).isEmpty());
  }

  @Test
  void stackedSiteSpreadsWhenAHostJoins() {
    List<Current> stacked = List.of(ready("a", 1), ready("a", 2));
    Plan p = plan(2, hosts("a", "b"), stacked);
    assertEquals(List.of("b"), addedHosts(p));
    assertTrue(p.removals().isEmpty());
    // while the copy starts, nothing is removed
    assertTrue(
        plan(2, hosts("a", "b"), List.of(ready("a", 1), ready("a", 2), starting("b", 3)))
            .isEmpty());
    // once ready, the newest stacked one goes
    Plan done = plan(2, hosts("a", "b"), List.of(ready("a", 1), ready("a", 2), ready("b", 3)));
    assertEquals(List.of("s-2"), removedIds(done));
  }

  @Test
  void lostInstanceIsReplacedElsewhereAndRemovedOnceTheReplacementIsReady() {
    Current lost = new Current("s-1", "a", 1, 1, false, true);
    Plan p = plan(2, hosts("a", "b", "c"), List.of(lost, ready("b", 2)));
    assertEquals(List.of("c"), addedHosts(p));
    assertTrue(p.removals().isEmpty());
    assertTrue(
        plan(2, hosts("a", "b", "c"), List.of(lost, ready("b", 2), starting("c", 3))).isEmpty());
    Plan p3 = plan(2, hosts("a", "b", "c"), List.of(lost, ready("b", 2), ready("c", 3)));
    assertEquals(List.of("s-1"), removedIds(p3));
  }

  @Test
  void placementOnVanishedHostCountsUntilLost() {
    // host a is gone but the grace has not run out: nothing to do yet
    assertTrue(plan(2, hosts("b", "c"), List.of(starting("a", 1), ready("b", 2))).isEmpty());
  }

  @Test
  void rollingReplacementIsOneAtATimeOnTheSameHost() {
    List<HostInfo> hs = hosts("a", "b");
    List<Current> old =
        new ArrayList<>(
            List.of(
                new Current("s-1", "a", 1, 0, true, false),
                new Current("s-2", "b", 2, 0, true, false)));
    Plan p = plan(2, hs, old);
    assertEquals(List.of("a"), addedHosts(p));
    assertTrue(p.removals().isEmpty());
    old.add(starting("a", 3));
    assertTrue(plan(2, hs, old).isEmpty(), "waits for the surge copy");
    old.set(2, ready("a", 3));
    Plan p2 = plan(2, hs, old);
    // the surge copy is ready: the old one on its host goes and the next surge copy starts
    assertEquals(List.of("s-1"), removedIds(p2));
    assertEquals(List.of("b"), addedHosts(p2));
    old.remove(0);
    old.add(starting("b", 4));
    assertTrue(plan(2, hs, old).isEmpty(), "waits for the second surge copy");
    old.set(2, ready("b", 4));
    Plan p3 = plan(2, hs, old);
    assertEquals(List.of("s-2"), removedIds(p3));
    assertTrue(p3.additions().isEmpty());
  }

  @Test
  void outputIsDeterministicWhateverTheInputOrder() {
    List<Current> cur = new ArrayList<>(List.of(ready("b", 2), ready("a", 1), starting("c", 3)));
    Plan first = plan(2, hosts("c", "b", "a"), cur);
    java.util.Collections.reverse(cur);
    Plan second = plan(2, hosts("a", "b", "c"), cur);
    assertEquals(first, second);
    assertEquals(List.of("s-3"), removedIds(first));
  }

  @Test
  void unavailableHostKeepsItsPlacementButTakesNoNewOne() {
    List<Current> cur = List.of(ready("a", 1), ready("b", 2));
    Plan keep =
        Placement.plan(
            new Input(
                2, "default", 1, hosts("a", "b", "c"), h -> false, Map.of(), cur, Set.of("b")));
    assertTrue(keep.isEmpty(), "an unreachable host's instance counts until it is lost");

    Plan scaleUp =
        Placement.plan(
            new Input(
                3, "default", 1, hosts("a", "b", "c"), h -> false, Map.of(), cur, Set.of("c")));
    assertEquals(List.of("a"), addedHosts(scaleUp), "never on the unavailable host");
  }

  @Test
  void lostCopyThatReappearsIsRemovedOnlyOnceItsReplacementIsReady() {
    Current lostButBack = new Current("s-2", "b", 2, 1, true, true);
    Plan waiting =
        plan(2, hosts("a", "b", "c"), List.of(ready("a", 1), lostButBack, starting("c", 3)));
    assertTrue(waiting.isEmpty(), "kept while its replacement is not ready: " + waiting);

    Plan done = plan(2, hosts("a", "b", "c"), List.of(ready("a", 1), lostButBack, ready("c", 3)));
    assertEquals(List.of("s-2"), removedIds(done));
    assertTrue(done.additions().isEmpty());
  }
}
