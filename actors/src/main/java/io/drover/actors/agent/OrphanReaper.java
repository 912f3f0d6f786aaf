package io.drover.actors.agent;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Finds and kills what a previous incarnation of this agent left running: first every ledger entry
 * whose pid is alive with the recorded start instant (its whole process group), then, belt and
 * braces, every process whose environment carries {@code DROVER_AGENT_ID=<id>}.
 */
final class OrphanReaper {

  static final String AGENT_ID_ENV = "DROVER_AGENT_ID";

  /** One killed process, for the log. */
  record Killed(String site, String instanceId, long pid, String how) {}

  private OrphanReaper() {}

  /**
   * At an agent's first start: kills what the previous incarnation in the ledger (or marked with
   * its environment) left running, logs one line per kill, and empties the ledger. An unreadable
   * ledger leaves only the environment marker to go by.
   */
  static void reapPrevious(Ledger ledger, String agentId, String host, org.slf4j.Logger log)
      throws IOException {
    List<Ledger.Entry> previous;
    try {
      previous = ledger.read();
    } catch (IOException e) {
      log.warn(
          "host {}: unreadable ledger {} ({}); relying on the environment marker",
          host,
          ledger.file(),
          e.getMessage());
      previous = List.of();
    }
    for (Killed k : reap(previous, agentId)) {
      log.info(
          "site {} instance {} on host {}: killed orphan pid {} of a previous incarnation"
              + " (found by {})",
          k.site(),
          k.instanceId(),
          host,
          k.pid(),
          k.how());
    }
    ledger.write(List.of());
  }

  /** Kills the orphans and returns what it killed. Never throws for an unreadable entry. */
  static List<Killed> reap(List<Ledger.Entry> ledger, String agentId) {
    List<Killed> killed = new ArrayList<>();
    Set<Long> done = new HashSet<>();
    for (Ledger.Entry e : ledger) {
      if (e.pid() <= 1) {
        continue;
      }
      String started = ProcessGroups.startInstant(e.pid()).orElse(null);
      if (started != null && started.equals(e.startInstant())) {
        ProcessGroups.kill(e.pid());
        done.add(e.pid());
        killed.add(new Killed(e.site(), e.instanceId(), e.pid(), "ledger"));
      }
    }
    for (Map.Entry<Long, Map<String, String>> p : markedProcesses(agentId).entrySet()) {
      if (done.contains(p.getKey())) {
        continue;
      }
      ProcessGroups.killProcess(p.getKey());
      killed.add(
          new Killed(
              p.getValue().getOrDefault("DROVER_SITE", "?"),
              p.getValue().getOrDefault("DROVER_INSTANCE", "?"),
              p.getKey(),
              "environment marker"));
    }
    return killed;
  }

  /**
   * Every live process (but this JVM) whose environment has {@code DROVER_AGENT_ID=<agentId>}, with
   * its {@code DROVER_*} variables. Processes whose environ cannot be read are skipped.
   */
  static Map<Long, Map<String, String>> markedProcesses(String agentId) {
    long self = ProcessHandle.current().pid();
    Map<Long, Map<String, String>> found = new HashMap<>();
    try (DirectoryStream<Path> proc = Files.newDirectoryStream(Path.of("/proc"))) {
      for (Path dir : proc) {
        long pid = parsePid(dir.getFileName().toString());
        if (pid <= 1 || pid == self) {
          continue;
        }
        byte[] environ;
        try {
          environ = Files.readAllBytes(dir.resolve("environ"));
        } catch (IOException | SecurityException e) {
          continue;
        }
        Map<String, String> vars = droverVars(environ);
        if (agentId.equals(vars.get(AGENT_ID_ENV))) {
          found.put(pid, vars);
        }
      }
    } catch (IOException e) {
      // no /proc (not Linux): the ledger is all we have
    }
    return found;
  }

  private static Map<String, String> droverVars(byte[] environ) {
    Map<String, String> vars = new HashMap<>();
    int start = 0;
    for (int i = 0; i <= environ.length; i++) {
      if (i == environ.length || environ[i] == 0) {
        if (i - start > 7 && environ[start] == 'D' && environ[start + 1] == 'R') {
          String kv = new String(environ, start, i - start, StandardCharsets.UTF_8);
          int eq = kv.indexOf('=');
          if (eq > 0 && kv.startsWith("DROVER_")) {
            vars.put(kv.substring(0, eq), kv.substring(eq + 1));
          }
        }
        start = i + 1;
      }
    }
    return vars;
  }

  private static long parsePid(String name) {
    for (int i = 0; i < name.length(); i++) {
      if (!Character.isDigit(name.charAt(i))) {
        return -1;
      }
    }
    try {
      return Long.parseLong(name);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
