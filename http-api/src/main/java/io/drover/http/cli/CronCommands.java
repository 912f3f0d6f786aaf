package io.drover.http.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Cronjobs: put, list, show, runs, trigger, delete. */
final class CronCommands {

  private CronCommands() {}

  @Command(
      name = "cron",
      description =
          "Cronjobs: once per tick on one host of the cluster. Without a subcommand: list.",
      subcommands = {Put.class, List.class, Show.class, Runs.class, Trigger.class, Delete.class})
  static final class Cron extends Cmd {
    @Override
    public Integer call() {
      return List.list(this);
    }
  }

  @Command(
      name = "put",
      description =
          "Create or change a cronjob from a spec file (as PUT /api/v1/cronjobs/NAME takes it).")
  static final class Put extends Cmd {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(
        names = {"-f", "--file"},
        required = true,
        paramLabel = "SPEC.json")
    Path file;

    @Override
    public Integer call() {
      JsonNode spec = SiteCommands.readJson(file);
      Api.Reply r = api().check(api().send("PUT", "/cronjobs/" + Api.enc(name), spec));
      show(
          SiteCommands.parse(r.body()),
          () -> "cronjob " + name + (r.status() == 201 ? " created" : " changed") + "\n");
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List cronjobs with their next tick and last run.")
  static final class List extends Cmd {
    @Override
    public Integer call() {
      return list(this);
    }

    static int list(Cmd c) {
      JsonNode r = c.api().get("/cronjobs");
      c.show(r, () -> c.table(Views.cronjobs(r.path("cronjobs")), "no cronjobs"));
      return ExitCodes.OK;
    }
  }

  @Command(name = "show", description = "A cronjob: spec, next ticks, runs.")
  static final class Show extends Cmd {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      JsonNode j = api().get("/cronjobs/" + Api.enc(name));
      show(
          j,
          () -> {
            StringBuilder b = new StringBuilder();
            JsonNode spec = j.path("spec");
            b.append("name:      ").append(name).append('\n');
            b.append("schedule:  ")
                .append(Views.s(spec, "schedule"))
                .append(" (")
                .append(spec.path("timezone").asText("UTC"))
                .append(")\n");
            b.append("revision:  ").append(Views.s(spec, "revision")).append('\n');
            b.append("command:   ").append(Views.joined(spec.path("command"), " ")).append('\n');
            b.append("next:      ").append(Views.joined(j.path("next"), ", ")).append('\n');
            for (JsonNode w : j.path("warnings")) {
              b.append("warning:   ")
                  .append(w.isTextual() ? w.asText() : w.toString())
                  .append('\n');
            }
            b.append('\n').append(table(Views.runs(j.path("runs")), "no runs yet"));
            return b.toString();
          });
      return ExitCodes.OK;
    }
  }

  @Command(name = "runs", description = "A cronjob's runs, newest first.")
  static final class Runs extends Cmd {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "20",
        description = "At most N (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      JsonNode r = api().get("/cronjobs/" + Api.enc(name) + "/runs?limit=" + limit);
      show(r, () -> table(Views.runs(r.path("runs")), "no runs yet"));
      return ExitCodes.OK;
    }
  }

  @Command(name = "trigger", description = "Run a cronjob now (recorded as manual).")
  static final class Trigger extends Cmd {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      JsonNode run = api().call("POST", "/cronjobs/" + Api.enc(name) + "/trigger", null);
      show(
          run,
          () ->
              "run "
                  + Views.s(run, "run")
                  + " "
                  + Views.s(run, "state")
                  + (run.hasNonNull("host") ? " on " + Views.s(run, "host") : "")
                  + "\n");
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "delete",
      description = "Forget a cronjob and its history (runs still running finish).")
  static final class Delete extends Cmd {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      api().check(api().send("DELETE", "/cronjobs/" + Api.enc(name), null));
      if (!json()) {
        out().println("cronjob " + name + " deleted");
      }
      return ExitCodes.OK;
    }
  }
}
