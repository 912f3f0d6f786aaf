package io.drover.chaos;

import java.io.PrintStream;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;

/**
 * What happened during a chaos run, one timestamped line per event (faults, node exits, instance
 * changes the harness saw). A violation is reported with the lines around it.
 */
public final class History {

  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("HH:mm:ss.SSS").withZone(ZoneId.systemDefault());

  /** One line. */
  public record Line(long atMillis, String text) {
    @Override
    public String toString() {
      return TIME.format(Instant.ofEpochMilli(atMillis)) + "  " + text;
    }
  }

  private final List<Line> lines = new ArrayList<>();
  private final PrintStream echo;

  /**
   * @param echo where every line is also printed as it happens, or null
   */
  public History(PrintStream echo) {
    this.echo = echo;
  }

  public synchronized void add(String text) {
    Line l = new Line(System.currentTimeMillis(), text);
    lines.add(l);
    if (echo != null) {
      echo.println("  " + l);
    }
  }

  public synchronized List<Line> lines() {
    return List.copyOf(lines);
  }

  /** The lines from {@code beforeMillis} before {@code atMillis} to {@code afterMillis} after. */
  public synchronized List<Line> around(long atMillis, long beforeMillis, long afterMillis) {
    return lines.stream()
        .filter(
            l -> l.atMillis() >= atMillis - beforeMillis && l.atMillis() <= atMillis + afterMillis)
        .toList();
  }
}
