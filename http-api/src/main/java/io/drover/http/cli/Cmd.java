package io.drover.http.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintStream;
import java.util.concurrent.Callable;
import java.util.function.Supplier;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** What every client command has: the root's settings, API client and output. */
abstract class Cmd implements Callable<Integer> {

  @Spec CommandSpec spec;

  /** The root when {@link FastPath} runs this command (then picocli sets no {@link #spec}). */
  Cli root;

  Cli cli() {
    return root != null ? root : (Cli) spec.root().userObject();
  }

  Api api() {
    return cli().api();
  }

  PrintStream out() {
    return cli().out;
  }

  PrintStream err() {
    return cli().err;
  }

  boolean json() {
    return cli().settings().json();
  }

  boolean colour() {
    return cli().settings().colour();
  }

  /** Prints {@code n} as JSON with {@code -o json}, else {@code text}. */
  void show(JsonNode n, Supplier<String> text) {
    if (json()) {
      out().println(n == null ? "null" : Api.pretty(n));
    } else {
      out().print(text.get());
    }
  }

  /** Prints a table, or "(none)" when it has no rows. */
  String table(Table t, String none) {
    return t.size() == 0 ? none + "\n" : t.render(colour());
  }

  static CliError usage(String message) {
    return new CliError(ExitCodes.USAGE, message);
  }
}
