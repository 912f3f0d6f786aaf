package io.drover.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Finds instance processes the way an operator would: in {@code /proc}, by the {@code DROVER_*}
 * environment every instance gets. Only an instance's session leader is listed: the agent starts
 * every instance through {@code setsid}, so its pid is its session id. An app's own children share
 * its environment but not its pid, and neither do the agent's exec health checks, which run with
 * the instance's environment in the node's session: counting those, a scan right after a paused
 * node resumed (when its overdue checks all run) once took a check's pid for the instance's and
 * reported an instance restarted in place. Zombies are skipped.
 */
public final class ProcScanner {

  private ProcScanner() {}

  /**
   * @param hostByAgentId each node's agent id ({@code <data-dir>/agent/id}) to its host name;
   *     processes of other agents are ignored
   */
  public static List<Observation.Proc> scan(Map<String, String> hostByAgentId) {
    List<Observation.Proc> leaders = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(Path.of("/proc"), "[0-9]*")) {
      for (Path dir : dirs) {
        long pid;
        try {
          pid = Long.parseLong(dir.getFileName().toString());
        } catch (NumberFormatException e) {
          continue;
        }
        Map<String, String> env = environ(dir);
        String agent = env.get("DROVER_AGENT_ID");
        String host = agent == null ? null : hostByAgentId.get(agent);
        if (host == null || !env.containsKey("DROVER_INSTANCE")) {
          continue;
        }
        Long session = session(dir);
        if (session == null || session != pid) {
          continue;
        }
        leaders.add(
            new Observation.Proc(
                host, env.getOrDefault("DROVER_SITE", "?"), env.get("DROVER_INSTANCE"), pid));
      }
    } catch (IOException e) {
      throw new IllegalStateException("cannot list /proc: " + e.getMessage(), e);
    }
    leaders.sort(java.util.Comparator.comparing(Observation.Proc::instanceId));
    return leaders;
  }

  private static Map<String, String> environ(Path dir) {
    Map<String, String> env = new HashMap<>();
    try {
      byte[] raw = Files.readAllBytes(dir.resolve("environ"));
      for (String kv : new String(raw, StandardCharsets.UTF_8).split("\0")) {
        int eq = kv.indexOf('=');
        if (eq > 0 && kv.startsWith("DROVER_")) {
          env.put(kv.substring(0, eq), kv.substring(eq + 1));
        }
      }
    } catch (IOException | SecurityException e) {
      // gone, or not ours to read
    }
    return env;
  }

  /** The session id of a live, non-zombie process, or null. */
  private static Long session(Path dir) {
    try {
      String s = Files.readString(dir.resolve("stat"));
      int close = s.lastIndexOf(')');
      // after the command: state ppid pgrp session ...
      String[] f = s.substring(close + 2).split(" ");
      if (f[0].equals("Z") || f[0].equals("X")) {
        return null;
      }
      return Long.parseLong(f[3]);
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }
}
