package io.drover.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A seeded sequence of faults, one at a time, so the same seed replays the same run. Each fault
 * leaves a majority running, as the Split Brain Resolver's keep-majority needs: it hits one node,
 * or cuts a minority of nodes off from the rest.
 */
public final class FaultPlan {

  private FaultPlan() {}

  /** What happens. */
  public enum Kind {
    /** SIGKILL the node JVM and its instances (a host dies); it is started again afterwards. */
    KILL,
    /** SIGSTOP the node JVM for {@code duration}, then SIGCONT; its instances keep running. */
    PAUSE,
    /**
     * Cut {@code group} (a minority) off from the other nodes for {@code duration}, then heal;
     * needs {@link ChaosCluster.Network#NETNS}.
     */
    PARTITION
  }

  /**
   * One fault.
   *
   * @param kind what
   * @param node index of the node it hits (0-based); for a partition the first of {@code group}
   * @param duration for a pause or a partition, how long; for a kill, how long the host stays dead
   * @param group the nodes it hits, ascending: {@code [node]}, or a partition's minority side
   * @param scheduler a kill or pause of whichever node holds the cron scheduler when it is applied
   *     ({@code node} is the planned one until then, kept when the scheduler cannot be located)
   */
  public record Fault(
      Kind kind, int node, Duration duration, List<Integer> group, boolean scheduler) {
    public Fault {
      group = List.copyOf(group);
      if (group.isEmpty() || group.get(0) != node) {
        throw new IllegalArgumentException("group must start with node " + node + ": " + group);
      }
      if (scheduler && kind == Kind.PARTITION) {
        throw new IllegalArgumentException("a scheduler fault is a kill or a pause");
      }
    }

    public Fault(Kind kind, int node, Duration duration, List<Integer> group) {
      this(kind, node, duration, group, false);
    }

    /** A fault of one node. */
    public Fault(Kind kind, int node, Duration duration) {
      this(kind, node, duration, List.of(node));
    }

    /** A kill or pause of the node holding the cron scheduler when it is applied. */
    public static Fault ofScheduler(Kind kind, int plannedNode, Duration duration) {
      return new Fault(kind, plannedNode, duration, List.of(plannedNode), true);
    }

    /** This scheduler fault on node {@code i}, once the scheduler's node is known. */
    public Fault on(int i) {
      return new Fault(kind, i, duration, List.of(i), scheduler);
    }

    /** Cuts {@code minority} off from the other nodes for {@code duration}. */
    public static Fault partition(List<Integer> minority, Duration duration) {
      List<Integer> g = List.copyOf(new TreeSet<>(minority));
      return new Fault(Kind.PARTITION, g.get(0), duration, g);
    }

    @Override
    public String toString() {
      if (kind == Kind.PARTITION) {
        return "partition "
            + group.stream().map(i -> "node " + (i + 1)).collect(Collectors.joining(", "))
            + " from the rest for "
            + duration.toMillis()
            + " ms";
      }
      return kind.name().toLowerCase(java.util.Locale.ROOT)
          + " node "
          + (node + 1)
          + (scheduler ? " (the cron scheduler's node)" : "")
          + " for "
          + duration.toMillis()
          + " ms";
    }
  }

  /** {@link #random(long, int, int, Duration, Duration, boolean)} without partitions. */
  public static List<Fault> random(
      long seed, int nodes, int count, Duration grace, Duration downAfter) {
    return random(seed, nodes, count, grace, downAfter, false);
  }

  /**
   * {@link #random(long, int, int, Duration, Duration, boolean)}, and with {@code cron} about one
   * kill or pause in three hits the node holding the cron scheduler instead of its planned node.
   * That choice is drawn from a random of its own, so the plan is otherwise the same as without
   * {@code cron} (a seed replays the same faults).
   */
  public static List<Fault> random(
      long seed,
      int nodes,
      int count,
      Duration grace,
      Duration downAfter,
      boolean partitions,
      boolean cron) {
    List<Fault> plan = random(seed, nodes, count, grace, downAfter, partitions);
    if (!cron) {
      return plan;
    }
    Random r = new Random(seed * 31 + 9);
    List<Fault> out = new ArrayList<>();
    for (Fault f : plan) {
      boolean toScheduler = r.nextInt(3) == 0;
      out.add(
          toScheduler && f.kind() != Kind.PARTITION
              ? Fault.ofScheduler(f.kind(), f.node(), f.duration())
              : f);
    }
    return out;
  }

  /**
   * {@code count} faults over {@code nodes} nodes. Pauses and partitions last for one of three
   * bands around the failure layers: a blip shorter than the grace, longer than the grace but
   * shorter than downing, and longer than downing (the node must fence itself). With {@code
   * partitions}, about one fault in four is a partition that cuts a random minority off; without,
   * the plan is the same as before partitions existed (a seed replays the same faults).
   */
  public static List<Fault> random(
      long seed, int nodes, int count, Duration grace, Duration downAfter, boolean partitions) {
    if (nodes < 3) {
      throw new IllegalArgumentException("at least 3 nodes, so a majority survives a fault");
    }
    Random r = new Random(seed);
    List<Fault> faults = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int node = r.nextInt(nodes);
      if (partitions && r.nextInt(4) == 0) {
        int size = 1 + r.nextInt((nodes - 1) / 2);
        List<Integer> others = new ArrayList<>();
        for (int n = 0; n < nodes; n++) {
          if (n != node) {
            others.add(n);
          }
        }
        Collections.shuffle(others, r);
        List<Integer> minority = new ArrayList<>(others.subList(0, size - 1));
        minority.add(node);
        faults.add(Fault.partition(minority, band(r, grace, downAfter)));
      } else if (r.nextInt(3) == 0) {
        faults.add(new Fault(Kind.KILL, node, Duration.ofSeconds(5 + r.nextInt(10))));
      } else {
        faults.add(new Fault(Kind.PAUSE, node, band(r, grace, downAfter)));
      }
    }
    return faults;
  }

  /** A duration in one of the three bands around the grace and the downing. */
  private static Duration band(Random r, Duration grace, Duration downAfter) {
    long graceMs = grace.toMillis();
    long downMs = downAfter.toMillis();
    long ms =
        switch (r.nextInt(3)) {
          case 0 -> 500 + r.nextInt((int) Math.max(1, graceMs / 2));
          case 1 -> graceMs + 1000 + r.nextInt(1000);
          default -> graceMs + downMs + 8000 + r.nextInt(4000);
        };
    return Duration.ofMillis(ms);
  }
}
