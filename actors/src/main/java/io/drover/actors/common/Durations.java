package io.drover.actors.common;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Durations as operators write them: {@code "500ms"}, {@code "5s"}, {@code "2m"}, {@code "1h"}.
 * Parsed by Typesafe Config, the same rules as in {@code application.conf}.
 */
public final class Durations {

  private Durations() {}

  /** The duration, or empty when {@code text} is not one. */
  public static Optional<Duration> parse(String text) {
    if (text == null || text.isBlank() || text.contains("\"") || text.contains("\n")) {
      return Optional.empty();
    }
    try {
      return Optional.of(ConfigFactory.parseString("d = \"" + text.trim() + "\"").getDuration("d"));
    } catch (ConfigException | ArithmeticException e) {
      return Optional.empty();
    }
  }

  /** The duration; for values already validated. */
  public static Duration of(String text) {
    return parse(text)
        .orElseThrow(() -> new IllegalArgumentException("not a duration: '" + text + "'"));
  }

  /** {@code "1500ms"} style, for messages and logs. */
  public static String format(Duration d) {
    long ms = d.toMillis();
    if (ms % 1000 != 0) {
      return ms + "ms";
    }
    long s = ms / 1000;
    if (s % 3600 == 0 && s > 0) {
      return (s / 3600) + "h";
    }
    return s % 60 == 0 && s > 0 ? (s / 60) + "m" : s + "s";
  }

  /**
   * The duration when {@code text} is present, valid and within {@code [min, max]}; records a
   * problem that names the bounds otherwise.
   */
  public static Optional<Duration> within(
      String field, String text, Duration min, Duration max, List<String> problems) {
    if (text == null) {
      return Optional.empty();
    }
    Optional<Duration> d = parse(text);
    if (d.isEmpty()) {
      problems.add(field + " '" + text + "' is not a duration: write it like 500ms, 5s, 2m or 1h");
      return Optional.empty();
    }
    if (d.get().isNegative() || (d.get().isZero() && !min.isZero())) {
      problems.add(field + " must be longer than zero (got '" + text + "')");
      return Optional.empty();
    }
    if (d.get().compareTo(min) < 0 || d.get().compareTo(max) > 0) {
      problems.add(
          field
              + " must be between "
              + format(min)
              + " and "
              + format(max)
              + ", got "
              + text.trim());
      return Optional.empty();
    }
    return d;
  }
}
