package io.drover.actors.cron;

import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** Run ids: derived from job and tick, so the same tick always has the same id. Pure. */
public final class RunIds {

  private static final DateTimeFormatter SECONDS =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'").withZone(ZoneOffset.UTC);
  private static final DateTimeFormatter MILLIS =
      DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmssSSS'Z'").withZone(ZoneOffset.UTC);

  private RunIds() {}

  /** {@code <job>-<tick>}, e.g. {@code backup-20261201T030000Z}; a retry gets {@code -retry<N>}. */
  public static String of(String job, Instant tick, int attempt) {
    String t = tick.getNano() == 0 ? SECONDS.format(tick) : MILLIS.format(tick);
    return job + "-" + t + (attempt > 0 ? "-retry" + attempt : "");
  }

  /** {@code <job>-manual-<time>} for a manual run asked for at {@code at}. */
  public static String manual(String job, Instant at) {
    return job + "-manual-" + MILLIS.format(at);
  }
}
