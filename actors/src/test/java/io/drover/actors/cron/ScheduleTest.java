package io.drover.actors.cron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleTest {

  @Test
  void cronExpressionsTickInTheirZone() {
    Schedule s = Schedule.parse("*/5 * * * *", "UTC");
    assertEquals(
        List.of(Instant.parse("2026-12-01T03:05:00Z"), Instant.parse("2026-12-01T03:10:00Z")),
        s.nextTicks(Instant.parse("2026-12-01T03:01:07Z"), 2));
    Schedule berlin = Schedule.parse("0 9 * * *", "Europe/Berlin");
    assertEquals(
        Instant.parse("2026-12-01T08:00:00Z"),
        berlin.next(Instant.parse("2026-12-01T00:00:00Z")).get());
    assertEquals(
        Instant.parse("2026-07-01T07:00:00Z"),
        berlin.next(Instant.parse("2026-07-01T00:00:00Z")).get());
  }

  @Test
  void latestIsAtOrBefore() {
    Schedule s = Schedule.parse("*/5 * * * *", null);
    assertEquals(
        Instant.parse("2026-12-01T03:05:00Z"),
        s.latest(Instant.parse("2026-12-01T03:05:00Z")).get());
    assertEquals(
        Instant.parse("2026-12-01T03:05:00Z"),
        s.latest(Instant.parse("2026-12-01T03:09:59Z")).get());
    Schedule every = Schedule.parse("@every 10s", null);
    assertEquals(
        Instant.parse("2026-12-01T03:05:10Z"),
        every.latest(Instant.parse("2026-12-01T03:05:19.999Z")).get());
    assertEquals(
        Instant.parse("2026-12-01T03:05:20Z"),
        every.next(Instant.parse("2026-12-01T03:05:10Z")).get());
  }

  @Test
  void everyIsAlignedToTheEpochSoEverySchedulerComputesTheSameTicks() {
    Schedule s = Schedule.parse("@every 1m", null);
    assertEquals(
        Instant.parse("2026-12-01T03:02:00Z"),
        s.next(Instant.parse("2026-12-01T03:01:59.5Z")).get());
  }

  @Test
  void nicknames() {
    assertEquals(
        Instant.parse("2026-12-02T00:00:00Z"),
        Schedule.parse("@daily", "UTC").next(Instant.parse("2026-12-01T03:00:00Z")).get());
    assertEquals(
        Instant.parse("2026-12-01T04:00:00Z"),
        Schedule.parse("@hourly", "UTC").next(Instant.parse("2026-12-01T03:00:00Z")).get());
  }

  /** Spring forward in Berlin (2026-03-29, 02:00 -> 03:00): 02:30 does not exist that day. */
  @Test
  void aWallClockTimeThatDoesNotExistIsSkipped() {
    Schedule s = Schedule.parse("30 2 * * *", "Europe/Berlin");
    List<Instant> ticks = s.nextTicks(Instant.parse("2026-03-27T12:00:00Z"), 3);
    assertEquals(
        List.of(
            Instant.parse("2026-03-28T01:30:00Z"), // 02:30 CET
            Instant.parse("2026-03-30T00:30:00Z"), // 02:30 CEST; 2026-03-29 has no 02:30
            Instant.parse("2026-03-31T00:30:00Z")),
        ticks);
  }

  /** Fall back in Berlin (2026-10-25, 03:00 -> 02:00): 02:30 exists twice that day. */
  @Test
  void aWallClockTimeThatExistsTwice() {
    Schedule s = Schedule.parse("30 2 * * *", "Europe/Berlin");
    List<Instant> ticks = s.nextTicks(Instant.parse("2026-10-24T12:00:00Z"), 3);
    assertEquals(
        List.of(
            Instant.parse("2026-10-25T00:30:00Z"), // the first 02:30 (CEST) only, not 01:30Z too
            Instant.parse("2026-10-26T01:30:00Z"), // 02:30 CET
            Instant.parse("2026-10-27T01:30:00Z")),
        ticks);
  }

  @Test
  void badSchedulesSayWhatToFix() {
    assertTrue(
        assertThrows(Schedule.Invalid.class, () -> Schedule.parse("@every 500ms", null))
            .getMessage()
            .contains("between 1s"));
    assertTrue(
        assertThrows(Schedule.Invalid.class, () -> Schedule.parse("61 * * * *", null))
            .getMessage()
            .contains("not a cron expression"));
    assertTrue(
        assertThrows(Schedule.Invalid.class, () -> Schedule.parse("* * *", null))
            .getMessage()
            .contains("not a cron expression"));
    assertTrue(
        assertThrows(Schedule.Invalid.class, () -> Schedule.parse("@sometimes", null))
            .getMessage()
            .contains("not known"));
    assertTrue(
        assertThrows(Schedule.Invalid.class, () -> Schedule.parse("* * * * *", "Mars/Olympus"))
            .getMessage()
            .contains("timezone 'Mars/Olympus'"));
    assertTrue(
        assertThrows(Schedule.Invalid.class, () -> Schedule.parse("@every soon", null))
            .getMessage()
            .contains("not a duration"));
  }
}
