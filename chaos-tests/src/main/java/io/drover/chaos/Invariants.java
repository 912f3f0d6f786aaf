package io.drover.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/** The invariants of DESIGN.md as pure checks over an {@link Observation}. */
public final class Invariants {

  private Invariants() {}

  /**
   * I1 Twice: every site has at least two ready instances on distinct hosts that are up, and each
   * of them is a real process. Call it only outside the allowance after a fault (grace + start
   * time), and only when two or more hosts are up.
   */
  public static List<Violation> twice(Observation o) {
    List<Violation> out = new ArrayList<>();
    if (o.hostsUp().size() < 2) {
      return out;
    }
    Map<String, List<Observation.Proc>> procs = o.processesBySite();
    for (Observation.Site s : o.sites()) {
      Set<String> real = new HashSet<>();
      for (Observation.Proc p : procs.getOrDefault(s.name(), List.of())) {
        real.add(p.instanceId() + "@" + p.host());
      }
      Set<String> hosts = new TreeSet<>();
      int ready = 0;
      for (Observation.Instance i : s.instances()) {
        if (i.ready() && o.hostsUp().contains(i.host()) && real.contains(i.id() + "@" + i.host())) {
          ready++;
          hosts.add(i.host());
        }
      }
      int wanted = Math.min(2, s.desired());
      if (ready < wanted || hosts.size() < Math.min(2, o.hostsUp().size())) {
        out.add(
            new Violation(
                "I1",
                s.name(),
                ready
                    + " ready instance(s) running on "
                    + hosts
                    + " (hosts up "
                    + o.hostsUp()
                    + ")",
                o.atMillis()));
      }
    }
    return out;
  }

  /**
   * I2 No stale copies: every instance process that runs is placed (by the API) on the host that
   * runs it, no instance runs twice, and no site runs processes for instances it does not have.
   * Call it one reconcile interval (plus slack) after a host reappeared or a partition healed.
   */
  public static List<Violation> noStaleCopies(Observation o) {
    List<Violation> out = new ArrayList<>();
    Map<String, Observation.Site> sites = new HashMap<>();
    for (Observation.Site s : o.sites()) {
      sites.put(s.name(), s);
    }
    Map<String, List<Observation.Proc>> byInstance = new HashMap<>();
    for (Observation.Proc p : o.processes()) {
      byInstance.computeIfAbsent(p.instanceId(), k -> new ArrayList<>()).add(p);
    }
    for (Observation.Proc p : o.processes()) {
      Observation.Site s = sites.get(p.site());
      if (s == null) {
        out.add(
            new Violation(
                "I2",
                p.site(),
                "process " + p.pid() + " (" + p.instanceId() + ") on " + p.host() + " of no site",
                o.atMillis()));
        continue;
      }
      boolean placedHere =
          s.instances().stream()
              .anyMatch(i -> i.id().equals(p.instanceId()) && i.host().equals(p.host()));
      if (!placedHere) {
        out.add(
            new Violation(
                "I2",
                p.site(),
                "stale copy: "
                    + p.instanceId()
                    + " runs on "
                    + p.host()
                    + " (pid "
                    + p.pid()
                    + ") but is not placed there",
                o.atMillis()));
      }
    }
    for (Map.Entry<String, List<Observation.Proc>> e : byInstance.entrySet()) {
      Set<String> hosts = new TreeSet<>();
      e.getValue().forEach(p -> hosts.add(p.host()));
      if (hosts.size() > 1) {
        out.add(
            new Violation(
                "I2",
                e.getValue().get(0).site(),
                "instance " + e.getKey() + " runs on several hosts " + hosts,
                o.atMillis()));
      }
    }
    return out;
  }

  /**
   * I4 Nothing lost: every acknowledged site write is there with the revision and instance count of
   * its last acknowledgement, and no deleted site came back.
   *
   * @param acknowledged site name to its last acknowledged (revision, instances); a null value
   *     means an acknowledged delete
   */
  public static List<Violation> nothingLost(Map<String, Acked> acknowledged, Observation o) {
    List<Violation> out = new ArrayList<>();
    Map<String, Observation.Site> sites = new HashMap<>();
    for (Observation.Site s : o.sites()) {
      sites.put(s.name(), s);
    }
    for (Map.Entry<String, Acked> e : acknowledged.entrySet()) {
      Observation.Site s = sites.get(e.getKey());
      Acked a = e.getValue();
      if (a == null) {
        if (s != null) {
          out.add(new Violation("I4", e.getKey(), "deleted site is back", o.atMillis()));
        }
      } else if (s == null) {
        out.add(new Violation("I4", e.getKey(), "acknowledged site is gone", o.atMillis()));
      } else if (!a.revision().equals(s.revision()) || a.instances() != s.desired()) {
        out.add(
            new Violation(
                "I4",
                e.getKey(),
                "acknowledged "
                    + a
                    + " but the site has revision "
                    + s.revision()
                    + " x"
                    + s.desired(),
                o.atMillis()));
      }
    }
    return out;
  }

  /** What an acknowledged site write set. */
  public record Acked(String revision, int instances) {}
}
