package io.drover.actors.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class AuditPagingTest {

  private static final Instant NOW = Instant.parse("2026-12-03T10:15:00Z");
  private static final Duration RETENTION = Duration.ofDays(90);

  private static AuditPaging.Since since(String text) {
    return AuditPaging.since(Optional.ofNullable(text), NOW, RETENTION);
  }

  @Test
  void sinceIsAnInstantOrADurationAgoAndNeverBeforeTheRetention() {
    assertEquals(NOW.minus(RETENTION), since(null).since());
    assertEquals(NOW.minus(RETENTION), since(" ").since());
    assertEquals(Instant.parse("2026-12-01T08:00:00Z"), since("2026-12-01T08:00:00Z").since());
    assertEquals(NOW.minusSeconds(3600), since("1h").since());
    assertEquals(NOW.minus(Duration.ofDays(7)), since("7d").since());
    assertEquals(NOW.minusSeconds(90), since("90s").since());
    assertEquals(NOW, since("0s").since());
    // older than the retention reads as the retention
    assertEquals(NOW.minus(RETENTION), since("400d").since());
    assertEquals(NOW.minus(RETENTION), since("2020-01-01T00:00:00Z").since());
  }

  @Test
  void aBadSinceSaysWhatToSend() {
    for (String bad : List.of("yesterday", "2026-12-01", "2026-13-01T00:00:00Z", "-1h", "1x")) {
      AuditPaging.Since s = since(bad);
      assertNull(s.since(), bad);
      assertNotNull(s.problem(), bad);
      assertTrue(s.problem().contains("ISO-8601") && s.problem().contains("7d"), s.problem());
    }
  }

  @Test
  void daysRunFromTodayBackToTheDayOfSince() {
    assertEquals(
        List.of(
            LocalDate.parse("2026-12-03"),
            LocalDate.parse("2026-12-02"),
            LocalDate.parse("2026-12-01")),
        AuditPaging.days(Instant.parse("2026-12-01T23:59:59Z"), NOW));
    assertEquals(List.of(LocalDate.parse("2026-12-03")), AuditPaging.days(NOW, NOW));
    assertEquals(91, AuditPaging.days(NOW.minus(RETENTION), NOW).size());
    assertEquals(List.of(), AuditPaging.days(NOW.plus(Duration.ofDays(2)), NOW));
    assertEquals("2026-12-03", AuditPaging.entityId(AuditPaging.day(NOW)));
    assertEquals(
        LocalDate.parse("2026-12-02"), AuditPaging.day(Instant.parse("2026-12-02T23:59:59.999Z")));
  }

  @Test
  void aTargetFilterMatchesTheTargetOrItsKind() {
    assertTrue(AuditPaging.matches(null, "site hello"));
    assertTrue(AuditPaging.matches("", "site hello"));
    assertTrue(AuditPaging.matches("site hello", "site hello"));
    assertTrue(AuditPaging.matches("site", "site hello"));
    assertFalse(AuditPaging.matches("site hell", "site hello"));
    assertFalse(AuditPaging.matches("site", "sites"));
    assertFalse(AuditPaging.matches("host", "site hello"));
    assertFalse(AuditPaging.matches("site", null));
  }

  @Test
  void pagingGoesOnInTheSameDayThenInOlderDaysUntilEnough() {
    AuditPaging.Cursor start = new AuditPaging.Cursor(0, Long.MAX_VALUE);
    // the day has more: the same day, before where the page stopped
    assertEquals(
        Optional.of(new AuditPaging.Cursor(0, 57)), AuditPaging.next(start, true, 57, 10, 3));
    // the day is done: the next older one, from its newest
    assertEquals(
        Optional.of(new AuditPaging.Cursor(1, Long.MAX_VALUE)),
        AuditPaging.next(start, false, 0, 10, 3));
    // the last day is done
    assertEquals(Optional.empty(), AuditPaging.next(new AuditPaging.Cursor(2, 5), false, 0, 10, 3));
    // enough records
    assertEquals(Optional.empty(), AuditPaging.next(start, true, 57, 0, 3));
  }

  @Test
  void recordsAreCutToTheirBoundsAndOutcomeFollowsTheStatus() {
    AuditRecord r =
        AuditRecord.of(
            NOW,
            "ci",
            "deployer",
            "POST",
            "/x".repeat(1000),
            "site a",
            201,
            "r".repeat(5000),
            "h1");
    assertEquals(AuditRecord.MAX_PATH, r.path().length());
    assertEquals(AuditRecord.MAX_REASON, r.reason().length());
    assertEquals("ok", r.outcome());
    assertEquals("ok", AuditRecord.outcome(302));
    assertEquals("refused", AuditRecord.outcome(403));
    assertEquals("refused", AuditRecord.outcome(404));
    assertEquals("failed", AuditRecord.outcome(503));
    assertNull(AuditRecord.of(NOW, "ci", "admin", "DELETE", "/", "t", 204, null, "h").reason());
  }
}
