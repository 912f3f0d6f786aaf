package io.drover.http.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** Output that goes on: instance logs and deploy events. */
final class StreamCommands {

  private StreamCommands() {}

  @Command(
      name = "logs",
      description = {
        "An instance's output (stdout and stderr); without INSTANCE, every instance of the site,"
            + " each line prefixed with [instance].",
        "-f reads on once a second from where the last read ended (logs?since=): no line twice,"
            + " none missed but those a log rotation dropped first (said on stderr); instances"
            + " that appear later (a deploy replaces them) are followed from their start."
      })
  static final class Logs extends Cmd {
    @Parameters(index = "0", paramLabel = "SITE")
    String site;

    @Parameters(index = "1", arity = "0..1", paramLabel = "INSTANCE")
    String instance;

    @Option(
        names = {"-n", "--tail"},
        paramLabel = "N",
        defaultValue = "100",
        description = "The last N lines (1-10000; default ${DEFAULT-VALUE}).")
    int tail;

    @Option(
        names = {"-f", "--follow"},
        description = "Keep printing new lines until Ctrl-C.")
    boolean follow;

    @Override
    public Integer call() throws InterruptedException {
      if (tail < 1 || tail > 10000) {
        throw usage("--tail must be between 1 and 10000 (got " + tail + ")");
      }
      boolean prefix = instance == null;
      if (!follow) {
        for (String id : instances()) {
          print(id, LogFollow.lines(read(id, tail)), prefix);
        }
        return ExitCodes.OK;
      }
      LogFollow.Cursors cursors = new LogFollow.Cursors();
      for (String id : instances()) {
        // the last lines and, in the same answer, the cursor just after them
        LogFollow.Chunk c = readFrom(id, "end");
        print(id, c.lines(), prefix);
        cursors.advance(id, c);
      }
      while (true) {
        TimeUnit.SECONDS.sleep(1);
        for (String id : instances()) {
          try {
            for (int page = 0; page < LogFollow.MAX_PAGES; page++) {
              LogFollow.Chunk c = readFrom(id, cursors.of(id));
              if (c.skipped()) {
                err().println(LogFollow.skipped(id));
              }
              print(id, c.lines(), prefix);
              cursors.advance(id, c);
              if (!c.more()) {
                break;
              }
            }
          } catch (CliError e) {
            if (e.exitCode != ExitCodes.FAILED) {
              throw e;
            }
            // the instance went away between listing and reading
          }
        }
      }
    }

    private List<String> instances() {
      if (instance != null) {
        return List.of(instance);
      }
      List<String> ids = new ArrayList<>();
      api()
          .get("/sites/" + Api.enc(site) + "/instances")
          .forEach(i -> ids.add(i.path("id").asText()));
      ids.sort(null);
      return ids;
    }

    private String read(String id, int n) {
      return api()
          .text("/sites/" + Api.enc(site) + "/instances/" + Api.enc(id) + "/logs?tail=" + n);
    }

    private LogFollow.Chunk readFrom(String id, String cursor) {
      return LogFollow.Chunk.of(
          api()
              .get(
                  "/sites/"
                      + Api.enc(site)
                      + "/instances/"
                      + Api.enc(id)
                      + "/logs?tail="
                      + tail
                      + "&since="
                      + Api.enc(cursor)));
    }

    private void print(String id, List<String> lines, boolean prefix) {
      for (String l : lines) {
        out().println(prefix ? "[" + id + "] " + l : l);
      }
      out().flush();
    }
  }

  @Command(
      name = "events",
      description = {
        "Every deploy's steps from now on, one line each (GET /api/v1/events), until Ctrl-C;"
            + " a dropped connection resumes with Last-Event-ID. A node keeps no history across"
            + " deploys: drover deploys and drover deploy show ID for earlier ones.",
        "-f is accepted for symmetry with logs -f: events always follows."
      })
  static final class Events extends Cmd {
    @Option(
        names = {"-f", "--follow"},
        description = "Follow (the default).")
    boolean follow;

    @Override
    public Integer call() {
      return io.drover.http.cli.watch.DeployWatch.followAll(api(), out());
    }
  }
}
