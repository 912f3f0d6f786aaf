package io.drover.http.cli;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

/**
 * The read commands an operator types most ({@code sites}, {@code site NAME}, {@code status},
 * {@code hosts}, {@code singletons}) with plain global options, run without building picocli's
 * model: on a JVM without warm-up, picocli's {@code CommandLine} costs some 20 ms before it reads
 * an option, and the annotations of the root command another 20 ms, more than the request itself.
 *
 * <p>Only command lines picocli parses the same way take this path: the global options {@code
 * --server}, {@code --token}, {@code --data-dir}, {@code --cacert}, {@code -o}/{@code --output},
 * each at most once, as {@code --opt VALUE} or {@code --opt=VALUE} (and {@code -oVALUE}), before or
 * after the command, and the command's own positional argument. Anything else (help, version, a
 * repeated or unknown option, {@code --}, a value that starts with {@code -}, more arguments) goes
 * to picocli, which says what is wrong. {@code FastPathTest} holds both parsers to the same result.
 */
final class FastPath {

  private FastPath() {}

  /** A command line the fast path takes: the command, its argument (or null) and the options. */
  record Invocation(String command, String argument, Settings.Flags flags) {}

  /** The fast path's commands; {@code site} takes a NAME, the others nothing. */
  static final Set<String> COMMANDS = Set.of("sites", "site", "status", "hosts", "singletons");

  /** A new command object for one of {@link #COMMANDS}. */
  static Cmd command(String name) {
    switch (name) {
      case "sites":
        return new SiteCommands.Sites();
      case "site":
        return new SiteCommands.Site();
      case "status":
        return new FleetCommands.Status();
      case "hosts":
        return new FleetCommands.Hosts();
      case "singletons":
        return new FleetCommands.Singletons();
      default:
        throw new IllegalArgumentException(name + " is not on the fast path");
    }
  }

  /** Subcommands of {@code site}: {@code site put} is not {@code site NAME}. */
  private static final String SITE_SUBCOMMAND = "put";

  /**
   * The invocation {@code args} names, or null when picocli should parse them. Pure.
   *
   * @param args the command line, as {@code main} gets it
   */
  static Invocation parse(String... args) {
    Map<String, String> opts = new HashMap<>();
    String command = null;
    String argument = null;
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.startsWith("@")) {
        return null; // picocli reads arguments from @files
      }
      if (a.startsWith("-")) {
        String name;
        String value;
        int eq = a.indexOf('=');
        if (a.startsWith("--") && eq > 0) {
          name = a.substring(0, eq);
          value = a.substring(eq + 1);
        } else if (a.startsWith("-o") && a.length() > 2 && !a.startsWith("--")) {
          name = "-o";
          value = a.substring(a.charAt(2) == '=' ? 3 : 2);
        } else {
          if (i + 1 >= args.length || !plainValue(args[i + 1])) {
            return null;
          }
          name = a;
          value = args[++i];
        }
        String key = canonical(name);
        if (key == null || opts.containsKey(key)) {
          return null;
        }
        opts.put(key, value);
      } else if (command == null) {
        if (!COMMANDS.contains(a)) {
          return null;
        }
        command = a;
      } else if (command.equals("site") && argument == null && !a.equals(SITE_SUBCOMMAND)) {
        argument = a;
      } else {
        return null;
      }
    }
    if (command == null || (command.equals("site") && argument == null)) {
      return null;
    }
    return new Invocation(
        command,
        argument,
        new Settings.Flags(
            opts.get("--server"),
            opts.get("--token"),
            path(opts.get("--data-dir")),
            path(opts.get("--cacert")),
            opts.get("--output")));
  }

  /**
   * Whether picocli takes {@code v}, given as the word after an option, as the option's value: not
   * an option, not a command's name (picocli refuses subcommand names as option values), not an
   * {@code @file}.
   */
  private static boolean plainValue(String v) {
    if (v.startsWith("-") || v.startsWith("@")) {
      return false;
    }
    return !Cli.NAMES.contains(v);
  }

  private static String canonical(String option) {
    switch (option) {
      case "--server":
      case "--token":
      case "--data-dir":
      case "--cacert":
      case "--output":
        return option;
      case "-o":
        return "--output";
      default:
        return null;
    }
  }

  private static Path path(String p) {
    return p == null ? null : Path.of(p);
  }

  /**
   * Runs {@code args} on the fast path; its exit code, or null when it is not a fast-path command
   * line (then nothing was done).
   */
  static Integer run(Cli cli, String... args) {
    Invocation inv;
    try {
      inv = parse(args);
    } catch (RuntimeException e) {
      return null; // e.g. a path picocli would reject: let it say so
    }
    if (inv == null) {
      return null;
    }
    cli.flags = inv.flags();
    Cmd cmd = command(inv.command());
    cmd.root = cli;
    if (cmd instanceof SiteCommands.Site site) {
      site.name = inv.argument();
    }
    try {
      return cmd.call();
    } catch (Exception e) {
      return cli.failed(e, inv.command());
    }
  }
}
