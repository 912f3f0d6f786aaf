package io.drover.http.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import picocli.AutoComplete;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** The fleet: status, hosts, cordon/uncordon/drain, singletons, tokens, completion. */
final class FleetCommands {

  private FleetCommands() {}

  @Command(
      name = "status",
      description =
          "Members, hosts and sites at a glance; whatever needs a look first, with the reason.")
  static final class Status extends Cmd {
    @Override
    public Integer call() {
      Api api = api();
      CompletableFuture<JsonNode> members =
          CompletableFuture.supplyAsync(() -> api.get("/cluster/members"));
      CompletableFuture<JsonNode> hosts = CompletableFuture.supplyAsync(() -> api.get("/hosts"));
      CompletableFuture<JsonNode> sites = CompletableFuture.supplyAsync(() -> api.get("/sites"));
      JsonNode m;
      JsonNode h;
      JsonNode s;
      try {
        m = members.join();
        h = hosts.join();
        s = sites.join();
      } catch (CompletionException e) {
        if (e.getCause() instanceof CliError ce) {
          throw ce;
        }
        throw e;
      }
      ObjectNode all = JsonTree.object();
      all.set("members", m);
      all.set("hosts", h);
      all.set("sites", s);
      show(
          all,
          () ->
              Views.summary(m, h, s)
                  + "\n\nMembers\n"
                  + table(Views.members(m), "none")
                  + "\nHosts\n"
                  + table(Views.hosts(h), "none")
                  + "\nSites\n"
                  + table(Views.sites(s), "none"));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "hosts",
      description =
          "List the hosts: pool, state (unreachable, draining, cordoned first), instances.")
  static final class Hosts extends Cmd {
    @Override
    public Integer call() {
      JsonNode h = api().get("/hosts");
      show(h, () -> table(Views.hosts(h), "no hosts"));
      return ExitCodes.OK;
    }
  }

  /** cordon, uncordon, drain: POST /hosts/{name}/{action}. */
  abstract static class HostAction extends Cmd {
    @Parameters(paramLabel = "HOST", description = "The host's name (drover hosts lists them).")
    String host;

    abstract String action();

    @Override
    public Integer call() {
      JsonNode h = api().call("POST", "/hosts/" + Api.enc(host) + "/" + action(), null);
      show(h, () -> "host " + host + ": " + (h == null ? action() : Views.hostState(h)) + "\n");
      return ExitCodes.OK;
    }
  }

  @Command(name = "cordon", description = "No new instances on a host; the ones it runs stay.")
  static final class Cordon extends HostAction {
    @Override
    String action() {
      return "cordon";
    }
  }

  @Command(name = "uncordon", description = "End a host's cordon or drain.")
  static final class Uncordon extends HostAction {
    @Override
    String action() {
      return "uncordon";
    }
  }

  @Command(
      name = "drain",
      description =
          "Cordon a host and move its instances to other hosts of its pool (each replacement ready first).")
  static final class Drain extends HostAction {
    @Override
    String action() {
      return "drain";
    }
  }

  @Command(name = "singletons", description = "Where each cluster singleton runs, and since when.")
  static final class Singletons extends Cmd {
    @Override
    public Integer call() {
      JsonNode r = api().get("/singletons");
      show(r, () -> table(Views.singletons(r.path("singletons")), "none"));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "tokens",
      description = "API tokens (admin): create, list, revoke.",
      subcommands = {TokenCreate.class, TokenList.class, TokenRevoke.class})
  static final class Tokens extends Cmd {
    @Override
    public Integer call() {
      return new TokenList().list(this);
    }
  }

  @Command(name = "create", description = "Create a token; prints its secret (shown once).")
  static final class TokenCreate extends Cmd {
    @Parameters(paramLabel = "NAME")
    String name;

    @Option(
        names = "--role",
        required = true,
        paramLabel = "ROLE",
        description = "viewer, deployer or admin.")
    String role;

    @Option(
        names = "--ttl",
        paramLabel = "DURATION",
        description = "How long it is valid (1m to 366d; default 90d).")
    String ttl;

    @Override
    public Integer call() {
      ObjectNode body = JsonTree.object().put("name", name).put("role", role);
      if (ttl != null) {
        body.put("ttl", ttl);
      }
      JsonNode t = api().call("POST", "/tokens", body);
      if (json()) {
        out().println(Api.pretty(t));
      } else {
        err()
            .println(
                "token "
                    + name
                    + " ("
                    + role
                    + "), expires "
                    + t.path("expires").asText()
                    + "; its secret is shown once:");
        out().println(t.path("token").asText());
      }
      return ExitCodes.OK;
    }
  }

  @Command(name = "list", description = "List tokens (never their secrets).")
  static final class TokenList extends Cmd {
    @Override
    public Integer call() {
      return list(this);
    }

    int list(Cmd c) {
      JsonNode t = c.api().get("/tokens");
      c.show(t, () -> c.table(Views.tokens(t), "no tokens"));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "revoke",
      description = "Revoke a token: it stops working on every node within seconds.")
  static final class TokenRevoke extends Cmd {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      api().check(api().send("DELETE", "/tokens/" + Api.enc(name), null));
      if (!json()) {
        out().println("token " + name + " revoked");
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "completion",
      description =
          "Print a bash completion script: ./drover completion > /etc/bash_completion.d/drover")
  static final class Completion extends Cmd {
    @Override
    public Integer call() {
      out().print(AutoComplete.bash("drover", spec.root().commandLine()));
      return ExitCodes.OK;
    }
  }
}
