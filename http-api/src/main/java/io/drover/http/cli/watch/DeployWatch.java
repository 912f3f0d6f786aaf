package io.drover.http.cli.watch;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.MissingNode;
import io.drover.http.cli.Api;
import io.drover.http.cli.CliError;
import io.drover.http.cli.ExitCodes;
import io.drover.http.cli.JsonTree;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/**
 * {@code drover deploy ... --watch}, {@code drover deploy show ID --watch} and {@code drover events
 * -f}: follows deploys through the node's event streams, like {@code kubectl rollout status}.
 *
 * <p>A watch first asks {@code GET /api/v1/deploys/{id}} (the deploy's ordered hosts and knobs),
 * then follows {@code GET /api/v1/deploys/{id}/events} from its first step (the node replays the
 * steps so far, then the live ones) until {@code deploy-ended}, resuming with {@code Last-Event-ID}
 * when the connection drops. On a terminal it redraws one progress line and prints failures and
 * state changes above it; otherwise one line per step. Exit codes: 0 succeeded, 1 failed, aborted
 * or reverted (or the node refused the request, e.g. 404 unknown deploy), 3 the node cannot be
 * reached (or answers 5xx) even after the reconnections, 4 not authorised. Its requests go through
 * the CLI's one client, {@link Api}, which also words their failures.
 */
public final class DeployWatch {

  private DeployWatch() {}

  /**
   * Follows deploy {@code deployId} until it ends; returns the exit code: 0 succeeded, 1
   * failed/aborted/reverted, 3 server unreachable, 4 not authorised (401/403). Errors go to stderr.
   */
  public static int watch(Api api, String deployId, PrintStream out, boolean terminal) {
    return watch(api, deployId, out, System.err, terminal, WatchSettings.defaults());
  }

  /** {@link #watch(Api, String, PrintStream, boolean)} with its errors and settings. */
  public static int watch(
      Api api,
      String deployId,
      PrintStream out,
      PrintStream err,
      boolean terminal,
      WatchSettings settings) {
    String path = "/deploys/" + encode(deployId);
    JsonNode deploy;
    try {
      deploy = get(api, path);
    } catch (CliError f) {
      err.println("drover: " + f.getMessage());
      return EventStream.exitCode(f);
    }
    Following f = new Following(api, path, DeployProgress.of(deploy), out, err, terminal, settings);
    f.onIdle();
    try {
      return new EventStream(api, settings, err)
          .follow(path + "/events", "events of deploy " + deployId, f);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      f.beforeError();
      return ExitCodes.FAILED;
    }
  }

  /** {@code GET path}; an empty answer is an empty tree. */
  private static JsonNode get(Api api, String path) {
    JsonNode n = api.get(path);
    return n == null ? MissingNode.getInstance() : n;
  }

  /**
   * {@code drover events -f}: follows {@code GET /api/v1/events} (every deploy's steps), one line
   * per step, until interrupted (then 0); the same exit codes for errors.
   */
  public static int followAll(Api api, PrintStream out) {
    return followAll(api, out, System.err, WatchSettings.defaults());
  }

  /** {@link #followAll(Api, PrintStream)} with its errors and settings. */
  public static int followAll(Api api, PrintStream out, PrintStream err, WatchSettings settings) {
    EventStream.Handler printer =
        new EventStream.Handler() {
          @Override
          public int onEvent(SseReader.Event event) {
            DeployStep step = parse(event);
            if (step != null) {
              out.println(ProgressRender.global(step, settings.zone()));
              out.flush();
            }
            return -1;
          }

          @Override
          public void onIdle() {}

          @Override
          public void onNotice(String line) {
            err.println("drover: " + line);
          }

          @Override
          public void beforeError() {}

          @Override
          public void onOpen(boolean resumed) {
            if (!resumed) {
              err.println(
                  "drover: following the steps of every deploy on "
                      + api.server()
                      + " from now on (earlier ones: drover deploys)");
              err.flush();
            }
          }
        };
    try {
      return new EventStream(api, settings, err)
          .follow("/events", "event stream of every deploy", printer);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return 0;
    }
  }

  /** One watched deploy: its progress and what it prints. */
  private static final class Following implements EventStream.Handler {
    private final Api api;
    private final String path;
    private final DeployProgress progress;
    private final PrintStream out;
    private final PrintStream err;
    private final boolean terminal;
    private final WatchSettings settings;
    private boolean drawn;

    Following(
        Api api,
        String path,
        DeployProgress progress,
        PrintStream out,
        PrintStream err,
        boolean terminal,
        WatchSettings settings) {
      this.api = api;
      this.path = path;
      this.progress = progress;
      this.out = out;
      this.err = err;
      this.terminal = terminal;
      this.settings = settings;
    }

    @Override
    public int onEvent(SseReader.Event event) {
      DeployStep step = parse(event);
      if (step == null || (step.deploy() != null && !step.deploy().equals(progress.id()))) {
        return -1;
      }
      if (progress.gapBefore(step)) {
        // the node kept only the newest steps: what was dropped comes from the deploy itself
        progress.snapshot(get(api, path));
      }
      boolean applied = progress.apply(step);
      if (applied && "deploy-started".equals(step.type()) && progress.hostsUnknown()) {
        progress.learnHosts(get(api, path));
      }
      if (applied) {
        if (terminal) {
          for (String note : ProgressRender.notes(step, progress, settings.zone())) {
            line(note);
          }
        } else {
          out.println(ProgressRender.plain(step, progress, settings.zone()));
        }
      }
      if (progress.ended()) {
        line(ProgressRender.outcome(progress));
        out.flush();
        return progress.succeeded() ? 0 : ExitCodes.FAILED;
      }
      out.flush();
      return -1;
    }

    /** A printed line; on a terminal it replaces the live line, which is drawn again later. */
    private void line(String text) {
      if (terminal && drawn) {
        out.print(ProgressRender.CLEAR_LINE);
        drawn = false;
      }
      out.println(text);
    }

    @Override
    public void onIdle() {
      if (terminal && !progress.ended()) {
        long now = settings.clock().getAsLong();
        out.print(ProgressRender.redraw(ProgressRender.liveLine(progress, now, settings.width())));
        out.flush();
        drawn = true;
      }
    }

    @Override
    public void onNotice(String line) {
      beforeError();
      err.println("drover: " + line);
      err.flush();
    }

    @Override
    public void beforeError() {
      if (terminal && drawn) {
        out.print(ProgressRender.CLEAR_LINE);
        out.flush();
        drawn = false;
      }
    }
  }

  /**
   * The step in an event; null when its data is not one (not a JSON object, no {@code type}, a
   * field of the wrong kind). Fields it does not know are ignored (a newer node).
   */
  static DeployStep parse(SseReader.Event event) {
    JsonNode n;
    try {
      n = JsonTree.read(event.data());
    } catch (JsonProcessingException e) {
      return null;
    }
    if (!n.isObject()) {
      return null;
    }
    for (String field : STEP_FIELDS) {
      if (n.path(field).isContainerNode()) {
        return null;
      }
    }
    String type = text(n.path("type"));
    if (type == null) {
      return null;
    }
    return new DeployStep(
        text(n.path("deploy")),
        n.path("seq").asLong(0),
        n.path("at").asLong(0),
        type,
        text(n.path("host")),
        text(n.path("site")),
        text(n.path("state")),
        text(n.path("reason")));
  }

  private static final String[] STEP_FIELDS = {
    "deploy", "seq", "at", "type", "host", "site", "state", "reason"
  };

  /** A value's text; null for a missing or null value. */
  private static String text(JsonNode v) {
    return v.isValueNode() && !v.isNull() ? v.asText() : null;
  }

  /** A path segment: every byte outside the unreserved characters percent-encoded. */
  static String encode(String segment) {
    StringBuilder b = new StringBuilder();
    for (byte c : segment.getBytes(StandardCharsets.UTF_8)) {
      int u = c & 0xff;
      if ((u >= 'a' && u <= 'z')
          || (u >= 'A' && u <= 'Z')
          || (u >= '0' && u <= '9')
          || u == '-'
          || u == '.'
          || u == '_'
          || u == '~') {
        b.append((char) u);
      } else {
        b.append('%').append(String.format("%02X", u));
      }
    }
    return b.toString();
  }
}
