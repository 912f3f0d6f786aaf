package io.drover.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Function;

/**
 * The file a test cronjob appends to, one line per run: {@code <DROVER_TICK> <DROVER_RUN>
 * <DROVER_AGENT_ID> <epoch ms when written>}, and the pure checks over it and the runs API for I3
 * (no tick twice; a tick without a run only with a recorded reason). Every node of a local cluster
 * appends to the same file ({@code >>} of one short line is one {@code write} with {@code
 * O_APPEND}, so lines do not interleave).
 */
public final class TickLog {

  private TickLog() {}

  /** The job's script: one line per run into {@code $TICKS}. */
  public static final String SCRIPT =
      "echo \"$DROVER_TICK $DROVER_RUN $DROVER_AGENT_ID $(date +%s%3N)\" >> \"$TICKS\"\n";

  /**
   * One run's line.
   *
   * @param tick the scheduled instant ({@code DROVER_TICK})
   * @param run the run id ({@code DROVER_RUN})
   * @param agent the agent id of the node that ran it ({@code DROVER_AGENT_ID})
   * @param writtenAtMillis when the run wrote it (the machine's clock, shared by every node here)
   */
  public record Line(Instant tick, String run, String agent, long writtenAtMillis) {

    /** A manual run ({@code POST .../trigger}): its tick is when it was asked for, not a tick. */
    public boolean manual() {
      return run.contains("-manual-");
    }
  }

  /** One line, or empty when it is not one (a torn last line, a blank). */
  public static Optional<Line> parse(String text) {
    String[] f = text.strip().split(" ");
    if (f.length != 4) {
      return Optional.empty();
    }
    try {
      return Optional.of(new Line(Instant.parse(f[0]), f[1], f[2], Long.parseLong(f[3])));
    } catch (DateTimeParseException | NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** Every complete line of {@code file}, in file order; none when it does not exist yet. */
  public static List<Line> read(Path file) throws IOException {
    String all;
    try {
      all = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      return List.of();
    }
    List<Line> out = new ArrayList<>();
    int end = all.lastIndexOf('\n');
    if (end < 0) {
      return out;
    }
    for (String l : all.substring(0, end).split("\n")) {
      parse(l).ifPresent(out::add);
    }
    return out;
  }

  /** Scheduled ticks (manual runs aside) that have more than one line, with their count. */
  public static Map<Instant, Integer> duplicates(Collection<Line> lines) {
    Map<Instant, Integer> count = new TreeMap<>();
    for (Line l : lines) {
      if (!l.manual()) {
        count.merge(l.tick(), 1, Integer::sum);
      }
    }
    count.values().removeIf(n -> n < 2);
    return count;
  }

  /**
   * The first line (by when it was written) of a tick after {@code faultMillis} on a host other
   * than {@code victim}: a run that the scheduler can only have dispatched after the fault, since a
   * tick is dispatched at or after its instant.
   *
   * @param hostOf the host of an agent id (null when unknown: such a line does not count)
   */
  public static Optional<Line> firstElsewhere(
      Collection<Line> lines, long faultMillis, String victim, Function<String, String> hostOf) {
    return lines.stream()
        .filter(l -> !l.manual() && l.tick().toEpochMilli() > faultMillis)
        .filter(
            l -> {
              String h = hostOf.apply(l.agent());
              return h != null && !h.equals(victim);
            })
        .min(Comparator.comparingLong(Line::writtenAtMillis));
  }

  /**
   * An entry of {@code GET /cronjobs/{name}/runs}.
   *
   * @param tick its tick (the first of a missed range)
   * @param through the last tick of a missed range; equal to {@code tick} otherwise
   * @param state started, succeeded, failed, lost, skipped or missed
   * @param reason why it failed, was lost, skipped or missed; may be null
   */
  public record ApiEntry(String run, Instant tick, Instant through, String state, String reason) {

    boolean covers(Instant t) {
      return !t.isBefore(tick) && !t.isAfter(through);
    }
  }

  /**
   * What became of the ticks in a window.
   *
   * @param ticks the scheduled ticks in the window
   * @param ran ticks with at least one line
   * @param duplicates ticks with more than one line, in the window or not (must be empty: I3)
   * @param absent ticks in the window with no line
   * @param byState the absent ticks by the state the runs API recorded for them ({@code missed},
   *     {@code skipped}, {@code lost}, {@code failed}, {@code started}, ...)
   * @param unexplained absent ticks the runs API has no entry for (I3: a missed tick has a reason)
   */
  public record Tally(
      long ticks,
      long ran,
      Map<Instant, Integer> duplicates,
      List<Instant> absent,
      Map<String, Integer> byState,
      List<Instant> unexplained) {

    /** One line for a report. */
    public String summary() {
      return ticks
          + " ticks, "
          + ran
          + " ran, "
          + duplicates.size()
          + " twice, "
          + absent.size()
          + " without a run "
          + byState
          + (unexplained.isEmpty() ? "" : ", " + unexplained.size() + " with no record")
          + (unexplained.isEmpty() ? "" : " e.g. " + unexplained.subList(0, 1));
    }
  }

  /**
   * Every tick of a schedule of {@code period} (aligned to the epoch, as {@code @every} is) in
   * [{@code from}, {@code to}], against the lines and the runs API's entries. When the API has
   * several entries for a tick (a retry, or a run that ended after it started), the last one in
   * {@code api} wins: pass them oldest first.
   */
  public static Tally tally(
      Collection<Line> lines, Collection<ApiEntry> api, Duration period, Instant from, Instant to) {
    long p = period.toMillis();
    Map<Instant, Integer> count = new TreeMap<>();
    for (Line l : lines) {
      if (!l.manual()) {
        count.merge(l.tick(), 1, Integer::sum);
      }
    }
    Map<Instant, String> single = new TreeMap<>();
    List<ApiEntry> ranges = new ArrayList<>();
    for (ApiEntry e : api) {
      if (e.through().equals(e.tick())) {
        single.put(e.tick(), e.state());
      } else {
        ranges.add(e);
      }
    }
    long first = Math.floorDiv(from.toEpochMilli() + p - 1, p);
    long last = Math.floorDiv(to.toEpochMilli(), p);
    long ticks = 0;
    long ran = 0;
    List<Instant> absent = new ArrayList<>();
    Map<String, Integer> byState = new TreeMap<>();
    List<Instant> unexplained = new ArrayList<>();
    for (long k = first; k <= last; k++) {
      Instant t = Instant.ofEpochMilli(k * p);
      ticks++;
      if (count.containsKey(t)) {
        ran++;
        continue;
      }
      absent.add(t);
      String state = single.get(t);
      if (state == null) {
        state =
            ranges.stream().filter(r -> r.covers(t)).map(ApiEntry::state).findFirst().orElse(null);
      }
      if (state == null) {
        unexplained.add(t);
      } else {
        byState.merge(state, 1, Integer::sum);
      }
    }
    Map<Instant, Integer> dup = new TreeMap<>(count);
    dup.values().removeIf(n -> n < 2);
    return new Tally(ticks, ran, dup, absent, byState, unexplained);
  }
}
