package io.drover.http.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.actors.revision.TarGz;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * Sites and revisions: {@code sites}, {@code site}, {@code site put}, {@code scale}, {@code
 * delete}, {@code upload}.
 */
final class SiteCommands {

  private SiteCommands() {}

  @Command(
      name = "sites",
      description = "List the sites: ready/desired, hosts, revision, problems (degraded first).")
  static final class Sites extends Cmd {
    @Override
    public Integer call() {
      JsonNode sites = api().get("/sites");
      show(
          sites,
          () -> table(Views.sites(sites), "no sites (create one: drover site put NAME ...)"));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "site",
      description =
          "Show a site: its spec, status and instances. `drover site put` creates or changes one.",
      subcommands = {SitePut.class})
  static final class Site extends Cmd {
    @Parameters(arity = "0..1", paramLabel = "NAME", description = "The site.")
    String name;

    @Override
    public Integer call() {
      if (name == null) {
        throw Cmd.usage("name a site: drover site NAME (drover sites lists them)");
      }
      JsonNode site = api().get("/sites/" + Api.enc(name));
      show(
          site,
          () ->
              Views.site(site)
                  + "\n"
                  + table(Views.instances(site.path("instances")), "no instances"));
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "put",
      description = {
        "Create or change a site, from a spec file (-f) and/or flags. Flags change only what they"
            + " name: over the -f file if given, else over the site's current spec.",
        "--command is repeatable, one argument each; given once, its value is split on spaces."
      })
  static final class SitePut extends Cmd {
    @Parameters(paramLabel = "NAME", description = "The site.")
    String name;

    @Option(
        names = {"-f", "--file"},
        paramLabel = "SPEC.json",
        description = "The spec, as PUT /api/v1/sites/NAME takes it.")
    Path file;

    @Option(
        names = "--revision",
        paramLabel = "ID",
        description = "An uploaded revision (drover upload DIR).")
    String revision;

    @Option(
        names = "--command",
        paramLabel = "ARG",
        description =
            "The command: --command \"java -Xmx32m Hello.java\", or one --command per argument.")
    List<String> command;

    @Option(names = "--instances", paramLabel = "N", description = "How many instances.")
    Integer instances;

    @Option(
        names = "--env",
        paramLabel = "KEY=VALUE",
        description = "An environment variable (repeatable).")
    List<String> env;

    @Option(names = "--pool", paramLabel = "POOL", description = "The pool of hosts to run on.")
    String pool;

    @Option(names = "--reason", paramLabel = "TEXT", description = "Why (kept in the audit trail).")
    String reason;

    @Override
    public Integer call() {
      JsonNode base = null;
      if (file != null) {
        base = readJson(file);
      } else {
        Api.Reply r = api().send("GET", "/sites/" + Api.enc(name), null);
        if (r.status() == 200) {
          base = parse(r.body()).path("spec");
        } else if (r.status() != 404) {
          api().check(r);
        }
      }
      ObjectNode spec =
          SpecFlags.apply(base, new SpecFlags.Flags(revision, command, instances, env, pool));
      String path =
          "/sites/" + Api.enc(name) + (reason == null ? "" : "?reason=" + Api.enc(reason));
      Api.Reply r = api().check(api().send("PUT", path, spec));
      JsonNode site = parse(r.body());
      show(site, () -> "site " + name + (r.status() == 201 ? " created" : " changed") + "\n");
      return ExitCodes.OK;
    }
  }

  @Command(name = "scale", description = "Set a site's number of instances.")
  static final class Scale extends Cmd {
    @Parameters(index = "0", paramLabel = "NAME")
    String name;

    @Parameters(index = "1", paramLabel = "N")
    int instances;

    @Override
    public Integer call() {
      ObjectNode body = JsonTree.object().put("instances", instances);
      JsonNode site = api().call("POST", "/sites/" + Api.enc(name) + "/scale", body);
      show(site, () -> "site " + name + " scaled to " + instances + "\n");
      return ExitCodes.OK;
    }
  }

  @Command(name = "delete", description = "Stop a site's instances and forget it.")
  static final class Delete extends Cmd {
    @Parameters(paramLabel = "NAME")
    String name;

    @Override
    public Integer call() {
      api().check(api().send("DELETE", "/sites/" + Api.enc(name), null));
      if (!json()) {
        out().println("site " + name + " deleted");
      }
      return ExitCodes.OK;
    }
  }

  @Command(
      name = "upload",
      description =
          "Upload an app as a revision: a directory (packed reproducibly: the same files give the"
              + " same id) or a .tar.gz. Prints the revision id.")
  static final class Upload extends Cmd {
    @Parameters(paramLabel = "DIR|FILE.tar.gz")
    Path path;

    @Override
    public Integer call() {
      JsonNode rev = upload(this, path);
      if (json()) {
        out().println(Api.pretty(rev));
      } else {
        out().println(rev.path("id").asText());
      }
      return ExitCodes.OK;
    }
  }

  /** Packs (a directory) and uploads {@code path}; the revision as the server describes it. */
  static JsonNode upload(Cmd c, Path path) {
    if (!Files.exists(path)) {
      throw Cmd.usage(path + " does not exist: give an app's directory or a .tar.gz");
    }
    Path archive = path;
    Path tmp = null;
    try {
      if (Files.isDirectory(path)) {
        tmp = Files.createTempFile("drover-upload-", ".tar.gz");
        TarGz.pack(path, tmp);
        archive = tmp;
      } else if (!(path.toString().endsWith(".tar.gz") || path.toString().endsWith(".tgz"))) {
        throw Cmd.usage(path + " is neither a directory nor a .tar.gz");
      }
      Api.Reply r = c.api().check(c.api().upload(archive));
      JsonNode rev = parse(r.body());
      c.err()
          .println(
              (r.status() == 201 ? "uploaded" : "already known:")
                  + " revision of "
                  + rev.path("files").asText("?")
                  + " files, "
                  + rev.path("size").asText("?")
                  + " bytes");
      return rev;
    } catch (IOException e) {
      throw Cmd.usage("cannot pack " + path + ": " + e.getMessage());
    } finally {
      if (tmp != null) {
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException e) {
          // a temp file left behind is harmless
        }
      }
    }
  }

  static JsonNode readJson(Path file) {
    try {
      return JsonTree.read(Files.readString(file));
    } catch (JsonProcessingException e) {
      throw Cmd.usage(file + " is not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      throw Cmd.usage("cannot read " + file + ": " + e.getMessage());
    }
  }

  static JsonNode parse(String body) {
    try {
      return body == null || body.isBlank() ? JsonTree.object() : JsonTree.read(body);
    } catch (JsonProcessingException e) {
      throw new CliError(ExitCodes.FAILED, "the server's answer is not JSON: " + body);
    }
  }
}
