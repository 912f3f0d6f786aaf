package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.http.Json;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TickLogTest {

  private static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");

  private static TickLog.Line line(int second, String agent, long writtenAt) {
    Instant tick = T0.plusSeconds(second);
    return new TickLog.Line(tick, "tick-" + second, agent, writtenAt);
  }

  @Test
  void parsesTheScriptsLinesAndSkipsATornLastOne(@TempDir Path dir) throws Exception {
    Path f = dir.resolve("ticks.txt");
    assertEquals(List.of(), TickLog.read(f), "no file yet: no lines");
    Files.writeString(
        f,
        "2026-12-01T03:00:01Z tick-20261201T030001Z agent-a 1764558001050\n"
            + "garbage\n"
            + "2026-12-01T03:00:02Z tick-20261201T030002Z agent-b 1764558002040\n"
            + "2026-12-01T03:00:03Z tick-2026");
    List<TickLog.Line> lines = TickLog.read(f);
    assertEquals(2, lines.size());
    assertEquals(Instant.parse("2026-12-01T03:00:02Z"), lines.get(1).tick());
    assertEquals("agent-b", lines.get(1).agent());
    assertEquals(1764558002040L, lines.get(1).writtenAtMillis());
    assertTrue(TickLog.parse("").isEmpty());
    assertTrue(TickLog.parse("notatime run agent 1").isEmpty());
  }

  @Test
  void duplicatesAreScheduledTicksWithMoreThanOneLine() {
    List<TickLog.Line> lines =
        List.of(
            line(1, "a", 1),
            line(2, "b", 2),
            line(2, "c", 3),
            line(3, "a", 4),
            new TickLog.Line(T0.plusSeconds(3), "tick-manual-x", "a", 5));
    assertEquals(Map.of(T0.plusSeconds(2), 2), TickLog.duplicates(lines));
    assertTrue(TickLog.duplicates(lines.subList(0, 2)).isEmpty());
  }

  @Test
  void firstElsewhereIsTheEarliestWrittenLineOfALaterTickOnAnotherHost() {
    long fault = T0.plusSeconds(2).toEpochMilli() + 300;
    Map<String, String> hosts = Map.of("a", "host-1", "b", "host-2", "c", "host-3");
    List<TickLog.Line> lines =
        List.of(
            line(2, "b", fault + 100), // tick before the fault: the old scheduler's
            line(3, "a", fault + 700), // the victim's own
            line(9, "c", fault + 9_100),
            line(8, "b", fault + 8_200),
            line(10, "x", fault + 5_000)); // an agent of no known host
    TickLog.Line first = TickLog.firstElsewhere(lines, fault, "host-1", hosts::get).orElseThrow();
    assertEquals(T0.plusSeconds(8), first.tick());
    assertTrue(TickLog.firstElsewhere(lines.subList(0, 2), fault, "host-1", hosts::get).isEmpty());
  }

  @Test
  void tallyExplainsEveryTickWithoutALineFromTheRunsApi() {
    List<TickLog.Line> lines =
        List.of(
            line(0, "a", 0), line(1, "a", 0), line(5, "b", 0), line(5, "c", 0), line(9, "b", 0));
    List<TickLog.ApiEntry> api =
        List.of(
            new TickLog.ApiEntry("tick-2", T0.plusSeconds(2), T0.plusSeconds(2), "started", null),
            new TickLog.ApiEntry("tick-2", T0.plusSeconds(2), T0.plusSeconds(2), "lost", "died"),
            new TickLog.ApiEntry(
                "tick-3", T0.plusSeconds(3), T0.plusSeconds(4), "missed", "superseded"),
            new TickLog.ApiEntry(
                "tick-6", T0.plusSeconds(6), T0.plusSeconds(6), "skipped", "busy"));
    TickLog.Tally t = TickLog.tally(lines, api, Duration.ofSeconds(1), T0, T0.plusSeconds(9));
    assertEquals(10, t.ticks());
    assertEquals(4, t.ran());
    assertEquals(Map.of(T0.plusSeconds(5), 2), t.duplicates());
    assertEquals(6, t.absent().size());
    assertEquals(Map.of("lost", 1, "missed", 2, "skipped", 1), t.byState(), "last state wins");
    assertEquals(List.of(T0.plusSeconds(7), T0.plusSeconds(8)), t.unexplained());
    assertEquals(3, CronWatch.violations(t).size(), "one tick twice, two without a record");
    assertTrue(t.summary().contains("2 with no record"), t.summary());
  }

  @Test
  void tallyWindowBoundsAreTicksOfThePeriod() {
    TickLog.Tally t =
        TickLog.tally(
            List.of(), List.of(), Duration.ofSeconds(1), T0.plusMillis(500), T0.plusMillis(2500));
    assertEquals(List.of(T0.plusSeconds(1), T0.plusSeconds(2)), t.absent());
    assertFalse(t.unexplained().isEmpty());
  }

  @Test
  void runsApiEntriesAndSingletonsAreRead() throws Exception {
    TickLog.ApiEntry range =
        CronWatch.entry(
            Json.MAPPER.readTree(
                "{\"run\":\"tick-1\",\"tick\":\"2026-12-01T03:00:01Z\",\"state\":\"missed\","
                    + "\"count\":3,\"through\":\"2026-12-01T03:00:03Z\",\"reason\":\"r\"}"));
    assertEquals(T0.plusSeconds(3), range.through());
    TickLog.ApiEntry one =
        CronWatch.entry(
            Json.MAPPER.readTree(
                "{\"run\":\"tick-4\",\"tick\":\"2026-12-01T03:00:04Z\",\"state\":\"succeeded\"}"));
    assertEquals(one.tick(), one.through());
    assertEquals(null, one.reason());

    String body =
        "{\"singletons\":[{\"name\":\"site-directory\",\"host\":\"host-1\",\"state\":\"running\","
            + "\"details\":{}},{\"name\":\"cron-scheduler\",\"address\":\"pekko://drover@127.0.0.1:1\","
            + "\"host\":\"host-2\",\"since\":\"2026-12-01T03:00:00Z\",\"state\":\"running\","
            + "\"details\":{\"jobs\":1,\"fencingToken\":7}}]}";
    CronWatch.Scheduler s = CronWatch.scheduler(Json.MAPPER.readTree(body)).orElseThrow();
    assertEquals("host-2", s.host());
    assertEquals(7, s.token());
    String handingOver =
        "{\"singletons\":[{\"name\":\"cron-scheduler\",\"address\":null,\"host\":null,"
            + "\"state\":\"unavailable\",\"details\":{}}]}";
    assertTrue(CronWatch.scheduler(Json.MAPPER.readTree(handingOver)).isEmpty());
    assertTrue(CronWatch.scheduler(null).isEmpty());
    assertEquals(-1, CronWatch.token(Json.MAPPER.readTree("{\"jobs\":2}")));
  }

  @Test
  void nearestRankPercentiles() {
    List<Double> sorted = List.of(1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0, 10.0);
    assertEquals(5.0, ChaosRunner.percentile(sorted, 50));
    assertEquals(10.0, ChaosRunner.percentile(sorted, 95));
    assertEquals(7.0, ChaosRunner.percentile(List.of(7.0), 95));
  }

  @Test
  void cronPlansHitTheSchedulerWithoutChangingTheRestOfThePlan() {
    Duration grace = Duration.ofSeconds(5);
    Duration down = Duration.ofSeconds(2);
    List<FaultPlan.Fault> plain = FaultPlan.random(7, 3, 30, grace, down, true);
    List<FaultPlan.Fault> cron = FaultPlan.random(7, 3, 30, grace, down, true, true);
    assertEquals(plain.size(), cron.size());
    int toScheduler = 0;
    for (int i = 0; i < plain.size(); i++) {
      FaultPlan.Fault p = plain.get(i);
      FaultPlan.Fault c = cron.get(i);
      assertEquals(p.kind(), c.kind());
      assertEquals(p.node(), c.node());
      assertEquals(p.duration(), c.duration());
      if (c.scheduler()) {
        toScheduler++;
        assertTrue(c.kind() != FaultPlan.Kind.PARTITION);
        assertTrue(c.toString().contains("cron scheduler"), c.toString());
        assertEquals(2, c.on(2).node());
        assertTrue(c.on(2).scheduler());
      }
    }
    assertTrue(toScheduler > 0 && toScheduler < cron.size(), toScheduler + " of " + cron.size());
    assertEquals(cron, FaultPlan.random(7, 3, 30, grace, down, true, true), "a seed replays");
    assertEquals(plain, FaultPlan.random(7, 3, 30, grace, down, true, false));
  }
}
