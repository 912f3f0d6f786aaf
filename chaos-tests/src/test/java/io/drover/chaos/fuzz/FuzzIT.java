package io.drover.chaos.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Fuzzes a real node (its own JVM) with {@code drover.fuzz.count} generated requests (default
 * 1,000; {@code bench/fuzz} sends 10,000): no 5xx, the node healthy at the end, no refused write
 * changed the sites, revisions or hosts, no must-refuse request accepted. The seed is fixed so CI
 * is repeatable; {@code -Ddrover.fuzz.seed=N} or {@code =random} tries others. Request kinds and
 * findings of bugs owned elsewhere are in {@link KnownBugs}.
 */
class FuzzIT {

  @TempDir Path tmp;

  @Test
  void noRequestAnswers5xxOrChangesStateWhenRefused() throws Exception {
    int count = Integer.getInteger("drover.fuzz.count", 1_000);
    String seedProperty = System.getProperty("drover.fuzz.seed", "20261130");
    long seed = seedProperty.equals("random") ? System.nanoTime() : Long.parseLong(seedProperty);
    Fuzzer.Result result;
    Path log;
    try (FuzzSession session = FuzzSession.start(tmp)) {
      result = session.run(seed, count, true, System.out::println);
      log = session.log();
    }
    System.out.print(result.report());
    System.out.println(result.headline());
    List<Fuzzer.Finding> failing =
        result.findings().stream().filter(f -> !KnownBugs.tolerated(f.signature())).toList();
    StringBuilder why = new StringBuilder();
    failing.forEach(f -> why.append(f.describe(seed)).append('\n'));
    assertTrue(failing.isEmpty(), failing.size() + " findings (node log " + log + "):\n" + why);
    assertEquals(count, result.requests());
    assertTrue(result.healthy(), "node not healthy at the end; log " + log);
  }
}
