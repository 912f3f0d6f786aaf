package io.drover.actors.deploy;

import static io.drover.actors.deploy.DeployOrderFixtures.assertEven;
import static io.drover.actors.deploy.DeployOrderFixtures.expectedCanaries;
import static io.drover.actors.deploy.DeployOrderFixtures.hashOrder;
import static io.drover.actors.deploy.DeployOrderFixtures.hosts;
import static io.drover.actors.deploy.DeployOrderFixtures.nonCanaries;
import static io.drover.actors.deploy.DeployOrderFixtures.poolSequence;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.deploy.DeployOrder.HostRef;
import io.drover.actors.deploy.DeployOrder.Slot;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Collectors;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Assume;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.AlphaChars;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.NumericChars;
import net.jqwik.api.constraints.StringLength;

/** Properties of the deploy order over random fleets, seeds and canary counts. */
class DeployOrderPropertiesTest {

  /** Fleets of 1 to 8 pools of 1 to 80 hosts, pool names in no particular order. */
  @Provide
  Arbitrary<List<HostRef>> fleets() {
    return Arbitraries.integers()
        .between(1, 80)
        .list()
        .ofMinSize(1)
        .ofMaxSize(8)
        .map(
            sizes -> {
              List<HostRef> hosts = new ArrayList<>();
              for (int p = 0; p < sizes.size(); p++) {
                String pool = "pool-" + (char) ('a' + (p * 5) % 8);
                for (int i = 0; i < sizes.get(p); i++) {
                  hosts.add(new HostRef("h" + p + "-" + i + ".example", pool));
                }
              }
              return hosts;
            });
  }

  @Property(tries = 200)
  void everyHostOnceCanariesFirst(
      @ForAll("fleets") List<HostRef> fleet,
      @ForAll @AlphaChars @NumericChars @StringLength(max = 64) String seed,
      @ForAll @IntRange(min = 0, max = 10) int canaryPerPool) {
    List<Slot> slots = DeployOrder.order(fleet, seed, canaryPerPool);
    assertEquals(
        fleet.stream().map(HostRef::host).sorted().toList(),
        hosts(slots).stream().sorted().toList());
    for (Slot s : slots) {
      assertTrue(fleet.contains(new HostRef(s.host(), s.pool())), "pool kept: " + s);
    }
    int canaries = (int) slots.stream().filter(Slot::canary).count();
    assertTrue(slots.subList(0, canaries).stream().allMatch(Slot::canary), "canaries first");
  }

  @Property(tries = 200)
  void eachPoolIsInItsHashOrderAndItsFirstHostsAreItsCanaries(
      @ForAll("fleets") List<HostRef> fleet,
      @ForAll @AlphaChars @StringLength(max = 12) String seed,
      @ForAll @IntRange(min = 0, max = 10) int canaryPerPool) {
    List<Slot> slots = DeployOrder.order(fleet, seed, canaryPerPool);
    for (Map.Entry<String, List<String>> pool : byPool(fleet).entrySet()) {
      List<String> sequence = poolSequence(slots, pool.getKey());
      assertEquals(hashOrder(pool.getValue(), seed), sequence);
      int expected = expectedCanaries(sequence.size(), canaryPerPool);
      for (int i = 0; i < sequence.size(); i++) {
        String host = sequence.get(i);
        boolean canary =
            slots.stream().filter(s -> s.host().equals(host)).findFirst().get().canary();
        assertEquals(i < expected, canary, host + " at " + i + " of " + pool.getKey());
      }
    }
  }

  @Property(tries = 200)
  void theCanaryBlockGoesRoundRobinLargestPoolFirst(
      @ForAll("fleets") List<HostRef> fleet,
      @ForAll @AlphaChars @StringLength(max = 12) String seed,
      @ForAll @IntRange(min = 1, max = 10) int canaryPerPool) {
    Map<String, List<String>> pools = byPool(fleet);
    List<String> ranked =
        pools.keySet().stream()
            .sorted(
                Comparator.comparingInt((String p) -> -pools.get(p).size())
                    .thenComparing(Comparator.naturalOrder()))
            .toList();
    List<String> expected = new ArrayList<>();
    for (int round = 0; round < canaryPerPool; round++) {
      for (String pool : ranked) {
        if (round < expectedCanaries(pools.get(pool).size(), canaryPerPool)) {
          expected.add(pool);
        }
      }
    }
    List<String> actual =
        DeployOrder.order(fleet, seed, canaryPerPool).stream()
            .filter(Slot::canary)
            .map(Slot::pool)
            .toList();
    assertEquals(expected, actual);
  }

  @Property(tries = 300)
  void theRestIsSpreadEvenlyAcrossPools(
      @ForAll("fleets") List<HostRef> fleet,
      @ForAll @AlphaChars @StringLength(max = 12) String seed,
      @ForAll @IntRange(min = 0, max = 10) int canaryPerPool) {
    assertEven(nonCanaries(DeployOrder.order(fleet, seed, canaryPerPool)));
  }

  @Property(tries = 200)
  void aHostLeavingDoesNotReorderTheOthersOfItsPool(
      @ForAll("fleets") List<HostRef> fleet,
      @ForAll @AlphaChars @StringLength(max = 12) String seed,
      @ForAll @IntRange(min = 0, max = 10) int canaryPerPool,
      @ForAll long pick) {
    HostRef gone = fleet.get((int) Math.floorMod(pick, (long) fleet.size()));
    List<HostRef> fewer = new ArrayList<>(fleet);
    fewer.remove(gone);
    List<Slot> before = DeployOrder.order(fleet, seed, canaryPerPool);
    List<Slot> after = DeployOrder.order(fewer, seed, canaryPerPool);
    for (String pool : byPool(fleet).keySet()) {
      List<String> expected = new ArrayList<>(poolSequence(before, pool));
      expected.remove(gone.host());
      assertEquals(expected, poolSequence(after, pool), pool);
    }
  }

  @Property(tries = 200)
  void aHostJoiningDoesNotReorderTheOthersOfItsPool(
      @ForAll("fleets") List<HostRef> fleet,
      @ForAll @AlphaChars @StringLength(max = 12) String seed,
      @ForAll @IntRange(min = 0, max = 10) int canaryPerPool,
      @ForAll @AlphaChars @StringLength(min = 1, max = 10) String name,
      @ForAll long pick) {
    String pool = fleet.get((int) Math.floorMod(pick, (long) fleet.size())).pool();
    HostRef joining = new HostRef("new-" + name, pool);
    List<HostRef> more = new ArrayList<>(fleet);
    more.add(joining);
    List<Slot> before = DeployOrder.order(fleet, seed, canaryPerPool);
    List<Slot> after = DeployOrder.order(more, seed, canaryPerPool);
    for (String p : byPool(fleet).keySet()) {
      List<String> others = new ArrayList<>(poolSequence(after, p));
      others.remove(joining.host());
      assertEquals(poolSequence(before, p), others, p);
    }
  }

  @Property(tries = 100)
  void theSameSeedGivesTheSameOrderWhateverTheInputOrder(
      @ForAll("fleets") List<HostRef> fleet,
      @ForAll @AlphaChars @NumericChars @StringLength(max = 64) String seed,
      @ForAll @IntRange(min = 0, max = 10) int canaryPerPool,
      @ForAll long shuffle) {
    List<HostRef> shuffled = new ArrayList<>(fleet);
    Collections.shuffle(shuffled, new Random(shuffle));
    List<Slot> deploy = DeployOrder.order(fleet, seed, canaryPerPool);
    assertEquals(deploy, DeployOrder.order(fleet, seed, canaryPerPool));
    assertEquals(deploy, DeployOrder.order(shuffled, seed, canaryPerPool));
  }

  @Property(tries = 100)
  void anotherSeedGivesAnotherOrder(
      @ForAll @AlphaChars @NumericChars @StringLength(max = 64) String a,
      @ForAll @AlphaChars @NumericChars @StringLength(max = 64) String b) {
    Assume.that(!a.equals(b));
    List<HostRef> fleet = DeployOrderFixtures.fleet(20);
    // 20! orders: two seeds giving the same one would be a broken hash, not bad luck.
    assertNotEquals(hosts(DeployOrder.order(fleet, a, 0)), hosts(DeployOrder.order(fleet, b, 0)));
  }

  private static Map<String, List<String>> byPool(List<HostRef> fleet) {
    return fleet.stream()
        .collect(
            Collectors.groupingBy(
                HostRef::pool,
                TreeMap::new,
                Collectors.mapping(HostRef::host, Collectors.toList())));
  }
}
