package io.drover.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code ./drover chaos}: random faults from a seeded {@link FaultPlan} against fresh local nodes,
 * then the report. Exit 0 when no invariant broke, 1 otherwise, 2 for bad flags. With {@code
 * --network netns} (or {@code auto} where the machine allows it) every node runs in its own network
 * namespace and the plan includes network partitions.
 */
@Command(
    name = "drover chaos",
    mixinStandardHelpOptions = true,
    description =
        "Start fresh local nodes on a fresh PostgreSQL database, inject seeded random faults one at"
            + " a time (SIGKILL of a host, SIGSTOP/SIGCONT pauses around the grace and"
            + " down-after, and with network namespaces partitions that cut a minority off; about one"
            + " kill or pause in three hits the node holding the cron scheduler), check invariants"
            + " I1, I2, I3 (a cronjob @every 1s: no tick twice, none missed without a record), I4"
            + " and I5 and print a report.")
public final class ChaosMain implements Callable<Integer> {

  @Option(names = "--nodes", description = "nodes (at least 3; default 3)")
  int nodes = 3;

  @Option(names = "--faults", description = "faults to inject (default ${DEFAULT-VALUE})")
  int faults = 5;

  @Option(names = "--seed", description = "seed of the fault plan (default ${DEFAULT-VALUE})")
  long seed = 1;

  @Option(names = "--sites", description = "sites of two instances (default ${DEFAULT-VALUE})")
  int sites = 3;

  @Option(names = "--grace", description = "node --grace (default ${DEFAULT-VALUE})")
  String grace = "5s";

  @Option(names = "--down-after", description = "node --down-after (default ${DEFAULT-VALUE})")
  String downAfter = "2s";

  @Option(
      names = "--app",
      description =
          "light (sleep, exec health check) or hello (HTTP app); default ${DEFAULT-VALUE}")
  String app = "light";

  @Option(
      names = "--network",
      description =
          "auto (netns where the machine allows it: root and ip netns; else loopback), netns"
              + " (each node in its own network namespace; the plan includes partitions) or"
              + " loopback (no partitions); default ${DEFAULT-VALUE}")
  String network = "auto";

  @Option(
      names = "--no-cron",
      description =
          "no cronjob: I3 unchecked, no faults aimed at the cron scheduler's node (the plan's"
              + " faults hit their planned nodes)")
  boolean noCron;

  @Option(names = "--quiet", description = "do not print the history as it happens")
  boolean quiet;

  /** Parses {@code 500ms}, {@code 5s}, {@code 2m}. */
  public static Duration duration(String s) {
    var m = java.util.regex.Pattern.compile("(\\d+)(ms|s|m)").matcher(s.strip());
    if (!m.matches()) {
      throw new IllegalArgumentException("'" + s + "' is not a duration like 500ms, 5s or 2m");
    }
    long n = Long.parseLong(m.group(1));
    return switch (m.group(2)) {
      case "ms" -> Duration.ofMillis(n);
      case "s" -> Duration.ofSeconds(n);
      default -> Duration.ofMinutes(n);
    };
  }

  @Override
  public Integer call() throws Exception {
    CommandLine.Model.CommandSpec spec = new CommandLine(this).getCommandSpec();
    Duration g;
    Duration d;
    ChaosCluster.App a;
    try {
      g = duration(grace);
      d = duration(downAfter);
      a = ChaosCluster.App.valueOf(app.toUpperCase(Locale.ROOT));
      if (nodes < 3 || faults < 0 || sites < 1) {
        throw new IllegalArgumentException("--nodes must be >= 3, --faults >= 0, --sites >= 1");
      }
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(
          spec.commandLine(),
          e.getMessage().startsWith("No enum")
              ? "--app must be light or hello, got '" + app + "'"
              : e.getMessage());
    }
    if (!List.of("auto", "netns", "loopback").contains(network)) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--network must be auto, netns or loopback, got '" + network + "'");
    }
    String unsupported =
        network.equals("loopback") ? null : ChaosCluster.partitionUnsupportedReason();
    if (network.equals("netns") && unsupported != null) {
      throw new CommandLine.ParameterException(
          spec.commandLine(), "--network netns is not possible here: " + unsupported);
    }
    ChaosCluster.Network net =
        network.equals("loopback") || unsupported != null
            ? ChaosCluster.Network.LOOPBACK
            : ChaosCluster.Network.NETNS;
    boolean partitions = net == ChaosCluster.Network.NETNS;
    List<FaultPlan.Fault> plan = FaultPlan.random(seed, nodes, faults, g, d, partitions, !noCron);
    Path work = Files.createTempDirectory("drover-chaos-");
    System.out.printf(
        "chaos: %d nodes, %d sites (%s), grace %s, down-after %s, seed %d, %d faults, network %s;"
            + " node logs under %s%n",
        nodes,
        sites,
        app,
        grace,
        downAfter,
        seed,
        faults,
        net.name().toLowerCase(Locale.ROOT),
        work);
    if (network.equals("loopback")) {
      System.out.println("chaos: partitions off (--network loopback)");
    } else if (!partitions) {
      System.out.println("chaos: partitions skipped (loopback): " + unsupported);
    }
    History history = new History(quiet ? null : System.out);
    ChaosCluster cluster =
        ChaosCluster.start(new ChaosCluster.Config(nodes, sites, g, d, a, work, net), history);
    Runtime.getRuntime().addShutdownHook(new Thread(cluster::close));
    ChaosRunner.Report report;
    CronWatch cron = null;
    try {
      if (!noCron) {
        cron = CronWatch.start(cluster, work);
      }
      report = new ChaosRunner(cluster, cron).run(plan);
    } finally {
      if (cron != null) {
        cron.close();
      }
      cluster.close();
    }
    report.print(System.out);
    return report.clean() ? 0 : 1;
  }

  public static void main(String[] args) {
    CommandLine cl = new CommandLine(new ChaosMain());
    System.exit(cl.execute(args));
  }
}
