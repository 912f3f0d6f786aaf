package io.drover.http.cli.watch;

import io.drover.http.cli.Api;
import io.drover.http.cli.CliError;
import io.drover.http.cli.ExitCodes;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows one event stream through dropped connections: reads it on a daemon thread, hands each
 * event to a {@link Handler} on the caller's thread, and when the stream drops (an error, the node
 * closing it early, or {@code idleTimeout} of silence) reconnects with {@code Last-Event-ID}, after
 * a backoff, at most {@code maxAttempts} times in a row without an event in between and for at most
 * {@code totalBound} without a stream. A refusal (401/403/4xx) ends it at once.
 */
final class EventStream {

  /** What a follower does with the stream. */
  interface Handler {
    /** One event; returns the exit code to stop with, or -1 to go on; a request may fail. */
    int onEvent(SseReader.Event event) throws CliError;

    /** Called when nothing came for {@code redrawEvery}, and after each burst of events. */
    void onIdle();

    /** A line for the operator about the connection (dropped, reconnecting). */
    void onNotice(String line);

    /** Called before an error is printed on stderr (a terminal's live line is cleared). */
    void beforeError();

    /** The stream is open: for the first time ({@code resumed} false) or again after a drop. */
    default void onOpen(boolean resumed) {}
  }

  private record Dropped(IOException cause) {}

  private final Api api;
  private final WatchSettings settings;
  private final PrintStream err;

  EventStream(Api api, WatchSettings settings, PrintStream err) {
    this.api = api;
    this.settings = settings;
    this.err = err;
  }

  /**
   * Follows {@code path} until the handler stops it (its exit code) or the stream cannot be had
   * (the failure's exit code, its message on {@code err}).
   */
  int follow(String path, String what, Handler handler) throws InterruptedException {
    String lastId = "";
    int attempts = 0;
    long downSince = 0;
    String problem = "";
    boolean opened = false;
    while (true) {
      InputStream in = null;
      try {
        in = api.openStream(path, lastId);
      } catch (CliError f) {
        if (!f.retryable) {
          handler.beforeError();
          err.println("drover: " + f.getMessage());
          return f.exitCode;
        }
        problem = f.getMessage();
      }
      if (in != null) {
        handler.onOpen(opened);
        opened = true;
        BlockingQueue<Object> items = new LinkedBlockingQueue<>();
        String said = null;
        SseReader reader = new SseReader(in);
        Thread t = new Thread(() -> read(reader, items), "drover-watch-stream");
        t.setDaemon(true);
        t.start();
        try {
          long lastActivity = settings.clock().getAsLong();
          while (true) {
            Object item = items.poll(settings.redrawEvery().toMillis(), TimeUnit.MILLISECONDS);
            long now = settings.clock().getAsLong();
            if (item == null) {
              if (now - lastActivity > settings.idleTimeout().toMillis()) {
                problem =
                    "nothing heard for "
                        + ProgressRender.duration(settings.idleTimeout())
                        + " (not even a keep-alive)";
                break;
              }
              handler.onIdle();
              continue;
            }
            lastActivity = now;
            if (item instanceof SseReader.EventItem e) {
              attempts = 0;
              downSince = 0;
              if (!e.event().id().isEmpty()) {
                lastId = e.event().id();
              }
              int code;
              try {
                code = handler.onEvent(e.event());
              } catch (CliError f) {
                handler.beforeError();
                err.println("drover: " + f.getMessage());
                return exitCode(f);
              }
              if (code >= 0) {
                return code;
              }
              if (items.isEmpty()) {
                handler.onIdle();
              }
            } else if (item instanceof SseReader.Comment c) {
              // the node says why it cuts a stream in a comment that asks to reconnect; the
              // others open the stream or keep it alive
              if (c.text().contains("reconnect")) {
                said = ProgressRender.clean(c.text());
              }
            } else if (item == SseReader.End.INSTANCE) {
              problem =
                  said == null ? "the node ended the stream" : "the node ended the stream: " + said;
              break;
            } else if (item instanceof Dropped d) {
              problem =
                  "connection lost: "
                      + (d.cause().getMessage() == null
                          ? d.cause().getClass().getSimpleName()
                          : d.cause().getMessage());
              break;
            }
          }
        } finally {
          close(in);
          t.interrupt();
        }
      }
      long now = settings.clock().getAsLong();
      if (downSince == 0) {
        downSince = now;
      }
      attempts++;
      if (attempts > settings.maxAttempts() || now - downSince > settings.totalBound().toMillis()) {
        handler.beforeError();
        err.println(
            "drover: lost the "
                + what
                + " ("
                + problem
                + "); gave up after "
                + (attempts - 1)
                + " reconnection attempts in "
                + ProgressRender.duration(java.time.Duration.ofMillis(now - downSince))
                + ": check the node at "
                + api.server()
                + " and run the command again");
        return ExitCodes.UNREACHABLE;
      }
      Duration wait = settings.backoff(attempts);
      handler.onNotice(
          what
              + ": "
              + problem
              + "; reconnecting in "
              + ProgressRender.duration(wait)
              + (lastId.isEmpty() ? "" : " after event " + lastId)
              + " (attempt "
              + attempts
              + "/"
              + settings.maxAttempts()
              + ")");
      // a backoff between reconnections, not a wait for a condition
      Thread.sleep(wait.toMillis());
    }
  }

  /**
   * The exit code of a watch that stops on {@code f}: a retryable failure (a 5xx, no connection)
   * means the node cannot be reached or is failing, 3; else the failure's own.
   */
  static int exitCode(CliError f) {
    return f.retryable ? ExitCodes.UNREACHABLE : f.exitCode;
  }

  private static void read(SseReader reader, BlockingQueue<Object> items) {
    try {
      while (true) {
        SseReader.Item item = reader.next();
        items.add(item);
        if (item == SseReader.End.INSTANCE) {
          return;
        }
      }
    } catch (IOException e) {
      items.add(new Dropped(e));
    }
  }

  private static void close(InputStream in) {
    try {
      in.close();
    } catch (IOException ignored) {
      // closing a stream we gave up on
    }
  }
}
