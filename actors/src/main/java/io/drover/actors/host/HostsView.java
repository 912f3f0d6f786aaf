package io.drover.actors.host;

import java.util.Collection;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * The host list the {@link HostDirectory} publishes, a pure function of what it knows: one host per
 * name (of several incarnations, the reachable one, else the newest), and which hosts are
 * unreachable, unschedulable, draining or departed, with their load.
 */
final class HostsView {

  private HostsView() {}

  /** A described agent and when it was described (a newer incarnation wins a name). */
  record Known(HostInfo info, long seq) {}

  /**
   * @param known every described agent (keyed by its agent)
   * @param reachable whether an agent's node can be reached now
   * @param records the newest record of every host name seen
   * @param departed hosts whose last agent left and that have not come back
   * @param load instances per host, as its agent last answered
   * @param <A> the agent key (an actor ref in the directory)
   */
  static <A> HostDirectory.Hosts of(
      Map<A, Known> known,
      Predicate<A> reachable,
      Collection<HostRecord> records,
      Set<String> departed,
      Map<String, Integer> load) {
    return of(known, reachable, records, departed, Set.of(), load);
  }

  /**
   * As above, with the departed hosts that vanished (unreachable or downed when they went) rather
   * than left cleanly; only those still departed are reported.
   */
  static <A> HostDirectory.Hosts of(
      Map<A, Known> known,
      Predicate<A> reachable,
      Collection<HostRecord> records,
      Set<String> departed,
      Set<String> vanished,
      Map<String, Integer> load) {
    Map<String, Map.Entry<A, Known>> byName = new HashMap<>();
    for (Map.Entry<A, Known> e : known.entrySet()) {
      String name = e.getValue().info().name();
      Map.Entry<A, Known> other = byName.get(name);
      if (other == null || better(e, other, reachable)) {
        byName.put(name, e);
      }
    }
    Set<String> unreachable = new TreeSet<>();
    for (Map.Entry<A, Known> e : byName.values()) {
      if (!reachable.test(e.getKey())) {
        unreachable.add(e.getValue().info().name());
      }
    }
    List<HostInfo> sorted =
        byName.values().stream()
            .map(e -> e.getValue().info())
            .sorted(Comparator.comparing(HostInfo::name))
            .toList();
    Set<String> unschedulable = new TreeSet<>();
    Set<String> draining = new TreeSet<>();
    for (HostRecord r : records) {
      if (r.unschedulable()) {
        unschedulable.add(r.name());
      }
      if (r.draining()) {
        draining.add(r.name());
      }
    }
    Set<String> gone = new TreeSet<>(departed);
    sorted.forEach(h -> gone.remove(h.name()));
    Map<String, Integer> loads = new TreeMap<>();
    sorted.forEach(
        h -> {
          Integer n = load.get(h.name());
          if (n != null) {
            loads.put(h.name(), n);
          }
        });
    Set<String> lost = new TreeSet<>(vanished);
    lost.retainAll(gone);
    return new HostDirectory.Hosts(sorted, unreachable, unschedulable, draining, gone, loads, lost);
  }

  /** Of two incarnations of one host name, the reachable one, else the newer one. */
  private static <A> boolean better(
      Map.Entry<A, Known> a, Map.Entry<A, Known> b, Predicate<A> reachable) {
    boolean ra = reachable.test(a.getKey());
    boolean rb = reachable.test(b.getKey());
    if (ra != rb) {
      return ra;
    }
    return a.getValue().seq() > b.getValue().seq();
  }
}
