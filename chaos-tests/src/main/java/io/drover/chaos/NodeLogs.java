package io.drover.chaos;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;

/**
 * Times of events in the nodes' logs (a line starts with {@code HH:mm:ss.SSS}, local time): where a
 * failover spent its time, more precisely than polling the API can tell.
 */
public final class NodeLogs {
  private NodeLogs() {}

  /** Epoch ms of the first line containing {@code marker} at or after {@code after}, or -1. */
  public static long firstAfter(Path log, String marker, long after) {
    try {
      for (String line : Files.readAllLines(log)) {
        if (line.contains(marker)) {
          Optional<Long> t = time(line, after);
          if (t.isPresent() && t.get() >= after) {
            return t.get();
          }
        }
      }
    } catch (Exception e) {
      // no log yet
    }
    return -1;
  }

  /**
   * Epoch ms of a log line's time of day, on the day that puts it nearest to {@code near}; empty
   * when the line does not start with a time.
   */
  public static Optional<Long> time(String line, long near) {
    if (line.length() < 12 || line.charAt(2) != ':' || line.charAt(8) != '.') {
      return Optional.empty();
    }
    try {
      java.time.LocalTime t = java.time.LocalTime.parse(line.substring(0, 12));
      java.time.ZoneId zone = java.time.ZoneId.systemDefault();
      java.time.LocalDate day = Instant.ofEpochMilli(near).atZone(zone).toLocalDate();
      long best = -1;
      for (int d = -1; d <= 1; d++) {
        long at = day.plusDays(d).atTime(t).atZone(zone).toInstant().toEpochMilli();
        if (best < 0 || Math.abs(at - near) < Math.abs(best - near)) {
          best = at;
        }
      }
      return Optional.of(best);
    } catch (java.time.format.DateTimeParseException e) {
      return Optional.empty();
    }
  }

  /** What the woken stale node's log says about its fenced writes after {@code woke}. */
  public static String fencingSeen(Path log, long woke) {
    long journal = firstAfter(log, "Failed to persist", woke);
    long refused = firstAfter(log, "REFUSED", woke);
    if (journal >= 0) {
      return "; its stale scheduler's write was refused by the journal";
    }
    if (refused >= 0) {
      return "; a stale dispatch was refused";
    }
    return "";
  }
}
