package io.drover.actors.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.deploy.DeployOrder.HostRef;
import io.drover.actors.deploy.DeployOrder.Slot;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** Fleets and checks shared by the example and property tests of {@link DeployOrder}. */
final class DeployOrderFixtures {

  private DeployOrderFixtures() {}

  /** A fleet with pools {@code pool-a}, {@code pool-b}, ... of the given sizes. */
  static List<HostRef> fleet(int... sizes) {
    List<HostRef> hosts = new ArrayList<>();
    for (int p = 0; p < sizes.length; p++) {
      String pool = "pool-" + (char) ('a' + p);
      for (int i = 0; i < sizes[p]; i++) {
        hosts.add(new HostRef(pool + "-host-" + i, pool));
      }
    }
    return hosts;
  }

  /** The host names of one pool, in the order they appear in {@code slots}. */
  static List<String> poolSequence(List<Slot> slots, String pool) {
    return slots.stream().filter(s -> s.pool().equals(pool)).map(Slot::host).toList();
  }

  static List<String> pools(List<Slot> slots) {
    return slots.stream().map(Slot::pool).toList();
  }

  static List<String> hosts(List<Slot> slots) {
    return slots.stream().map(Slot::host).toList();
  }

  /**
   * A second implementation of the hash order, written from the rule: SHA-256 of {@code seed NUL
   * host} as an unsigned number, ties by name.
   */
  static List<String> hashOrder(List<String> hosts, String seed) {
    return hosts.stream()
        .sorted(
            Comparator.comparing((String h) -> new BigInteger(1, sha256(seed + "\u0000" + h)))
                .thenComparing(Comparator.naturalOrder()))
        .toList();
  }

  /** The canaries a pool of {@code n} hosts gets: at least one host left, unless it has one. */
  static int expectedCanaries(int n, int canaryPerPool) {
    return n == 1 ? Math.min(canaryPerPool, 1) : Math.min(canaryPerPool, n - 1);
  }

  /**
   * Asserts that in every prefix of {@code list}, each pool's count {@code c} is within {@code 1 -
   * 1 / (2 (P - 1))} of its share {@code k * m / N}, in exact integer arithmetic; returns the
   * largest distance seen.
   */
  static double assertEven(List<Slot> list) {
    Map<String, Integer> sizes = new LinkedHashMap<>();
    for (Slot s : list) {
      sizes.merge(s.pool(), 1, Integer::sum);
    }
    long n = list.size();
    long p = sizes.size();
    Map<String, Integer> counts = new LinkedHashMap<>();
    sizes.keySet().forEach(pool -> counts.put(pool, 0));
    double worst = 0;
    for (int k = 1; k <= n; k++) {
      counts.merge(list.get(k - 1).pool(), 1, Integer::sum);
      for (Map.Entry<String, Integer> e : counts.entrySet()) {
        long m = sizes.get(e.getKey());
        long off = Math.abs(e.getValue() * n - k * m);
        worst = Math.max(worst, (double) off / n);
        if (p >= 2) {
          final int prefix = k;
          assertTrue(
              2 * (p - 1) * off <= (2 * p - 3) * n,
              () ->
                  "pool "
                      + e.getKey()
                      + " has "
                      + e.getValue()
                      + " of the first "
                      + prefix
                      + " hosts, share "
                      + (double) prefix * m / n);
        } else {
          assertTrue(off == 0);
        }
      }
    }
    assertTrue(worst <= DeployOrder.evennessBound((int) p) + 1e-9, "bound " + worst);
    assertTrue(worst < 1.0, "every pool within 1 of its share, worst " + worst);
    return worst;
  }

  static List<Slot> nonCanaries(List<Slot> slots) {
    return slots.stream().filter(s -> !s.canary()).toList();
  }

  private static byte[] sha256(String s) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
