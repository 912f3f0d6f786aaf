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
}
