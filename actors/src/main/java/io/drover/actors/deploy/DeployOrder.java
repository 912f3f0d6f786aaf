package io.drover.actors.deploy;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.TreeMap;
import java.util.random.RandomGenerator;

/**
 * The order in which a deploy visits its hosts; a pure function of the host set, a seed and the
 * number of canaries per pool.
 *
 * <ol>
 *   <li><b>Seeded hash order within a pool</b> (the predecessor tool {@code push}'s seeded shuffle,
 *       made stable): each host's key is the SHA-256 of the UTF-8 bytes of {@code seed + "\u0000" +
 *       host}, compared as an unsigned big-endian number, ties by host name. A host's key depends
 *       only on the seed and its own name, so a host joining or leaving never reorders the others
 *       of its pool; the same seed gives the same order (a revert reuses the seed, so the same
 *       hosts go first) and another seed another order. This key is a contract: changing it would
 *       make a revert started by a newer version visit hosts in another order.
 *   <li><b>Canaries first.</b> The first hosts of each pool in its hash order are its canaries:
 *       {@code min(canaryPerPool, n - 1)} of a pool of {@code n >= 2} hosts, so that at least one
 *       host of the pool waits until the canaries have baked; a pool of one host has that host as
 *       its canary when {@code canaryPerPool >= 1} (a lone host still goes first and bakes rather
 *       than escaping the canary check). The canary block is round-robin over the pools, largest
 *       pool first (ties by pool name): the first canary of every pool, then the second of every
 *       pool that has one, and so on; the canaries of one pool keep their hash order.
 *   <li><b>Even interleave of the rest.</b> The non-canary hosts follow, each pool in its hash
 *       order, merged so that every pool is spread evenly through the whole list (not front-loaded
 *       as rollingpin's insert-based interleave is). Guarantee: with {@code N} non-canary hosts in
 *       {@code P >= 2} pools, a pool with {@code m} of them appears {@code c} times in every prefix
 *       of length {@code k} with {@code |c - k * m / N| <= B = 1 - 1 / (2 (P - 1))}, which is below
 *       1 for any number of pools ({@link #evennessBound(int)}; Tijdeman's bound for the chairman
 *       assignment problem). Method: the {@code j}-th host (1-based) of a pool keeps that bound
 *       exactly when it is placed at a position between {@code ceil((j - B) * N / m)} and {@code
 *       floor((j - 1 + B) * N / m) + 1}, both computed in exact integer arithmetic; the hosts are
 *       placed one position at a time, earliest deadline first among those whose window has opened
 *       (ties: the larger pool, then the pool name, then the pool's own order), which meets every
 *       deadline whenever any placement does. The simpler merge by fractional position {@code (i +
 *       0.5) / m} was measured at 1.46 off with four pools and drifts by up to about {@code (P - 1)
 *       / 2} with many pools, so it is not used.
 * </ol>
 *
 * <p>Sorting dominates: {@code O(n log n)} for {@code n} hosts, one SHA-256 per host. The exact
 * arithmetic holds for up to a million hosts.
 */
public final class DeployOrder {

  /** The longest seed, in characters. */
  public static final int MAX_SEED_LENGTH = 64;

  /** The most canaries per pool. */
  public static final int MAX_CANARY_PER_POOL = 10;

  /** Length of a seed made by {@link #newSeed}. */
  public static final int NEW_SEED_LENGTH = 8;

  private static final String SEED_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789";

  /** One host to deploy: name and pool. */
  public record HostRef(String host, String pool) {}

  /** One host in deploy order; canary hosts come first. */
  public record Slot(String host, String pool, boolean canary) {}

  private DeployOrder() {}

  /**
   * The seed used when a request gives none: {@value #NEW_SEED_LENGTH} characters of {@code
   * [a-z0-9]}, short enough to read out and type into a revert.
   */
  public static String newSeed(RandomGenerator random) {
    StringBuilder seed = new StringBuilder(NEW_SEED_LENGTH);
    for (int i = 0; i < NEW_SEED_LENGTH; i++) {
      seed.append(SEED_ALPHABET.charAt(random.nextInt(SEED_ALPHABET.length())));
    }
    return seed.toString();
  }

  /**
   * The greatest distance, for {@code pools} pools in the non-canary list, between a pool's count
   * in any prefix of that list and its exact share of the prefix: {@code 1 - 1 / (2 (pools - 1))}
   * (1/2 for two pools, 5/6 for four), and 0 for a single pool.
   */
  public static double evennessBound(int pools) {
    return pools <= 1 ? 0.0 : 1.0 - 1.0 / (2.0 * (pools - 1));
  }

  /**
   * The ordered host list: canaries first, then the rest (see the class comment).
   *
   * @param hosts any order, unique host names, each with a pool
   * @param seed at most {@value #MAX_SEED_LENGTH} characters; the empty string is a seed like any
   *     other
   * @param canaryPerPool canaries per pool, 0 to {@value #MAX_CANARY_PER_POOL}
   * @throws IllegalArgumentException naming what to fix when an argument is out of bounds
   */
  public static List<Slot> order(Collection<HostRef> hosts, String seed, int canaryPerPool) {
    validate(hosts, seed, canaryPerPool);
    MessageDigest sha256 = sha256();
    Map<String, List<Keyed>> byPool = new TreeMap<>();
    for (HostRef ref : hosts) {
      byte[] key = sha256.digest((seed + "\u0000" + ref.host()).getBytes(StandardCharsets.UTF_8));
      byPool.computeIfAbsent(ref.pool(), p -> new ArrayList<>()).add(new Keyed(ref, key));
    }
    List<Pool> pools = new ArrayList<>();
    for (Map.Entry<String, List<Keyed>> e : byPool.entrySet()) {
      List<Keyed> members = e.getValue();
      members.sort(Keyed.HASH_ORDER);
      int n = members.size();
      int canaries = n == 1 ? Math.min(canaryPerPool, 1) : Math.min(canaryPerPool, n - 1);
      pools.add(new Pool(e.getKey(), members, canaries));
    }
    pools.sort(Pool.LARGEST_FIRST);

    List<Slot> slots = new ArrayList<>(hosts.size());
    for (int round = 0; round < canaryPerPool; round++) {
      for (Pool pool : pools) {
        if (round < pool.canaries) {
          slots.add(slot(pool.members.get(round).ref, true));
        }
      }
    }

    List<List<HostRef>> rest = new ArrayList<>();
    for (Pool pool : pools) {
      List<HostRef> members = new ArrayList<>();
      for (Keyed k : pool.members.subList(pool.canaries, pool.members.size())) {
        members.add(k.ref);
      }
      if (!members.isEmpty()) {
        rest.add(members);
      }
    }
    for (HostRef ref : interleave(rest)) {
      slots.add(slot(ref, false));
    }
    return List.copyOf(slots);
  }

  private static void validate(Collection<HostRef> hosts, String seed, int canaryPerPool) {
    if (seed == null) {
      throw new IllegalArgumentException("seed is missing: give a word, or make one with newSeed");
    }
    if (seed.length() > MAX_SEED_LENGTH) {
      throw new IllegalArgumentException(
          "seed is "
              + seed.length()
              + " characters long: give at most "
              + MAX_SEED_LENGTH
              + " characters");
    }
    if (canaryPerPool < 0 || canaryPerPool > MAX_CANARY_PER_POOL) {
      throw new IllegalArgumentException(
          "canary perPool is "
              + canaryPerPool
              + ": give a number from 0 to "
              + MAX_CANARY_PER_POOL);
    }
    if (hosts == null) {
      throw new IllegalArgumentException("hosts is missing: give a list of hosts, maybe empty");
    }
    Set<String> seen = new HashSet<>();
    for (HostRef ref : hosts) {
      if (ref == null || ref.host() == null || ref.pool() == null) {
        throw new IllegalArgumentException(
            "a host without a name or pool: give each host a name and a pool, got " + ref);
      }
      if (!seen.add(ref.host())) {
        throw new IllegalArgumentException(
            "host " + ref.host() + " is listed twice: list each host once, with its pool");
      }
    }
  }

  private static Slot slot(HostRef ref, boolean canary) {
    return new Slot(ref.host(), ref.pool(), canary);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every Java runtime has SHA-256", e);
    }
  }

  /** A host and its seeded key. */
  private record Keyed(HostRef ref, byte[] key) {
    static final Comparator<Keyed> HASH_ORDER =
        (a, b) -> {
          int c = Arrays.compareUnsigned(a.key, b.key);
          return c != 0 ? c : a.ref.host().compareTo(b.ref.host());
        };
  }

  /** A pool's members in hash order, the first {@code canaries} of them its canaries. */
  private record Pool(String name, List<Keyed> members, int canaries) {
    static final Comparator<Pool> LARGEST_FIRST =
        Comparator.comparingInt((Pool p) -> -p.members.size()).thenComparing(Pool::name);
  }

  /**
   * Merges pools (each in its own order, listed in pool order) so that every prefix holds each
   * pool's share within {@link #evennessBound}: earliest deadline first over each host's window.
   */
  static List<HostRef> interleave(List<List<HostRef>> pools) {
    int p = pools.size();
    if (p <= 1) {
      return p == 0 ? List.of() : List.copyOf(pools.get(0));
    }
    long total = 0;
    for (List<HostRef> pool : pools) {
      total += pool.size();
    }
    long d = 2L * p - 2;
    List<Window> windows = new ArrayList<>((int) total);
    for (int rank = 0; rank < p; rank++) {
      List<HostRef> pool = pools.get(rank);
      long size = pool.size();
      long scale = Math.multiplyExact(d, size);
      for (int j = 1; j <= size; j++) {
        long earliest = -Math.floorDiv(-Math.multiplyExact(j * d - d + 1, total), scale);
        long latest = Math.floorDiv(Math.multiplyExact(j * d - 1, total), scale) + 1;
        windows.add(new Window(pool.get(j - 1), earliest, latest, rank, j));
      }
    }
    windows.sort(Comparator.comparingLong(Window::earliest));
    PriorityQueue<Window> released = new PriorityQueue<>(Window.EARLIEST_DEADLINE);
    List<HostRef> merged = new ArrayList<>((int) total);
    int next = 0;
    for (long position = 1; position <= total; position++) {
      // Some window is always open here (a placement exists); the isEmpty() guard keeps the result
      // a permutation regardless.
      while (next < windows.size()
          && (windows.get(next).earliest <= position || released.isEmpty())) {
        released.add(windows.get(next++));
      }
      merged.add(released.remove().ref);
    }
    return merged;
  }

  /**
   * The positions (1-based) where the {@code j}-th host of a pool keeps the pool's count within the
   * bound: {@code earliest = ceil((j - B) / r)}, {@code latest = floor((j - 1 + B) / r) + 1} for
   * the pool's share {@code r} of the list and {@code B = (2P - 3) / (2P - 2)}.
   */
  private record Window(HostRef ref, long earliest, long latest, int rank, int j) {
    static final Comparator<Window> EARLIEST_DEADLINE =
        Comparator.comparingLong(Window::latest)
            .thenComparingInt(Window::rank)
            .thenComparingInt(Window::j);
  }
}
