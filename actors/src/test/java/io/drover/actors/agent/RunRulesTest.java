package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RunRulesTest {

  private static RunRecord record(String id, RunState state) {
    RunRecord r =
        RunRecord.accepted(
            new RunOrder(
                id, "backup", "2026-12-01T03:00:00Z", "rev", List.of("true"), Map.of(), "1m"),
            2,
            1000);
    return switch (state) {
      case STARTING -> r;
      case RUNNING -> r.running(42, "2026-12-01T03:00:00.1Z", 2000);
      default -> r.ended(state, 0, null, 3000L);
    };
  }

  @Test
  void lowerFenceIsRefusedNamingBothTokens() {
    assertEquals(
        "dispatch from scheduler fencing token 3, this agent has seen 4 (a newer scheduler owns"
            + " the runs)",
        RunRules.fenceRefusal(4, 3).orElseThrow());
    assertTrue(RunRules.fenceRefusal(4, 4).isEmpty());
    assertTrue(RunRules.fenceRefusal(4, 5).isEmpty());
    assertTrue(RunRules.fenceRefusal(0, 0).isEmpty());
  }

  @Test
  void startDecision() {
    RunRecord known = record("r1", RunState.SUCCEEDED);
    String tick = "2026-12-01T03:00:00Z";
    assertEquals(RunRules.Start.REFUSE, RunRules.decideStart(5, 4, known, tick, null));
    assertEquals(RunRules.Start.REFUSE, RunRules.decideStart(5, 4, null, tick, null));
    assertEquals(RunRules.Start.ANSWER_CURRENT, RunRules.decideStart(5, 5, known, tick, null));
    assertEquals(RunRules.Start.START, RunRules.decideStart(5, 6, null, tick, null));
    Instant lost = Instant.parse("2026-12-01T03:00:30Z");
    assertEquals(RunRules.Start.LOST_RECORDS, RunRules.decideStart(5, 5, null, tick, lost));
    assertEquals(
        RunRules.Start.START, RunRules.decideStart(5, 5, null, "2026-12-01T03:01:00Z", lost));
    assertEquals(RunRules.Start.LOST_RECORDS, RunRules.decideStart(5, 5, null, "garbage", lost));
    assertEquals(RunRules.Start.ANSWER_CURRENT, RunRules.decideStart(5, 5, known, tick, lost));
  }

  @Test
  void activeRunsAreLostOnRestartOthersKept() {
    RunRecord running = record("r1", RunState.RUNNING);
    RunRecord lost = RunRules.afterRestart(running);
    assertEquals(RunState.LOST, lost.state());
    assertEquals(RunRules.LOST_ON_RESTART, lost.reason());
    assertEquals(0, lost.pid());
    assertEquals(2000L, lost.startedAt());
    assertNull(lost.endedAt());
    assertEquals(RunState.LOST, RunRules.afterRestart(record("r2", RunState.STARTING)).state());
    RunRecord done = record("r3", RunState.FAILED);
    assertSame(done, RunRules.afterRestart(done));
  }

  @Test
  void pruneDropsOldestFinishedFirstAndKeepsActive() {
    List<RunRecord> all = new ArrayList<>();
    all.add(record("a", RunState.RUNNING));
    all.add(record("b", RunState.SUCCEEDED));
    all.add(record("c", RunState.FAILED));
    all.add(record("d", RunState.SUCCEEDED));
    all.add(record("e", RunState.STARTING));
    List<String> kept = RunRules.prune(all, 3).stream().map(RunRecord::runId).toList();
    assertEquals(List.of("a", "d", "e"), kept);
    assertEquals(5, RunRules.prune(all, 10).size());
    assertEquals(List.of("a", "e"), RunRules.prune(all, 0).stream().map(RunRecord::runId).toList());
  }

  @Test
  void logFileStaysInsideTheCronDirectory() {
    Path data = Path.of("/data");
    assertEquals(
        Path.of("/data/cron-logs/backup/backup%402026-12-01T03%3A00%3A00Z.log"),
        RunRules.logFile(data, "backup", "backup@2026-12-01T03:00:00Z"));
    Path evil = RunRules.logFile(data, "..", "../../x");
    assertTrue(evil.normalize().startsWith(Path.of("/data/cron-logs")), evil.toString());
    assertFalse(evil.getFileName().toString().contains("/"));
    assertEquals(Path.of("/data/cron-logs/_/r.log"), RunRules.logFile(data, null, "r"));
  }

  @Test
  void malformedOrdersAreNamed() {
    RunOrder ok =
        new RunOrder(
            "r", "backup", "2026-12-01T03:00:00Z", "rev", List.of("true"), Map.of(), "10m");
    assertNull(RunRules.problem(ok));
    assertEquals("no run id", RunRules.problem(null));
    assertEquals(
        "no run id",
        RunRules.problem(
            new RunOrder(" ", "backup", ok.tick(), "rev", ok.command(), Map.of(), "10m")));
    assertEquals(
        "tick 'soon' is not an ISO-8601 instant",
        RunRules.problem(new RunOrder("r", "backup", "soon", "rev", ok.command(), null, "10m")));
    assertEquals(
        "no command",
        RunRules.problem(new RunOrder("r", "backup", ok.tick(), "rev", List.of(), null, "10m")));
    assertEquals(
        "timeout 'ten' is not a positive duration",
        RunRules.problem(new RunOrder("r", "backup", ok.tick(), "rev", ok.command(), null, "ten")));
    List<String> withNull = new ArrayList<>(List.of("sh"));
    withNull.add(null);
    assertEquals(
        "no command",
        RunRules.problem(new RunOrder("r", "backup", ok.tick(), "rev", withNull, null, "10m")));
    Map<String, String> nullEnv = new HashMap<>();
    nullEnv.put("A", null);
    assertEquals(
        "env has a null name or value",
        RunRules.problem(
            new RunOrder("r", "backup", ok.tick(), "rev", ok.command(), nullEnv, "1m")));
    assertEquals(
        "timeout '0s' is not a positive duration",
        RunRules.problem(new RunOrder("r", "backup", ok.tick(), "rev", ok.command(), null, "0s")));
  }

  @Test
  void answersForUnknownAndRefused() {
    RunStatus u = RunRules.unknown("r9", "host-a", 7);
    assertEquals(RunState.UNKNOWN, u.state());
    assertEquals(7, u.fence());
    assertTrue(u.reason().contains("r9") && u.reason().contains("host-a"), u.reason());
    RunStatus r = RunRules.refused("r9", "backup", "host-a", "why", 7);
    assertEquals(RunState.REFUSED, r.state());
    assertEquals("why", r.reason());
  }
}
