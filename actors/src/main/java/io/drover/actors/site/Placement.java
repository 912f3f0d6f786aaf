package io.drover.actors.site;

import io.drover.actors.host.HostInfo;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

/**
 * Where the instances of one site should run: a pure function from desired state and observed
 * placements to a {@link Plan}. The site entity applies the plan by persisting one event per
 * addition and removal; calling it again with the result yields an empty plan once converged.
 *
 * <p>Every placement falls in one of three groups:
 *
 * <ul>
 *   <li><b>good</b>: of the current generation, not lost, on an eligible host (or on a host that
 *       vanished but whose grace has not run out: it still counts until the entity marks it lost);
 *   <li><b>serving outgoing</b>: not lost but of an older generation, or on a known host that is no
 *       longer eligible (other pool, excluded): replaced one at a time, so capacity never drops;
 *   <li><b>lost</b>: missing longer than the grace (decided by the entity): replaced at once.
 * </ul>
 *
 * Outgoing placements are removed once enough good ones are ready to stand in for them.
 */
public final class Placement {

  private Placement() {}

  /**
   * One placed instance as the plan sees it.
   *
   * @param instanceId {@code <site>-<epoch>}
   * @param host the host it is placed on; may be a host that is no longer known
   * @param epoch its placement epoch
   * @param generation the spec generation it runs
   * @param ready its host last reported it ready
   * @param lost missing (host gone or not reported) for longer than the grace
   */
  public record Current(
      String instanceId, String host, long epoch, long generation, boolean ready, boolean lost) {}

  /**
   * One new placement.
   *
   * @param host where it goes
   * @param reason why, for the log
   */
  public record Addition(String host, String reason) {}

  /**
   * One placement to remove.
   *
   * @param instanceId which one
   * @param reason why, for the log
   */
  public record Removal(String instanceId, String reason) {}

  /** What to change; both lists empty when the site has converged. */
  public record Plan(List<Addition> additions, List<Removal> removals) {
    public boolean isEmpty() {
      return additions.isEmpty() && removals.isEmpty();
    }
  }

  /**
   * Everything the plan depends on.
   *
   * @param desired instance count asked for
   * @param pool the site's pool; a host is eligible when its pool equals it
   * @param generation the current spec generation
   * @param hosts every known host (any pool)
   * @param excluded hosts that take no new placements and should be emptied (draining)
   * @param totalLoad instances of all sites per host, a tie-breaker; hosts absent count as 0
   * @param current every placement of the site
   * @param unavailable hosts that take no new placements for now but keep theirs (cordoned;
   *     unreachable: their instances count until the grace declares them lost)
   * @param held hosts whose placements count as good whatever generation they run (a deploy has not
   *     reached them yet)
   * @param rolling hosts a deploy released: each replaces its outgoing placements in place, one
   *     surge copy at a time per host, all such hosts at once
   */
  public record Input(
      int desired,
      String pool,
      long generation,
      List<HostInfo> hosts,
      Predicate<String> excluded,
      Map<String, Integer> totalLoad,
      List<Current> current,
      Set<String> unavailable,
      Set<String> held,
      Set<String> rolling) {

    /** No deploy holds or releases hosts. */
    public Input(
        int desired,
        String pool,
        long generation,
        List<HostInfo> hosts,
        Predicate<String> excluded,
        Map<String, Integer> totalLoad,
        List<Current> current,
        Set<String> unavailable) {
      this(
          desired,
          pool,
          generation,
          hosts,
          excluded,
          totalLoad,
          current,
          unavailable,
          Set.of(),
          Set.of());
    }

    /** Every known host is available. */
    public Input(
        int desired,
        String pool,
        long generation,
        List<HostInfo> hosts,
        Predicate<String> excluded,
        Map<String, Integer> totalLoad,
        List<Current> current) {
      this(desired, pool, generation, hosts, excluded, totalLoad, current, Set.of());
    }
  }

  public static Plan plan(Input in) {
    Set<String> known = new HashSet<>();
    Set<String> keepable = new HashSet<>();
    List<String> eligible = new ArrayList<>();
    for (HostInfo h : in.hosts()) {
      known.add(h.name());
      if (in.pool().equals(h.pool()) && !in.excluded().test(h.name())) {
        keepable.add(h.name());
        if (!in.unavailable().contains(h.name())) {
          eligible.add(h.name());
        }
      }
    }
    Set<String> eligibleSet = new HashSet<>(eligible);

    List<Current> sorted = new ArrayList<>(in.current());
    sorted.sort(Comparator.comparing(Current::epoch).thenComparing(Current::instanceId));
    List<Current> good = new ArrayList<>();
    List<Current> outgoing = new ArrayList<>();
    int serving = 0;
    for (Current c : sorted) {
      boolean hostOk = keepable.contains(c.host()) || !known.contains(c.host());
      boolean currentGeneration = c.generation() == in.generation() || in.held().contains(c.host());
      if (!c.lost() && currentGeneration && hostOk) {
        good.add(c);
      } else {
        outgoing.add(c);
        if (!c.lost()) {
          serving++;
        }
      }
    }

    // load = placements of this site per host that still occupy it (lost ones are gone)
    Map<String, Integer> load = new HashMap<>();
    Set<String> hostsWithLost = new HashSet<>();
    for (Current c : sorted) {
      if (c.lost()) {
        hostsWithLost.add(c.host());
      } else {
        load.merge(c.host(), 1, Integer::sum);
      }
    }

    List<Addition> additions = new ArrayList<>();
    List<Removal> removals = new ArrayList<>();
    int readyGood = (int) good.stream().filter(Current::ready).count();

    // 1. urgent: capacity nobody provides (scale-up, lost instances)
    int urgent = Math.max(0, in.desired() - good.size() - serving);
    for (int i = 0; i < urgent && !eligible.isEmpty(); i++) {
      String host = leastLoaded(eligible, load, hostsWithLost, in.totalLoad());
      load.merge(host, 1, Integer::sum);
      boolean replacing = outgoing.stream().anyMatch(Current::lost);
      additions.add(new Addition(host, replacing ? "replaces a lost instance" : "scale up"));
    }

    // 2. outgoing placements stay only while good ones cannot stand in for them yet
    Set<String> removedIds = new HashSet<>();
    int keep = Math.max(0, in.desired() - readyGood);
    List<Current> keepOrder = new ArrayList<>(outgoing);
    // on a host a deploy released, the old copy whose new copy is ready there goes first
    Set<String> replacedHere = new HashSet<>();
    for (Current c : good) {
      if (c.ready() && in.rolling().contains(c.host())) {
        replacedHere.add(c.host());
      }
    }
    keepOrder.sort(
        Comparator.comparing((Current c) -> replacedHere.contains(c.host()) ? 1 : 0)
            .thenComparing(c -> c.ready() ? 0 : 1)
            .thenComparing(c -> c.lost() ? 1 : 0)
            .thenComparing(c -> load.getOrDefault(c.host(), 0))
            .thenComparing(Current::epoch));
    for (int i = keep; i < keepOrder.size(); i++) {
      Current c = keepOrder.get(i);
      String why =
          c.lost()
              ? "lost, replaced"
              : c.generation() != in.generation()
                  ? "older generation, replaced"
                  : "host " + c.host() + " no longer eligible, replaced";
      removals.add(new Removal(c.instanceId(), why));
      removedIds.add(c.instanceId());
      if (!c.lost()) {
        load.merge(c.host(), -1, Integer::sum);
      }
    }

    // 3a. deploy: every released host replaces its outgoing placements in place, one surge copy
    // at a time per host, never more good copies than desired
    int goodCount = good.size() + additions.size();
    Set<String> rollingHere = new HashSet<>();
    for (String host : new java.util.TreeSet<>(in.rolling())) {
      if (!eligibleSet.contains(host)) {
        continue;
      }
      rollingHere.add(host);
      boolean surging = good.stream().anyMatch(c -> c.host().equals(host) && !c.ready());
      boolean toReplace =
          outgoing.stream()
              .anyMatch(
                  c -> c.host().equals(host) && !c.lost() && !removedIds.contains(c.instanceId()));
      if (urgent == 0 && toReplace && !surging && goodCount < in.desired()) {
        load.merge(host, 1, Integer::sum);
        additions.add(new Addition(host, "deploy replaces an instance on " + host));
        goodCount++;
      }
    }

    // 3b. rolling: one surge copy at a time while serving outgoing placements remain (outside the
    // hosts a deploy replaces in place)
    boolean surgeInFlight = good.stream().anyMatch(c -> !c.ready());
    List<Current> toRoll =
        outgoing.stream()
            .filter(
                c ->
                    !c.lost()
                        && !removedIds.contains(c.instanceId())
                        && !rollingHere.contains(c.host()))
            .toList();
    if (urgent == 0
        && !toRoll.isEmpty()
        && goodCount < in.desired()
        && !surgeInFlight
        && !eligible.isEmpty()) {
      Current replaced =
          toRoll.stream()
              .min(
                  Comparator.comparing((Current c) -> c.ready() ? 0 : 1)
                      .thenComparing(Current::epoch))
              .orElseThrow();
      String host =
          eligibleSet.contains(replaced.host()) && !in.held().contains(replaced.host())
              ? replaced.host()
              : leastLoaded(eligible, load, hostsWithLost, in.totalLoad());
      load.merge(host, 1, Integer::sum);
      additions.add(new Addition(host, "replaces " + replaced.instanceId()));
    }

    // 4. scale down good placements beyond desired
    List<Current> remaining = new ArrayList<>(good);
    while (remaining.size() > in.desired()) {
      boolean stacked = remaining.stream().anyMatch(c -> load.getOrDefault(c.host(), 0) >= 2);
      List<Current> order = new ArrayList<>(remaining);
      order.sort(
          Comparator.comparing((Current c) -> c.ready() ? 1 : 0)
              .thenComparing(c -> -load.getOrDefault(c.host(), 0))
              .thenComparing(c -> -c.epoch()));
      // a fresh copy alone on its host spreads the site: until it is ready, only non-ready copies
      // on stacked hosts may go
      boolean spreading =
          stacked
              && remaining.stream()
                  .anyMatch(c -> !c.ready() && load.getOrDefault(c.host(), 0) == 1);
      Current pick =
          order.stream()
              .filter(c -> !spreading || (!c.ready() && load.getOrDefault(c.host(), 0) > 1))
              .findFirst()
              .orElse(null);
      if (pick == null) {
        break;
      }
      remaining.remove(pick);
      load.merge(pick.host(), -1, Integer::sum);
      removals.add(new Removal(pick.instanceId(), "scale down"));
    }

    // 5. rebalance: converged but stacked while an eligible host is empty -> surge a spreading copy
    if (additions.isEmpty()
        && removals.isEmpty()
        && outgoing.isEmpty()
        && good.size() == in.desired()
        && readyGood == good.size()) {
      boolean stacked = good.stream().anyMatch(c -> load.getOrDefault(c.host(), 0) >= 2);
      List<String> empty =
          eligible.stream().filter(h -> load.getOrDefault(h, 0) == 0).sorted().toList();
      if (stacked && !empty.isEmpty()) {
        String host = leastLoaded(empty, load, hostsWithLost, in.totalLoad());
        additions.add(new Addition(host, "spread to an empty host"));
      }
    }
    return new Plan(List.copyOf(additions), List.copyOf(removals));
  }

  private static String leastLoaded(
      List<String> candidates,
      Map<String, Integer> load,
      Set<String> hostsWithLost,
      Map<String, Integer> totalLoad) {
    return candidates.stream()
        .min(
            Comparator.comparing((String h) -> hostsWithLost.contains(h) ? 1 : 0)
                .thenComparing(h -> load.getOrDefault(h, 0))
                .thenComparing(h -> totalLoad.getOrDefault(h, 0))
                .thenComparing(h -> h))
        .orElseThrow();
  }
}
