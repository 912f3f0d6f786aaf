package io.drover.actors.cron;

import com.cronutils.model.CronType;
import com.cronutils.model.definition.CronDefinitionBuilder;
import com.cronutils.model.time.ExecutionTime;
import com.cronutils.parser.CronParser;
import io.drover.actors.common.Durations;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * When a cronjob ticks. Either a cron expression of five fields (minute hour day-of-month month
 * day-of-week, Unix rules, parsed and evaluated by cron-utils, in the job's time zone; the
 * nicknames {@code @hourly}, {@code @daily}, {@code @midnight}, {@code @weekly}, {@code @monthly},
 * {@code @yearly} and {@code @annually} stand for their usual expressions), or {@code @every
 * <duration>} (at least {@link #MIN_EVERY}): every instant that is a whole multiple of the duration
 * since the Unix epoch, so its ticks do not depend on when the job was created or which scheduler
 * computes them.
 *
 * <p>Time zones and daylight saving follow cron-utils: a wall-clock time that does not exist on a
 * spring-forward day is skipped, one that exists twice on a fall-back day runs once (see {@code
 * ScheduleTest}).
 */
public sealed interface Schedule {

  /** The shortest {@code @every} period. */
  Duration MIN_EVERY = Duration.ofSeconds(1);

  /** The longest {@code @every} period. */
  Duration MAX_EVERY = Duration.ofDays(366);

  /** The first tick strictly after {@code after}, if any. */
  Optional<Instant> next(Instant after);

  /** The latest tick at or before {@code atOrBefore}, if any. */
  Optional<Instant> latest(Instant atOrBefore);

  /** Up to {@code n} ticks strictly after {@code after}, in order. */
  default List<Instant> nextTicks(Instant after, int n) {
    List<Instant> out = new ArrayList<>();
    Instant t = after;
    while (out.size() < n) {
      Optional<Instant> next = next(t);
      if (next.isEmpty()) {
        break;
      }
      t = next.get();
      out.add(t);
    }
    return out;
  }

  /** {@code @every <period>}: every multiple of the period since the epoch. */
  record Every(Duration period) implements Schedule {
    @Override
    public Optional<Instant> next(Instant after) {
      long p = period.toMillis();
      long a = after.toEpochMilli();
      return Optional.of(Instant.ofEpochMilli(Math.floorDiv(a, p) * p + p));
    }

    @Override
    public Optional<Instant> latest(Instant atOrBefore) {
      long p = period.toMillis();
      return Optional.of(Instant.ofEpochMilli(Math.floorDiv(atOrBefore.toEpochMilli(), p) * p));
    }
  }

  /** A cron expression in a time zone. */
  record Cron(String expression, ZoneId zone, ExecutionTime times) implements Schedule {
    @Override
    public Optional<Instant> next(Instant after) {
      return times
          .nextExecution(ZonedDateTime.ofInstant(after, zone))
          .map(ZonedDateTime::toInstant);
    }

    @Override
    public Optional<Instant> latest(Instant atOrBefore) {
      // lastExecution is strictly before its argument.
      return times
          .lastExecution(ZonedDateTime.ofInstant(atOrBefore.plusMillis(1), zone))
          .map(ZonedDateTime::toInstant);
    }
  }

  /** Thrown for a schedule or time zone that cannot be used; the message says what to fix. */
  final class Invalid extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  Map<String, String> NICKNAMES =
      Map.of(
          "@yearly", "0 0 1 1 *",
          "@annually", "0 0 1 1 *",
          "@monthly", "0 0 1 * *",
          "@weekly", "0 0 * * 0",
          "@daily", "0 0 * * *",
          "@midnight", "0 0 * * *",
          "@hourly", "0 * * * *");

  /**
   * Parses a schedule.
   *
   * @param text {@code "*}{@code /5 * * * *"}, {@code "@daily"} or {@code "@every 10s"}
   * @param timezone an IANA zone such as {@code Europe/Berlin}, or {@code UTC}; null means UTC
   * @throws Invalid when either cannot be used
   */
  static Schedule parse(String text, String timezone) {
    if (text == null || text.isBlank()) {
      throw new Invalid(
          "schedule is missing: give a cron expression such as \"*/5 * * * *\" or"
              + " \"@every 10s\"");
    }
    String s = text.trim();
    if (s.toLowerCase(Locale.ROOT).startsWith("@every")) {
      String d = s.substring("@every".length()).trim();
      Duration period =
          Durations.parse(d)
              .orElseThrow(
                  () ->
                      new Invalid(
                          "schedule '" + s + "': '" + d + "' is not a duration such as 10s or 5m"));
      if (period.compareTo(MIN_EVERY) < 0 || period.compareTo(MAX_EVERY) > 0) {
        throw new Invalid(
            "schedule '"
                + s
                + "': @every takes a duration between "
                + Durations.format(MIN_EVERY)
                + " and 366 days");
      }
      if (period.toMillis() % 1000 != 0) {
        throw new Invalid("schedule '" + s + "': @every takes whole seconds");
      }
      return new Every(period);
    }
    ZoneId zone = zone(timezone);
    String expr = NICKNAMES.getOrDefault(s.toLowerCase(Locale.ROOT), s);
    if (expr.startsWith("@")) {
      throw new Invalid(
          "schedule '"
              + s
              + "' is not known: use five cron fields, @every <duration>, or one of "
              + String.join(", ", new java.util.TreeSet<>(NICKNAMES.keySet())));
    }
    try {
      com.cronutils.model.Cron cron = PARSER.parse(expr).validate();
      return new Cron(s, zone, ExecutionTime.forCron(cron));
    } catch (IllegalArgumentException e) {
      throw new Invalid(
          "schedule '"
              + s
              + "' is not a cron expression (minute hour day-of-month month day-of-week, e.g."
              + " \"*/5 * * * *\"): "
              + e.getMessage());
    }
  }

  /** The time zone; null or blank means UTC. */
  static ZoneId zone(String timezone) {
    if (timezone == null || timezone.isBlank()) {
      return ZoneId.of("UTC");
    }
    try {
      return ZoneId.of(timezone.trim());
    } catch (DateTimeException e) {
      throw new Invalid(
          "timezone '"
              + timezone
              + "' is not known: use an IANA name such as UTC, Europe/Berlin or America/New_York");
    }
  }

  CronParser PARSER = new CronParser(CronDefinitionBuilder.instanceDefinitionFor(CronType.UNIX));
}
