package io.drover.actors.agent;

import java.io.IOException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchService;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/** Waits of the agent tests on events with a deadline: a file written, a process gone. */
final class Waits {

  private Waits() {}

  /** Returns once {@code file} exists and is not empty; fails after {@code within}. */
  static void nonEmptyFile(Path file, Duration within) throws IOException, InterruptedException {
    until(file, f -> Files.size(f) > 0, within);
  }

  /** Returns once {@code file} contains {@code text}; fails after {@code within}. */
  static void contains(Path file, String text, Duration within)
      throws IOException, InterruptedException {
    until(file, f -> Files.readString(f).contains(text), within);
  }

  private interface FileCheck {
    boolean test(Path file) throws IOException;
  }

  private static void until(Path file, FileCheck check, Duration within)
      throws IOException, InterruptedException {
    Files.createDirectories(file.getParent());
    long deadline = System.nanoTime() + within.toNanos();
    try (WatchService watch = FileSystems.getDefault().newWatchService()) {
      file.getParent()
          .register(
              watch, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_MODIFY);
      while (!(Files.exists(file) && check.test(file))) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
          throw new AssertionError(file + " not as expected within " + within);
        }
        var key = watch.poll(left, TimeUnit.NANOSECONDS);
        if (key != null) {
          key.pollEvents();
          key.reset();
        }
      }
    }
  }

  /**
   * Returns once process {@code pid} exited (at once if there is none); fails after {@code within}.
   */
  static void exited(long pid, Duration within) throws InterruptedException {
    var handle = ProcessHandle.of(pid);
    if (handle.isEmpty()) {
      return;
    }
    try {
      handle.get().onExit().get(within.toMillis(), TimeUnit.MILLISECONDS);
    } catch (TimeoutException e) {
      throw new AssertionError("process " + pid + " still runs after " + within, e);
    } catch (ExecutionException e) {
      throw new AssertionError("waiting for process " + pid + ": " + e.getCause(), e);
    }
  }
}
