package io.drover.actors.agent;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A host agent's work on its instances' log files, run on the blocking dispatcher. */
final class AgentLogs {

  /** For work on the blocking dispatcher, where the actor's own logger must not be used. */
  private static final Logger OFF_THREAD_LOG = LoggerFactory.getLogger(HostAgent.class);

  private AgentLogs() {}

  /** Rotates every file of {@code logs} larger than {@code maxBytes}, in the background. */
  static void rotate(List<Path> logs, long maxBytes, String host, Executor blocking) {
    Logger log = OFF_THREAD_LOG;
    CompletableFuture.runAsync(
        () -> {
          for (Path file : logs) {
            try {
              if (LogFiles.rotateIfLarger(file, maxBytes)) {
                log.info("host {}: rotated log {} (over {} bytes)", host, file, maxBytes);
              }
            } catch (IOException e) {
              log.warn("host {}: cannot rotate log {}: {}", host, file, e.toString());
            }
          }
        },
        blocking);
  }

  /** The last {@code lines} lines of {@code file}, joined by newlines, read in the background. */
  static CompletableFuture<String> tail(Path file, int lines, Executor blocking) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return String.join("\n", LogFiles.tail(file, lines));
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        blocking);
  }

  /**
   * What follows the cursor {@code since} in {@code file}, read in the background; fails for a
   * cursor that is not one.
   */
  static CompletableFuture<LogChunk> read(Path file, String since, int tail, Executor blocking) {
    return CompletableFuture.supplyAsync(
        () -> {
          LogCursor cursor =
              LogCursor.parse(since)
                  .orElseThrow(() -> new IllegalArgumentException("not a log cursor: " + since));
          try {
            return LogFiles.read(
                file,
                cursor,
                Math.max(0, Math.min(tail, LogFiles.MAX_TAIL_LINES)),
                LogFiles.MAX_READ_BYTES);
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        },
        blocking);
  }

  /**
   * Answers {@code replyTo} with what {@code read} makes of {@code file} (the log of instance
   * {@code instanceId} on {@code host}), or why it cannot: no such instance ({@code file} null), or
   * the read failed.
   */
  static <T> void answer(
      Path file,
      String instanceId,
      String host,
      org.apache.pekko.actor.typed.ActorRef<org.apache.pekko.pattern.StatusReply<T>> replyTo,
      java.util.function.Function<Path, CompletableFuture<T>> read) {
    if (file == null) {
      replyTo.tell(
          org.apache.pekko.pattern.StatusReply.error(
              "no instance " + instanceId + " on host " + host));
      return;
    }
    read.apply(file)
        .whenComplete(
            (value, err) ->
                replyTo.tell(
                    err == null
                        ? org.apache.pekko.pattern.StatusReply.success(value)
                        : org.apache.pekko.pattern.StatusReply.error(
                            "cannot read log of "
                                + instanceId
                                + " on host "
                                + host
                                + ": "
                                + err.getMessage())));
  }
}
