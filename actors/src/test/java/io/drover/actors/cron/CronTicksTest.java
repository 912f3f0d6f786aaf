package io.drover.actors.cron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.cron.CronTicks.Decision;
import io.drover.actors.cron.CronTicks.Kind;
import io.drover.actors.cron.CronTicks.Plan;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CronTicksTest {

  static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");

  static CronSpec spec(String schedule, String deadline, String catchUp, String concurrency) {
    return CronSpecs.withDefaults(
        new CronSpec(
            schedule,
            null,
            "a".repeat(64),
            List.of("true"),
            Map.of(),
            null,
            null,
            concurrency,
            deadline,
            catchUp,
            null,
            null));
  }

  static Plan plan(CronSpec spec, Instant cursor, Instant now, String running) {
    return CronTicks.plan(CronSpecs.schedule(spec), spec, cursor, now, running, null);
  }

  @Test
  void aTickOnTimeRuns() {
    Plan p = plan(spec("@every 10s", null, null, null), T0, T0.plusMillis(10_004), null);
    assertEquals(List.of(Decision.run(T0.plusSeconds(10))), p.decisions());
    assertEquals(T0.plusSeconds(10), p.cursor());
    assertNull(p.warning());
    assertEquals(0, p.missed());
  }

  @Test
  void nothingIsDueBeforeTheNextTick() {
    Plan p = plan(spec("@every 10s", null, null, null), T0, T0.plusSeconds(9), null);
    assertTrue(p.decisions().isEmpty());
    assertEquals(T0, p.cursor());
  }

  @Test
  void afterAFailoverTheLatestTickRunsAndTheOthersAreMissedWithTheReason() {
    // The scheduler was away 7 s on an @every 1s job: catchUp latest (default).
    Plan p = plan(spec("@every 1s", null, null, null), T0, T0.plusMillis(7_300), null);
    assertEquals(7, p.decisions().size());
    assertEquals(Decision.run(T0.plusSeconds(7)), p.decisions().get(6));
    for (Decision d : p.decisions().subList(0, 6)) {
      assertEquals(Kind.MISSED, d.kind());
      assertTrue(
          d.reason().contains("superseded by the later tick " + T0.plusSeconds(7)), d.reason());
    }
    assertEquals(6, p.missed());
    assertNotNull(p.warning());
    assertEquals(T0.plusSeconds(7), p.cursor());
  }

  @Test
  void catchUpAllRunsEveryTickInsideTheDeadline() {
    Plan p = plan(spec("@every 1s", "3s", "all", "allow"), T0, T0.plusMillis(5_500), null);
    // Ticks 1..5; 1 and 2 are older than 3 s.
    assertEquals(Kind.MISSED, p.decisions().get(0).kind());
    assertTrue(
        p.decisions().get(0).reason().contains("startingDeadline 3s"),
        p.decisions().get(0).reason());
    assertEquals(Kind.MISSED, p.decisions().get(1).kind());
    assertEquals(
        List.of(T0.plusSeconds(3), T0.plusSeconds(4), T0.plusSeconds(5)),
        p.runs().stream().map(Decision::tick).toList());
  }

  @Test
  void catchUpAllWithForbidRunsOneAndSkipsTheRest() {
    Plan p = plan(spec("@every 1s", null, "all", "forbid"), T0, T0.plusMillis(3_100), null);
    assertEquals(List.of(T0.plusSeconds(1)), p.runs().stream().map(Decision::tick).toList());
    assertEquals(Kind.SKIPPED, p.decisions().get(1).kind());
    assertEquals(Kind.SKIPPED, p.decisions().get(2).kind());
  }

  @Test
  void catchUpAllIsBounded() {
    Plan p = plan(spec("@every 1s", "1h", "all", "allow"), T0, T0.plusSeconds(1000), null);
    assertEquals(CronTicks.MAX_CATCH_UP, p.runs().size());
    assertEquals(T0.plusSeconds(1000), p.runs().get(p.runs().size() - 1).tick());
    assertEquals(900, p.missed());
    assertTrue(p.decisions().size() <= CronTicks.MAX_CATCH_UP + CronTicks.MAX_LISTED_MISSED);
  }

  @Test
  void catchUpNoneRunsOnlyATickThatIsNotLate() {
    CronSpec s = spec("@every 10s", null, "none", null);
    Plan late = plan(s, T0, T0.plusSeconds(16), null);
    assertTrue(late.runs().isEmpty());
    assertTrue(late.decisions().get(0).reason().contains("catchUp is none"));
    assertEquals(T0.plusSeconds(10), late.cursor());
    Plan onTime = plan(s, T0, T0.plusSeconds(12), null);
    assertEquals(1, onTime.runs().size());
  }

  @Test
  void aTickPastItsStartingDeadlineIsMissedNeverRun() {
    Plan p =
        CronTicks.plan(
            Schedule.parse("0 * * * *", null),
            spec("0 * * * *", "60s", null, null),
            T0.minusSeconds(1),
            T0.plusSeconds(90),
            null,
            "the scheduler was not running until 03:01:30");
    assertTrue(p.runs().isEmpty());
    assertEquals(Kind.MISSED, p.decisions().get(0).kind());
    assertTrue(
        p.decisions().get(0).reason().contains("startingDeadline 60s"),
        p.decisions().get(0).reason());
    assertTrue(p.decisions().get(0).reason().contains("not running until"));
    assertEquals(T0, p.cursor());
  }

  /** k8s#42649: a CronJob stopped for good after 100 missed starts. Here: no cliff. */
  @Test
  void aDayOfMissedTicksCostsFewRecordsAndTheLatestStillRuns() {
    Plan p = plan(spec("@every 1s", "60s", null, null), T0, T0.plus(Duration.ofDays(1)), null);
    assertEquals(1, p.runs().size());
    assertEquals(T0.plus(Duration.ofDays(1)), p.runs().get(0).tick());
    assertEquals(86_399, p.missed());
    assertTrue(p.decisions().size() <= CronTicks.MAX_LISTED_MISSED + 1, "" + p.decisions().size());
    Decision folded = p.decisions().get(0);
    assertTrue(folded.count() > 80_000);
    assertEquals(T0.plusSeconds(1), folded.tick());
    assertTrue(p.warning().contains("86399 ticks missed"), p.warning());
    long total = p.decisions().stream().mapToLong(Decision::count).sum();
    assertEquals(86_400, total, "every tick has exactly one outcome");
  }

  @Test
  void cronRangesAreCountedToo() {
    Plan p = plan(spec("* * * * *", "60s", null, null), T0, T0.plus(Duration.ofDays(1)), null);
    assertEquals(1440, p.decisions().stream().mapToLong(Decision::count).sum());
    assertFalse(p.atLeast());
  }

  @Test
  void forbidSkipsWhileTheLastRunRuns() {
    Plan p = plan(spec("@every 10s", null, null, "forbid"), T0, T0.plusSeconds(10), "job-1");
    assertEquals(Kind.SKIPPED, p.decisions().get(0).kind());
    assertTrue(p.decisions().get(0).reason().contains("job-1 is still running"));
    assertFalse(p.replace());
  }

  @Test
  void replaceRunsAndStopsTheRunningOne() {
    Plan p = plan(spec("@every 10s", null, null, "replace"), T0, T0.plusSeconds(10), "job-1");
    assertEquals(1, p.runs().size());
    assertTrue(p.replace());
    Plan allow = plan(spec("@every 10s", null, null, "allow"), T0, T0.plusSeconds(10), "job-1");
    assertEquals(1, allow.runs().size());
    assertFalse(allow.replace());
  }

  /** Over random wake-ups, every tick gets exactly one outcome: none twice, none dropped. */
  @Test
  void everyTickIsDecidedExactlyOnceAcrossRounds() {
    for (String catchUp : List.of("none", "latest", "all")) {
      CronSpec s = spec("@every 1s", "5s", catchUp, "allow");
      Random random = new Random(catchUp.hashCode());
      Instant cursor = T0;
      Instant now = T0;
      Set<Instant> decided = new HashSet<>();
      long counted = 0;
      for (int round = 0; round < 500; round++) {
        now = now.plusMillis(random.nextInt(random.nextInt(10) == 0 ? 20_000 : 1_500));
        Plan p = plan(s, cursor, now, null);
        for (Decision d : p.decisions()) {
          assertTrue(d.tick().isAfter(cursor), "decided again: " + d);
          assertTrue(decided.add(d.tick()), "twice: " + d);
          counted += d.count();
        }
        cursor = p.cursor();
      }
      long expected = Duration.between(T0, cursor).toSeconds();
      assertEquals(expected, counted, catchUp);
    }
  }
}
