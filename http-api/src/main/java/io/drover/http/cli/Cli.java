package io.drover.http.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;
import picocli.CommandLine.Spec;

/**
 * {@code drover <command>}: the client of a node's HTTP API (the launcher sends every command but
 * {@code up}, {@code certs}, {@code chaos} and {@code dev-postgres} here). Exit codes: see {@link
 * ExitCodes}. Starts no actor system.
 */
@Command(
    name = "drover",
    mixinStandardHelpOptions = true,
    versionProvider = Cli.Version.class,
    sortOptions = false,
    description = {
      "Keeps sites running at least twice on a fleet of hosts.",
      "",
      "Node commands (run a node on this machine):",
      "  up            start a node in the foreground (./drover up --help)",
      "  certs         a cluster CA and node certificates for mutual TLS",
      "  chaos         seeded random faults against fresh local nodes",
      "  dev-postgres  a private PostgreSQL for development and tests",
      "  dev-chromium  headless Chromium and chromedriver for the browser test",
      "",
      "Client options:"
    },
    commandListHeading = "%nClient commands (talk to a node's API):%n",
    footer = {
      "",
      "Exit codes: 0 ok, 1 the operation failed, 2 bad usage, 3 server unreachable,"
          + " 4 not authorised.",
      "Bash completion: ./drover completion > /etc/bash_completion.d/drover"
    })
public final class Cli implements Callable<Integer> {

  @Spec CommandSpec spec;

  @Option(
      names = "--server",
      paramLabel = "URL",
      scope = ScopeType.INHERIT,
      description = "The node's API (env DROVER_SERVER; default " + Settings.DEFAULT_SERVER + ").")
  String server;

  @Option(
      names = "--token",
      paramLabel = "TOKEN",
      scope = ScopeType.INHERIT,
      description =
          "Bearer token (env DROVER_TOKEN, else DROVER_ADMIN_TOKEN, else for a node on this"
              + " machine <data-dir>/admin.token).")
  String token;

  @Option(
      names = "--data-dir",
      paramLabel = "DIR",
      scope = ScopeType.INHERIT,
      description = "A local node's data directory, for its admin.token (default: data).")
  Path dataDir;

  @Option(
      names = "--cacert",
      paramLabel = "FILE",
      scope = ScopeType.INHERIT,
      description = "Trust this CA certificate (PEM, e.g. ca.crt) for https (env DROVER_CACERT).")
  Path cacert;

  @Option(
      names = {"-o", "--output"},
      paramLabel = "FORMAT",
      scope = ScopeType.INHERIT,
      description = "table (default) or json (the server's JSON).")
  String output;

  final PrintStream out;
  final PrintStream err;
  final Map<String, String> env;

  /** stdout is a terminal: colours (unless NO_COLOR) and live progress. */
  final boolean terminal;

  /** The global options as the fast path parsed them; null: picocli's fields above. */
  Settings.Flags flags;

  private Settings settings;
  private Api api;

  /**
   * @param env the environment (tests pass their own)
   * @param terminal whether {@code out} is a terminal
   */
  public Cli(PrintStream out, PrintStream err, Map<String, String> env, boolean terminal) {
    this.out = out;
    this.err = err;
    this.env = env;
    this.terminal = terminal;
  }

  public static void main(String[] args) {
    int code =
        new Cli(System.out, System.err, System.getenv(), System.console() != null).execute(args);
    System.out.flush();
    System.exit(code);
  }

  /** Runs one command line; its exit code. */
  public int execute(String... args) {
    Integer fast = FastPath.run(this, args);
    return fast != null ? fast : commandLine(args).execute(args);
  }

  /**
   * The client's commands, in the order help lists them. Built on demand: building picocli's model
   * of every command costs a JVM without warm-up about 100 ms, so a command line gets only the
   * command it names (help and completion get all). The commands {@link FastPath} takes do not
   * build it at all.
   */
  static List<Map.Entry<String, Supplier<Object>>> commands() {
    return Registry.COMMANDS;
  }

  /**
   * The client commands' names (what {@link #commands()} lists; {@code CliArgsTest} checks). A
   * command line on {@link FastPath} needs only these: creating the suppliers loads every command's
   * class.
   */
  static final Set<String> NAMES =
      Set.of(
          "status",
          "sites",
          "site",
          "scale",
          "delete",
          "upload",
          "deploy",
          "deploys",
          "abort",
          "pause",
          "resume",
          "revert",
          "hosts",
          "cordon",
          "uncordon",
          "drain",
          "cron",
          "singletons",
          "logs",
          "events",
          "tokens",
          "completion",
          "cds-training");

  /** Holds the command list, so that only picocli's path creates it. */
  private static final class Registry {
    static final List<Map.Entry<String, Supplier<Object>>> COMMANDS =
        List.of(
            Map.entry("status", FleetCommands.Status::new),
            Map.entry("sites", SiteCommands.Sites::new),
            Map.entry("site", SiteCommands.Site::new),
            Map.entry("scale", SiteCommands.Scale::new),
            Map.entry("delete", SiteCommands.Delete::new),
            Map.entry("upload", SiteCommands.Upload::new),
            Map.entry("deploy", DeployCommands.Deploy::new),
            Map.entry("deploys", DeployCommands.Deploys::new),
            Map.entry("abort", DeployCommands.Abort::new),
            Map.entry("pause", DeployCommands.Pause::new),
            Map.entry("resume", DeployCommands.Resume::new),
            Map.entry("revert", DeployCommands.Revert::new),
            Map.entry("hosts", FleetCommands.Hosts::new),
            Map.entry("cordon", FleetCommands.Cordon::new),
            Map.entry("uncordon", FleetCommands.Uncordon::new),
            Map.entry("drain", FleetCommands.Drain::new),
            Map.entry("cron", CronCommands.Cron::new),
            Map.entry("singletons", FleetCommands.Singletons::new),
            Map.entry("logs", StreamCommands.Logs::new),
            Map.entry("events", StreamCommands.Events::new),
            Map.entry("tokens", FleetCommands.Tokens::new),
            Map.entry("completion", FleetCommands.Completion::new),
            Map.entry("cds-training", CdsTraining::new));
  }

  /** Global options that take a value (to skip them when looking for the command's name). */
  private static final Set<String> VALUED =
      Set.of("--server", "--token", "--data-dir", "--cacert", "-o", "--output");

  /**
   * The command an argument list names (its first word that is neither a global option nor its
   * value); null when there is none. Pure.
   */
  static String commandName(String... args) {
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--")) {
        return i + 1 < args.length ? args[i + 1] : null;
      }
      if (VALUED.contains(a)) {
        i++;
      } else if (!a.startsWith("-")) {
        return a;
      }
    }
    return null;
  }

  /** Every command and subcommand takes {@code -h/--help} (and {@code -V/--version}). */
  private static void withHelp(CommandLine cl) {
    for (CommandLine sub : cl.getSubcommands().values()) {
      sub.getCommandSpec().mixinStandardHelpOptions(true);
      withHelp(sub);
    }
  }

  CommandLine commandLine(String... args) {
    CommandLine cl = new CommandLine(this);
    String name = commandName(args);
    boolean one = name != null && !name.equals("completion") && NAMES.contains(name);
    for (Map.Entry<String, Supplier<Object>> e : commands()) {
      if (!one || e.getKey().equals(name)) {
        cl.addSubcommand(e.getKey(), e.getValue().get());
      }
    }
    withHelp(cl);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    cl.setExecutionExceptionHandler((ex, cmd, parsed) -> failed(ex, cmd.getCommandName()));
    return cl;
  }

  /** Says what went wrong in command {@code command}; the exit code. */
  int failed(Exception ex, String command) {
    if (ex instanceof CliError e) {
      err.println("drover: " + e.getMessage());
      if (e.exitCode == ExitCodes.USAGE) {
        err.println("(drover " + command + " --help says more)");
      }
      return e.exitCode;
    }
    err.println("drover: unexpected error: " + ex);
    return ExitCodes.FAILED;
  }

  @Override
  public Integer call() {
    spec.commandLine().usage(out);
    return ExitCodes.OK;
  }

  Settings settings() {
    if (settings == null) {
      settings =
          Settings.resolve(
              flags != null ? flags : new Settings.Flags(server, token, dataDir, cacert, output),
              env,
              Cli::readSmallFile,
              terminal);
    }
    return settings;
  }

  Api api() {
    if (api == null) {
      api = new Api(settings());
    }
    return api;
  }

  private static Optional<String> readSmallFile(Path p) {
    try {
      if (Files.isReadable(p) && Files.size(p) < 4096) {
        return Optional.of(Files.readString(p, StandardCharsets.UTF_8));
      }
    } catch (IOException e) {
      // unreadable: as if absent
    }
    return Optional.empty();
  }

  /** The jar's version. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Cli.class.getPackage().getImplementationVersion();
      return new String[] {"drover " + (v == null ? "dev" : v)};
    }
  }
}
