package io.drover.actors.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Signals to whole process groups. Java cannot signal a group, so this runs {@code kill -SIG --
 * -<pgid>}. Every instance is started through {@code setsid}, so its pid is its process group id.
 */
final class ProcessGroups {

  private static final String KILL =
      Files.isExecutable(Path.of("/bin/kill")) ? "/bin/kill" : "kill";

  private ProcessGroups() {}

  /** SIGTERM to every process of the group; false if no such group (already gone). */
  static boolean term(long pgid) {
    return signal("TERM", "-" + pgid);
  }

  /** SIGKILL to every process of the group; false if no such group (already gone). */
  static boolean kill(long pgid) {
    return signal("KILL", "-" + pgid);
  }

  /** SIGKILL to one process. */
  static boolean killProcess(long pid) {
    return signal("KILL", Long.toString(pid));
  }

  private static boolean signal(String signal, String target) {
    if (target.equals("-0") || target.equals("0") || target.equals("-1")) {
      throw new IllegalArgumentException("refusing to signal " + target);
    }
    try {
      Process p =
          new ProcessBuilder(KILL, "-" + signal, "--", target)
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      if (!p.waitFor(5, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        return false;
      }
      return p.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /** When the process started, as {@code Instant.toString()}, if it is alive and the OS says. */
  static Optional<String> startInstant(long pid) {
    return ProcessHandle.of(pid)
        .filter(ProcessHandle::isAlive)
        .flatMap(h -> h.info().startInstant())
        .map(Object::toString);
  }

  /**
   * True while the process exists and is not a zombie (a zombie has exited but nobody reaped it
   * yet; in containers whose init does not reap, zombies linger).
   */
  static boolean isRunning(long pid) {
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      int close = stat.lastIndexOf(')');
      if (close < 0 || close + 2 >= stat.length()) {
        return false;
      }
      char state = stat.charAt(close + 2);
      return state != 'Z' && state != 'X';
    } catch (IOException e) {
      return false;
    }
  }
}
