package io.drover.actors.audit;

import io.drover.actors.common.Durations;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The arithmetic of reading the audit trail: which UTC days a {@code since} spans, what {@code
 * since} means, and where the next page starts. Pure; {@link AuditLog} and {@link AuditDay} call
 * it.
 */
public final class AuditPaging {

  /** Records one page carries at most (an entity's reply must fit a cluster message). */
  static final int PAGE_RECORDS = 100;

  /** Roughly the bytes one page carries at most; Artery's default frame is 256 KiB. */
  static final int PAGE_WEIGHT = 96 * 1024;

  private AuditPaging() {}

  /** The UTC day of {@code time}. */
  public static LocalDate day(Instant time) {
    return LocalDate.ofInstant(time, ZoneOffset.UTC);
  }

  /** The entity id of {@code day}: {@code 2026-12-01}. */
  public static String entityId(LocalDate day) {
    return day.toString();
  }

  /**
   * What {@code ?since=} asks for, or what to fix.
   *
   * @param since the oldest time wanted, never before {@code now - retention}
   * @param problem for a bad parameter, what to send instead; otherwise {@code null}
   */
  public record Since(Instant since, String problem) {}

  /**
   * Reads {@code since}: absent means the whole retention; an ISO-8601 instant ({@code
   * 2026-12-01T08:00:00Z}) or a duration ({@code 90s}, {@code 1h}, {@code 7d}) meaning that long
   * before {@code now}. Anything older than the retention reads as {@code now - retention} (older
   * records are not kept for reading).
   */
  public static Since since(Optional<String> text, Instant now, Duration retention) {
    Instant oldest = now.minus(retention);
    if (text.isEmpty() || text.get().isBlank()) {
      return new Since(oldest, null);
    }
    String t = text.get().trim();
    Instant at;
    if (!t.isEmpty() && Character.isDigit(t.charAt(0)) && t.contains("T")) {
      try {
        at = Instant.parse(t);
      } catch (DateTimeParseException e) {
        return new Since(null, badSince(t));
      }
    } else {
      Optional<Duration> ago = Durations.parse(t);
      if (ago.isEmpty() || ago.get().isNegative()) {
        return new Since(null, badSince(t));
      }
      at = ago.get().compareTo(retention) >= 0 ? oldest : now.minus(ago.get());
    }
    return new Since(at.isBefore(oldest) ? oldest : at, null);
  }

  private static String badSince(String t) {
    return "since '"
        + t
        + "' is neither an ISO-8601 instant (like 2026-12-01T08:00:00Z) nor a duration (like"
        + " 30m, 1h or 7d)";
  }

  /** The UTC days from {@code now}'s back to {@code since}'s, newest first. */
  public static List<LocalDate> days(Instant since, Instant now) {
    List<LocalDate> days = new ArrayList<>();
    LocalDate first = day(since);
    for (LocalDate d = day(now); !d.isBefore(first); d = d.minusDays(1)) {
      days.add(d);
    }
    return days;
  }

  /**
   * The {@code window} days just past the retention, newest first: the days before the oldest that
   * {@link #since} still reads.
   */
  public static List<LocalDate> expired(Instant now, Duration retention, int window) {
    LocalDate oldestKept = day(now.minus(retention));
    List<LocalDate> days = new ArrayList<>();
    for (int i = 1; i <= window; i++) {
      days.add(oldestKept.minusDays(i));
    }
    return days;
  }

  /** Whether a record's {@code target} matches a {@code ?target=} filter: equal, or its kind. */
  public static boolean matches(String filter, String target) {
    if (filter == null || filter.isEmpty()) {
      return true;
    }
    return target != null && (target.equals(filter) || target.startsWith(filter + " "));
  }

  /**
   * Where a read goes on.
   *
   * @param day index into the list of {@link #days}
   * @param before only records of that day appended before this sequence number ({@link
   *     Long#MAX_VALUE}: from the newest)
   */
  public record Cursor(int day, long before) {
    static Cursor start() {
      return new Cursor(0, Long.MAX_VALUE);
    }
  }

  /**
   * The cursor after a page: the same day from where the page stopped when it has more, else the
   * next older day; empty when {@code remaining} records are no longer wanted or no day is left.
   */
  public static Optional<Cursor> next(
      Cursor at, boolean more, long next, int remaining, int dayCount) {
    if (remaining <= 0) {
      return Optional.empty();
    }
    if (more) {
      return Optional.of(new Cursor(at.day(), next));
    }
    if (at.day() + 1 < dayCount) {
      return Optional.of(new Cursor(at.day() + 1, Long.MAX_VALUE));
    }
    return Optional.empty();
  }
}
