package io.drover.chaos;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

/**
 * A seeded sequence of faults, one at a time, so the same seed replays the same run. Each fault
 * hits one node and leaves a majority running, as the Split Brain Resolver's keep-majority needs.
 */
public final class FaultPlan {

  private FaultPlan() {}

  /** What happens to a node. */
  public enum Kind {
    /** SIGKILL the node JVM and its instances (a host dies); it is started again afterwards. */
    KILL,
    /** SIGSTOP the node JVM for {@code duration}, then SIGCONT; its instances keep running. */
    PAUSE
  }

  /**
   * One fault.
   *
   * @param kind what
   * @param node index of the node it hits (0-based)
   * @param duration for a pause, how long; for a kill, how long the host stays dead
   */
  public record Fault(Kind kind, int node, Duration duration) {
    @Override
    public String toString() {
      return kind.name().toLowerCase(java.util.Locale.ROOT)
          + " node "
          + (node + 1)
          + " for "
          + duration.toMillis()
          + " ms";
    }
  }

  /**
   * {@code count} faults over {@code nodes} nodes. Pauses are drawn from three bands around the
   * failure layers: a blip shorter than the grace, longer than the grace but shorter than downing,
   * and longer than downing (the node must fence itself).
   */
  public static List<Fault> random(
      long seed, int nodes, int count, Duration grace, Duration downAfter) {
    if (nodes < 3) {
      throw new IllegalArgumentException("at least 3 nodes, so a majority survives a fault");
    }
    Random r = new Random(seed);
    List<Fault> faults = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      int node = r.nextInt(nodes);
      if (r.nextInt(3) == 0) {
        faults.add(new Fault(Kind.KILL, node, Duration.ofSeconds(5 + r.nextInt(10))));
      } else {
        long graceMs = grace.toMillis();
        long downMs = downAfter.toMillis();
        long ms =
            switch (r.nextInt(3)) {
              case 0 -> 500 + r.nextInt((int) Math.max(1, graceMs / 2));
              case 1 -> graceMs + 1000 + r.nextInt(1000);
              default -> graceMs + downMs + 8000 + r.nextInt(4000);
            };
        faults.add(new Fault(Kind.PAUSE, node, Duration.ofMillis(ms)));
      }
    }
    return faults;
  }
}
