package io.drover.http.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
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
        "-f polls once a second for new lines (there is no follow endpoint); see LogFollow for its"
            + " limits."
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
      Map<String, List<String>> seen = new LinkedHashMap<>();
      for (String id : instances()) {
        List<String> lines =
            LogFollow.lines(read(id, follow ? Math.max(tail, LogFollow.WINDOW) : tail));
        seen.put(id, lines);
        print(id, lines.subList(Math.max(0, lines.size() - tail), lines.size()), prefix);
      }
      while (follow) {
        TimeUnit.SECONDS.sleep(1);
        for (String id : instances()) {
          List<String> window;
          try {
            window = LogFollow.lines(read(id, LogFollow.WINDOW));
          } catch (CliError e) {
            if (e.exitCode == ExitCodes.FAILED) {
              continue; // the instance went away between listing and reading
            }
            throw e;
          }
          LogFollow.Update u =
              LogFollow.next(seen.getOrDefault(id, List.of()), window, LogFollow.WINDOW);
          if (u.gap()) {
            err()
                .println(
                    "drover: ["
                        + id
                        + "] more than "
                        + LogFollow.WINDOW
                        + " lines in a second: some were skipped");
          }
          print(id, u.lines(), prefix);
          seen.put(id, window);
        }
      }
      return ExitCodes.OK;
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
        "Deploy steps as they happen, one line each (GET /api/v1/events), until the stream ends.",
        "-f: keep following across disconnects (resuming with Last-Event-ID) until Ctrl-C."
      })
  static final class Events extends Cmd {
    @Option(
        names = {"-f", "--follow"},
        description = "Reconnect when the stream ends.")
    boolean follow;

    /** Reconnects give up when the server stays unreachable this long. */
    static final long GIVE_UP_MS = 30_000;

    @Override
    public Integer call() throws InterruptedException {
      String last = null;
      long failingSince = 0;
      while (true) {
        try {
          last = stream(last);
          failingSince = 0;
        } catch (CliError e) {
          if (!follow || e.exitCode != ExitCodes.UNREACHABLE) {
            throw e;
          }
          long now = System.currentTimeMillis();
          failingSince = failingSince == 0 ? now : failingSince;
          if (now - failingSince > GIVE_UP_MS) {
            throw e;
          }
        }
        if (!follow) {
          return ExitCodes.OK;
        }
        TimeUnit.SECONDS.sleep(1);
      }
    }

    /** Reads one connection's events; the last event id seen. */
    private String stream(String lastId) {
      String last = lastId;
      try (Stream<String> lines = api().lines("/events", lastId)) {
        Iterator<String> it = lines.iterator();
        StringBuilder data = new StringBuilder();
        String id = null;
        while (it.hasNext()) {
          String line = it.next();
          if (line.isEmpty()) {
            if (data.length() > 0) {
              out().println(json() ? data.toString() : line(data.toString()));
              out().flush();
            }
            if (id != null) {
              last = id;
            }
            data.setLength(0);
            id = null;
          } else if (line.startsWith("data:")) {
            data.append(line.substring(5).trim());
          } else if (line.startsWith("id:")) {
            id = line.substring(3).trim();
          }
        }
      } catch (java.io.UncheckedIOException e) {
        throw new CliError(ExitCodes.UNREACHABLE, "the event stream broke: " + e.getMessage());
      }
      return last;
    }

    private static String line(String data) {
      try {
        JsonNode n = Api.MAPPER.readTree(data);
        return Views.step(n);
      } catch (JsonProcessingException e) {
        return data;
      }
    }
  }
}
