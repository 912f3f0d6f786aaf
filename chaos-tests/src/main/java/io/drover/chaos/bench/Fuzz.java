package io.drover.chaos.bench;

import io.drover.chaos.fuzz.FuzzSession;
import io.drover.chaos.fuzz.Fuzzer;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Fuzzes a real node (its own JVM) with generated requests and prints every distinct finding, then
 * the headline: count, 5xx, health, refusals. Usage: {@code bench/fuzz [--count N] [--seed S]
 * [--skip-known]} ({@code --skip-known} leaves out the requests of {@link
 * io.drover.chaos.fuzz.KnownBugs}); exits 1 when anything was found.
 */
public final class Fuzz {

  private Fuzz() {}

  public static void main(String[] args) throws Exception {
    int count = 10_000;
    long seed = System.currentTimeMillis();
    boolean skipKnown = false;
    for (int i = 0; i < args.length; i += 2) {
      if (args[i].equals("--skip-known")) {
        skipKnown = true;
        i--;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(args[i] + " needs a value");
      }
      switch (args[i]) {
        case "--count" -> count = Integer.parseInt(args[i + 1]);
        case "--seed" -> seed = Long.parseLong(args[i + 1]);
        default -> throw new IllegalArgumentException("unknown flag " + args[i]);
      }
    }
    Path dir = Files.createTempDirectory("drover-fuzz-");
    Fuzzer.Result result;
    System.out.println(
        "fuzz: seed "
            + seed
            + ", "
            + count
            + " requests"
            + (skipKnown ? " (known bugs skipped)" : "")
            + ", node data in "
            + dir);
    try (FuzzSession session = FuzzSession.start(dir)) {
      result = session.run(seed, count, skipKnown, System.out::println);
      System.out.println("fuzz: node log " + session.log());
    }
    System.out.print(result.report());
    System.out.println(
        "fuzz: took " + result.elapsed().toSeconds() + " s; rerun with --seed " + seed);
    System.out.println(result.headline());
    System.exit(result.findings().isEmpty() ? 0 : 1);
  }
}
