package io.drover.http.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.http.cli.watch.DeployWatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Deploys: start, list, show, watch, abort, pause, resume, revert. */
final class DeployCommands {

  private DeployCommands() {}

  /** Follows a deploy to its end (the live view); its exit code. */
  static int watch(Cmd c, String id) {
    return DeployWatch.watch(c.api(), id, c.out(), c.cli().terminal);
  }

  /** What to deploy: an uploaded revision, or a directory to upload first. */
  static final class What {
    @Option(
        names = "--revision",
        paramLabel = "ID",
        required = true,
        description = "An uploaded revision.")
    String revision;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        required = true,
        description = "Upload this directory first, then deploy it.")
    Path dir;
  }

  @Command(
      name = "deploy",
      description = {
        "Roll a revision out over the hosts of sites (POST /api/v1/deploys); `deploy show ID` shows one.",
        "With --watch: follow it to its end; exit 0 succeeded, 1 failed, aborted or reverted."
      },
      subcommands = {DeployShow.class})
  static final class Deploy extends Cmd {
    @Parameters(arity = "0..*", paramLabel = "SITE", description = "The sites to deploy.")
    List<String> sites = new ArrayList<>();

    @ArgGroup(exclusive = true, multiplicity = "0..1")
    What what;

    @Option(names = "--parallel", paramLabel = "N", description = "Hosts at once (default 10).")
    Integer parallel;

    @Option(
        names = "--canary",
        negatable = true,
        description =
            "One canary host per pool goes first and bakes (--bake) before the rest (the default);"
                + " --no-canary: none.")
    Boolean canary;

    @Option(
        names = "--bake",
        paramLabel = "DURATION",
        description = "How long canaries stay healthy before the rest go (default 10s).")
    String bake;

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        description = "Why (shown with the deploy and in the audit trail).")
    String reason;

    @Option(
        names = "--id",
        paramLabel = "ID",
        description = "The deploy's id (idempotent: the same id answers the same deploy).")
    String id;

    @Option(
        names = "--force",
        description = "Abort the running deploys of these sites instead of queueing behind them.")
    boolean force;

    @Option(
        names = {"-w", "--watch"},
        description = "Follow the deploy to its end; the exit code says how it ended.")
    boolean watch;

    @Override
    public Integer call() {
      if (sites.isEmpty()) {
        throw usage("name the sites to deploy: drover deploy SITE... --revision ID (or --dir DIR)");
      }
      if (what == null) {
        throw usage("say what to deploy: --revision ID, or --dir DIR to upload a directory first");
      }
      String revision =
          what.revision != null
              ? what.revision
              : SiteCommands.upload(this, what.dir).path("id").asText();
      ObjectNode body = body(sites, revision, parallel, canary, bake, reason, id, force);
      JsonNode d = api().call("POST", "/deploys", body);
      String deployId = d.path("id").asText();
      show(
          d,
          () ->
              "deploy "
                  + deployId
                  + " "
                  + d.path("state").asText()
                  + ": "
                  + String.join(",", sites)
                  + " to "
                  + Views.rev(revision)
                  + "\n");
      return watch ? watch(this, deployId) : ExitCodes.OK;
    }
  }

  /** The body of POST /deploys from the flags (absent flags take the server's defaults). Pure. */
  static ObjectNode body(
      List<String> sites,
      String revision,
      Integer parallel,
      Boolean canary,
      String bake,
      String reason,
      String id,
      boolean force) {
    ObjectNode b = JsonTree.object();
    ArrayNode s = b.putArray("sites");
    sites.forEach(s::add);
    b.put("revision", revision);
    if (parallel != null) {
      b.put("parallel", parallel);
    }
    if (canary != null || bake != null) {
      ObjectNode c = b.putObject("canary");
      if (canary != null) {
        c.put("perPool", canary ? 1 : 0);
      }
      if (bake != null) {
        c.put("bake", bake);
      }
    }
    if (reason != null) {
      b.put("reason", reason);
    }
    if (id != null) {
      b.put("id", id);
    }
    if (force) {
      b.put("force", true);
    }
    return b;
  }

  @Command(name = "show", description = "Show a deploy: state, counters, hosts in deploy order.")
  static final class DeployShow extends Cmd {
    @Parameters(paramLabel = "ID")
    String id;

    @Option(
        names = {"-w", "--watch"},
        description = "Follow it to its end; the exit code says how it ended.")
    boolean watch;

    @Override
    public Integer call() {
      JsonNode d = api().get("/deploys/" + Api.enc(id));
      if (watch && !json()) {
        return watch(this, id);
      }
      show(d, () -> Views.deploy(d, colour()));
      return watch ? watch(this, id) : ExitCodes.OK;
    }
  }

  @Command(name = "deploys", description = "List deploys, newest first.")
  static final class Deploys extends Cmd {
    @Option(names = "--site", paramLabel = "SITE", description = "Only this site's.")
    String site;

    @Option(
        names = "--state",
        paramLabel = "STATE",
        description =
            "Only in this state (queued, running, paused, succeeded, failed, aborted, reverted).")
    String state;

    @Option(
        names = "--limit",
        paramLabel = "N",
        defaultValue = "20",
        description = "At most N (default ${DEFAULT-VALUE}).")
    int limit;

    @Override
    public Integer call() {
      StringBuilder q = new StringBuilder("/deploys?limit=").append(limit);
      if (site != null) {
        q.append("&site=").append(Api.enc(site));
      }
      if (state != null) {
        q.append("&state=").append(Api.enc(state));
      }
      JsonNode r = api().get(q.toString());
      show(r, () -> table(Views.deploys(r.path("deploys")), "no deploys"));
      return ExitCodes.OK;
    }
  }

  /** abort, pause, resume, revert: POST /deploys/{id}/{action} with an optional reason. */
  abstract static class Action extends Cmd {
    @Parameters(paramLabel = "ID", description = "The deploy.")
    String id;

    @Option(
        names = "--reason",
        paramLabel = "TEXT",
        description = "Why (kept with the deploy and in the audit trail).")
    String reason;

    abstract String action();

    @Override
    public Integer call() {
      ObjectNode body = reason == null ? null : JsonTree.object().put("reason", reason);
      JsonNode d = api().call("POST", "/deploys/" + Api.enc(id) + "/" + action(), body);
      show(
          d,
          () ->
              action().equals("revert")
                  ? "revert deploy " + d.path("id").asText() + " " + d.path("state").asText() + "\n"
                  : "deploy " + id + ": " + d.path("state").asText() + "\n");
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "abort",
      description =
          "Stop a deploy; its sites go back to their previous revision (not on hosts already done).")
  static final class Abort extends Action {
    @Override
    String action() {
      return "abort";
    }
  }

  @Command(name = "pause", description = "No new host of the deploy starts until resume.")
  static final class Pause extends Action {
    @Override
    String action() {
      return "pause";
    }
  }

  @Command(name = "resume", description = "Resume a paused deploy.")
  static final class Resume extends Action {
    @Override
    String action() {
      return "resume";
    }
  }

  @Command(
      name = "revert",
      description = "Deploy each site's previous revision with the same seed (<id>-revert).")
  static final class Revert extends Action {
    @Override
    String action() {
      return "revert";
    }
  }
}
