package io.drover.actors.deploy;

import static io.drover.actors.deploy.DeployOrderFixtures.assertEven;
import static io.drover.actors.deploy.DeployOrderFixtures.fleet;
import static io.drover.actors.deploy.DeployOrderFixtures.hashOrder;
import static io.drover.actors.deploy.DeployOrderFixtures.hosts;
import static io.drover.actors.deploy.DeployOrderFixtures.nonCanaries;
import static io.drover.actors.deploy.DeployOrderFixtures.poolSequence;
import static io.drover.actors.deploy.DeployOrderFixtures.pools;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.deploy.DeployOrder.HostRef;
import io.drover.actors.deploy.DeployOrder.Slot;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Examples and edge cases of the deploy order; {@link DeployOrderPropertiesTest} has the rest. */
class DeployOrderTest {

  private static List<HostRef> web(int n) {
    List<HostRef> hosts = new ArrayList<>();
    for (int i = 1; i <= n; i++) {
      hosts.add(new HostRef(String.format("web-%02d", i), "web"));
    }
    return hosts;
  }

  @Test
  void theHashOrderIsSha256OfSeedNulHostAsAnUnsignedNumber() {
    // Pinned values, computed outside Java (Python hashlib): a revert started by another version of
    // Drover must visit the hosts in the same order.
    assertEquals(
        List.of("web-03", "web-06", "web-01", "web-05", "web-04", "web-02"),
        hosts(DeployOrder.order(web(6), "s1", 0)));
    assertEquals(
        List.of("web-02", "web-03", "web-04", "web-05", "web-01", "web-06"),
        hosts(DeployOrder.order(web(6), "s2", 0)));
  }

  @Test
  void aPinnedFleetGivesCanariesLargestPoolFirstThenAnEvenInterleave() {
    List<HostRef> hosts = new ArrayList<>();
    IntStream.range(0, 6).forEach(i -> hosts.add(new HostRef("a" + i, "big")));
    IntStream.range(0, 3).forEach(i -> hosts.add(new HostRef("b" + i, "mid")));
    hosts.add(new HostRef("c0", "solo"));
    // Hash orders for seed s1: big a2 a5 a4 a1 a3 a0, mid b1 b2 b0.
    assertEquals(
        List.of(
            new Slot("a2", "big", true),
            new Slot("b1", "mid", true),
            new Slot("c0", "solo", true),
            new Slot("a5", "big", false),
            new Slot("b2", "mid", false),
            new Slot("a4", "big", false),
            new Slot("a1", "big", false),
            new Slot("a3", "big", false),
            new Slot("b0", "mid", false),
            new Slot("a0", "big", false)),
        DeployOrder.order(hosts, "s1", 1));
  }

  @Test
  void noHostsGiveAnEmptyOrder() {
    assertEquals(List.of(), DeployOrder.order(List.of(), "seed", 0));
    assertEquals(List.of(), DeployOrder.order(List.of(), "seed", 3));
  }

  @Test
  void oneHostIsItsPoolsCanaryWhenCanariesAreAsked() {
    HostRef only = new HostRef("h1", "p");
    assertEquals(List.of(new Slot("h1", "p", false)), DeployOrder.order(List.of(only), "x", 0));
    assertEquals(List.of(new Slot("h1", "p", true)), DeployOrder.order(List.of(only), "x", 1));
    assertEquals(List.of(new Slot("h1", "p", true)), DeployOrder.order(List.of(only), "x", 10));
  }

  @Test
  void onePoolIsItsHashOrderWithItsFirstHostsAsCanaries() {
    List<Slot> slots = DeployOrder.order(web(30), "one-pool", 3);
    List<String> names = web(30).stream().map(HostRef::host).toList();
    assertEquals(hashOrder(names, "one-pool"), hosts(slots));
    assertEquals(
        List.of(true, true, true), slots.subList(0, 3).stream().map(Slot::canary).toList());
    assertTrue(slots.subList(3, 30).stream().noneMatch(Slot::canary));
  }

  @Test
  void aPoolOfTwoOrMoreKeepsOneHostOutOfTheCanaries() {
    List<Slot> slots = DeployOrder.order(fleet(2, 3, 1, 12), "small", 5);
    assertEquals(1, canaries(slots, "pool-a"), "2 hosts: 1 canary, 1 left");
    assertEquals(2, canaries(slots, "pool-b"), "3 hosts: 2 canaries, 1 left");
    assertEquals(1, canaries(slots, "pool-c"), "1 host: it is the canary");
    assertEquals(5, canaries(slots, "pool-d"), "12 hosts: 5 canaries");
    assertEquals(List.of(), poolSequence(nonCanaries(slots), "pool-c"));
    assertEquals(1, poolSequence(nonCanaries(slots), "pool-a").size());
  }

  @Test
  void theCanaryBlockIsRoundRobinLargestPoolFirstTiesByName() {
    // Sizes: a 5, b 5, c 2 (one canary only), d 8.
    List<Slot> slots = DeployOrder.order(fleet(5, 5, 2, 8), "rr", 2);
    List<Slot> canaries = slots.stream().filter(Slot::canary).toList();
    assertEquals(
        List.of("pool-d", "pool-a", "pool-b", "pool-c", "pool-d", "pool-a", "pool-b"),
        pools(canaries));
    assertEquals(canaries, slots.subList(0, canaries.size()), "canaries come first");
  }

  @Test
  void noCanariesMeansNoCanaryBlock() {
    assertTrue(DeployOrder.order(fleet(4, 3, 1), "none", 0).stream().noneMatch(Slot::canary));
  }

  @Test
  void eightHundredHostsInFourUnequalPools() {
    List<HostRef> hosts = fleet(400, 250, 110, 40);
    List<Slot> slots = DeployOrder.order(hosts, "fleet", 1);
    assertEquals(800, slots.size());
    assertEquals(800, new HashSet<>(hosts(slots)).size());
    assertEquals(List.of("pool-a", "pool-b", "pool-c", "pool-d"), pools(slots.subList(0, 4)));
    assertTrue(slots.subList(0, 4).stream().allMatch(Slot::canary));
    List<Slot> rest = nonCanaries(slots);
    assertEquals(796, rest.size());
    double worst = assertEven(rest);
    assertTrue(worst <= 5.0 / 6.0 + 1e-9, "four pools: within 5/6 of the share, got " + worst);
    // At --parallel 50, no batch of 50 consecutive hosts takes more than its pool's share + 1.
    for (int from = 0; from + 50 <= rest.size(); from++) {
      List<Slot> batch = rest.subList(from, from + 50);
      long small = batch.stream().filter(s -> s.pool().equals("pool-d")).count();
      assertTrue(small <= Math.ceil(50 * 39.0 / 796) + 1, "pool-d in a batch: " + small);
    }
  }

  @Test
  void tenThousandHostsAreOrderedInOnePass() {
    List<HostRef> hosts = fleet(5000, 2500, 1500, 700, 200, 60, 30, 10);
    List<Slot> slots = DeployOrder.order(hosts, "big-fleet", 2);
    assertEquals(10_000, new HashSet<>(hosts(slots)).size());
    assertEven(nonCanaries(slots));
  }

  @Test
  void theOrderDoesNotDependOnTheInputOrder() {
    List<HostRef> hosts = fleet(7, 5, 3);
    List<HostRef> shuffled = new ArrayList<>(hosts);
    Collections.shuffle(shuffled, new Random(7));
    assertEquals(DeployOrder.order(hosts, "any", 2), DeployOrder.order(shuffled, "any", 2));
  }

  @Test
  void aRevertWithTheSameSeedVisitsTheSameHostsFirst() {
    List<HostRef> hosts = fleet(40, 25, 10);
    List<Slot> deploy = DeployOrder.order(hosts, "k3x9p2qa", 1);
    assertEquals(deploy, DeployOrder.order(hosts, "k3x9p2qa", 1));
    // A non-canary host left between the deploy and its revert: the canaries and the hosts that
    // went first are the same, in the same order.
    String gone = deploy.get(deploy.size() - 1).host();
    List<HostRef> fewer = hosts.stream().filter(h -> !h.host().equals(gone)).toList();
    List<Slot> revert = DeployOrder.order(fewer, "k3x9p2qa", 1);
    assertEquals(deploy.subList(0, 3), revert.subList(0, 3));
    for (String pool : List.of("pool-a", "pool-b", "pool-c")) {
      List<String> before = new ArrayList<>(poolSequence(deploy, pool));
      before.remove(gone);
      assertEquals(before, poolSequence(revert, pool));
    }
  }

  @Test
  void anotherSeedGivesAnotherOrder() {
    List<HostRef> hosts = fleet(20, 12);
    assertNotEquals(
        hosts(DeployOrder.order(hosts, "alpha", 1)), hosts(DeployOrder.order(hosts, "beta", 1)));
    assertNotEquals(
        poolSequence(DeployOrder.order(hosts, "alpha", 0), "pool-a"),
        poolSequence(DeployOrder.order(hosts, "alpha2", 0), "pool-a"));
  }

  @Test
  void newSeedsAreShortWordsOfLowercaseLettersAndDigits() {
    SplittableRandom random = new SplittableRandom(1);
    HashSet<String> seen = new HashSet<>();
    for (int i = 0; i < 200; i++) {
      String seed = DeployOrder.newSeed(random);
      assertTrue(seed.matches("[a-z0-9]{8}"), seed);
      seen.add(seed);
    }
    assertEquals(200, seen.size(), "36^8 seeds: no repeat in 200");
    assertEquals(
        DeployOrder.newSeed(new SplittableRandom(5)), DeployOrder.newSeed(new SplittableRandom(5)));
  }

  @Test
  void seedsUpTo64CharactersAndTheEmptySeedAreAccepted() {
    assertEquals(3, DeployOrder.order(fleet(3), "x".repeat(64), 0).size());
    assertEquals(3, DeployOrder.order(fleet(3), "", 0).size());
    assertEquals(3, DeployOrder.order(fleet(3), "ünïcode seed", 10).size());
  }

  @Test
  void badArgumentsAreRefusedWithWhatToFix() {
    List<HostRef> hosts = fleet(3);
    assertRefused("at most 64", () -> DeployOrder.order(hosts, "x".repeat(65), 0));
    assertRefused("seed is missing", () -> DeployOrder.order(hosts, null, 0));
    assertRefused("from 0 to 10", () -> DeployOrder.order(hosts, "s", -1));
    assertRefused("from 0 to 10", () -> DeployOrder.order(hosts, "s", 11));
    assertRefused("hosts is missing", () -> DeployOrder.order(null, "s", 0));
    List<HostRef> twice =
        List.of(new HostRef("h1", "a"), new HostRef("h2", "a"), new HostRef("h1", "b"));
    assertRefused("host h1 is listed twice", () -> DeployOrder.order(twice, "s", 0));
    assertRefused(
        "give each host a name and a pool",
        () -> DeployOrder.order(List.of(new HostRef("h1", null)), "s", 0));
    assertRefused(
        "give each host a name and a pool",
        () -> DeployOrder.order(Arrays.asList(new HostRef("h1", "a"), null), "s", 0));
  }

  @Test
  void theEvennessBoundIsBelowOneForAnyNumberOfPools() {
    assertEquals(0.0, DeployOrder.evennessBound(1));
    assertEquals(0.5, DeployOrder.evennessBound(2));
    assertEquals(5.0 / 6.0, DeployOrder.evennessBound(4), 1e-12);
    assertTrue(DeployOrder.evennessBound(1000) < 1.0);
    assertFalse(DeployOrder.evennessBound(3) > 0.75 + 1e-12);
  }

  private static long canaries(List<Slot> slots, String pool) {
    return slots.stream().filter(s -> s.canary() && s.pool().equals(pool)).count();
  }

  private static void assertRefused(String fragment, Runnable call) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
