package io.drover.actors.cron;

import io.drover.actors.common.Durations;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;

/**
 * Which ticks of a job are due, and what becomes of each: the scheduler's one decision, a pure
 * function. Every tick after the job's cursor and at or before now gets exactly one outcome — run,
 * missed (with the reason) or skipped (concurrency) — so no tick is silently dropped, and ticks
 * after the cursor are never decided twice.
 *
 * <ul>
 *   <li>A tick more than {@code startingDeadline} old is missed.
 *   <li>Of the ticks still inside the deadline, {@code catchUp} chooses: {@code latest} runs the
 *       newest only, {@code all} runs each (the newest {@link #MAX_CATCH_UP}), {@code none} runs
 *       the newest only if it is not late (at most {@link #LATE_AFTER} past its instant).
 *   <li>{@code concurrency} then: {@code forbid} skips a run while another of the job runs, {@code
 *       replace} runs only the newest and stops the running one, {@code allow} runs all.
 *   <li>There is no cliff: however many ticks were missed, the newest one inside the deadline runs,
 *       and the plan carries a warning. More than {@link #MAX_LISTED_MISSED} missed ticks are
 *       recorded as one entry that names their count and range, so an outage of a day on an
 *       {@code @every 1s} job costs one record, not 86,400.
 * </ul>
 */
public final class CronTicks {

  /** {@code catchUp: all} runs at most this many ticks at once. */
  public static final int MAX_CATCH_UP = 100;

  /** Missed ticks recorded one by one; beyond this, one entry names the rest. */
  public static final int MAX_LISTED_MISSED = 10;

  /** A tick decided later than this after its instant is late ({@code catchUp: none}). */
  public static final Duration LATE_AFTER = Duration.ofSeconds(5);

  /** Ticks counted one by one for a cron expression before the count is given as "at least". */
  static final int MAX_COUNTED = 100_000;

  private CronTicks() {}

  public enum Kind {
    RUN,
    MISSED,
    SKIPPED
  }

  /**
   * What becomes of one tick (or, for an aggregated missed entry, of {@code count} ticks from
   * {@code tick} to {@code through}).
   */
  public record Decision(Instant tick, Kind kind, String reason, long count, Instant through) {
    static Decision run(Instant tick) {
      return new Decision(tick, Kind.RUN, null, 1, tick);
    }

    static Decision of(Instant tick, Kind kind, String reason) {
      return new Decision(tick, kind, reason, 1, tick);
    }
  }

  /**
   * One round's outcome.
   *
   * @param decisions oldest first; RUN decisions are the runs to start, in order
   * @param cursor the newest tick decided; the next round considers only ticks after it
   * @param replace true when the job's running run must be stopped for the new one
   * @param missed how many ticks this round missed ({@code atLeast}: the count was capped)
   * @param warning set when more than one tick was missed at once: for the log and the job's events
   */
  public record Plan(
      List<Decision> decisions,
      Instant cursor,
      boolean replace,
      long missed,
      boolean atLeast,
      String warning) {
    public List<Decision> runs() {
      return decisions.stream().filter(d -> d.kind() == Kind.RUN).toList();
    }
  }

  /**
   * The plan for one job now.
   *
   * @param schedule the job's schedule
   * @param spec the job (with defaults): deadline, catch-up, concurrency
   * @param cursor the newest tick already decided (or when the job was created / resumed)
   * @param now the scheduler's clock
   * @param running the run id of the job's run that is still running, or null
   * @param context why ticks may be late, for missed reasons (e.g. "the scheduler was starting
   *     after a failover"), or null
   */
  public static Plan plan(
      Schedule schedule,
      CronSpec spec,
      Instant cursor,
      Instant now,
      String running,
      String context) {
    Duration deadline = Durations.of(spec.startingDeadline());
    // Newest first: at most MAX_CATCH_UP + 1 ticks in (cursor, now].
    List<Instant> newest = new ArrayList<>();
    Optional<Instant> t = schedule.latest(now);
    while (t.isPresent() && t.get().isAfter(cursor) && newest.size() <= MAX_CATCH_UP) {
      newest.add(t.get());
      t = schedule.latest(t.get().minusMillis(1));
    }
    if (newest.isEmpty()) {
      return new Plan(List.of(), cursor, false, 0, false, null);
    }
    Instant latest = newest.get(0);
    Collections.reverse(newest); // oldest first from here on
    List<Instant> chosen = new ArrayList<>();
    String catchUp = spec.catchUp();
    boolean fresh = age(latest, now).compareTo(deadline) <= 0;
    if (fresh) {
      switch (catchUp) {
        case "all" -> {
          for (Instant tick : newest) {
            if (age(tick, now).compareTo(deadline) <= 0) {
              chosen.add(tick);
            }
          }
          // Keep the newest MAX_CATCH_UP (the list is oldest first).
          while (chosen.size() > MAX_CATCH_UP) {
            chosen.remove(0);
          }
        }
        case "none" -> {
          if (age(latest, now).compareTo(LATE_AFTER) <= 0) {
            chosen.add(latest);
          }
        }
        default -> chosen.add(latest);
      }
    }
    // Older ticks beyond the listed ones.
    Instant oldestListed = newest.get(0);
    long beyond = 0;
    boolean atLeast = false;
    Instant firstBeyond = null;
    if (newest.size() > MAX_CATCH_UP) {
      Count c = count(schedule, cursor, oldestListed);
      beyond = c.n();
      atLeast = c.atLeast();
      firstBeyond = schedule.next(cursor).orElse(oldestListed);
    }
    List<Decision> decisions = new ArrayList<>();
    List<Instant> missedListed = new ArrayList<>();
    for (Instant tick : newest) {
      if (!chosen.contains(tick)) {
        missedListed.add(tick);
      }
    }
    long missed = beyond + missedListed.size();
    String late = context == null ? "" : "; " + context;
    if (beyond > 0 || missedListed.size() > MAX_LISTED_MISSED) {
      // One entry for everything missed but the newest few.
      int keep = Math.min(MAX_LISTED_MISSED - 1, missedListed.size());
      List<Instant> kept = missedListed.subList(missedListed.size() - keep, missedListed.size());
      List<Instant> folded = missedListed.subList(0, missedListed.size() - keep);
      Instant from = firstBeyond != null ? firstBeyond : folded.get(0);
      Instant through = folded.isEmpty() ? oldestListed : folded.get(folded.size() - 1);
      long n = beyond + folded.size();
      decisions.add(
          new Decision(
              from,
              Kind.MISSED,
              (atLeast ? "at least " : "")
                  + n
                  + " ticks from "
                  + from
                  + " to "
                  + through
                  + " missed: not started within startingDeadline "
                  + spec.startingDeadline()
                  + " or not chosen by catchUp "
                  + catchUp
                  + late,
              n,
              through));
      missedListed = new ArrayList<>(kept);
    }
    Instant newestChosen = chosen.isEmpty() ? null : chosen.get(chosen.size() - 1);
    for (Instant tick : newest) {
      if (chosen.contains(tick)) {
        decisions.add(Decision.run(tick));
      } else if (missedListed.contains(tick)) {
        decisions.add(
            Decision.of(
                tick, Kind.MISSED, missedReason(tick, now, deadline, spec, newestChosen, late)));
      }
    }
    boolean replace = applyConcurrency(decisions, spec.concurrency(), running);
    String warning =
        missed > 1
            ? (atLeast ? "at least " : "")
                + missed
                + " ticks missed before "
                + latest
                + late
                + (chosen.isEmpty()
                    ? "; none ran"
                    : "; ran " + chosen.size() + " (catchUp " + catchUp + ")")
            : null;
    return new Plan(List.copyOf(decisions), latest, replace, missed, atLeast, warning);
  }

  private static String missedReason(
      Instant tick,
      Instant now,
      Duration deadline,
      CronSpec spec,
      Instant newestChosen,
      String late) {
    Duration age = age(tick, now);
    if (age.compareTo(deadline) > 0) {
      return "not started within startingDeadline "
          + spec.startingDeadline()
          + " of its time: "
          + Durations.format(age.withNanos(0))
          + " late"
          + late;
    }
    return switch (spec.catchUp()) {
      case "none" ->
          "late by " + Durations.format(age.withNanos(0)) + " and catchUp is none" + late;
      case "all" -> "more than " + MAX_CATCH_UP + " ticks to catch up at once" + late;
      default -> "superseded by the later tick " + newestChosen + " (catchUp latest)" + late;
    };
  }

  /** Turns RUN decisions into SKIPPED where concurrency says so; true when running must stop. */
  private static boolean applyConcurrency(
      List<Decision> decisions, String concurrency, String running) {
    List<Integer> runIdx = new ArrayList<>();
    for (int i = 0; i < decisions.size(); i++) {
      if (decisions.get(i).kind() == Kind.RUN) {
        runIdx.add(i);
      }
    }
    if (runIdx.isEmpty()) {
      return false;
    }
    switch (concurrency) {
      case "allow":
        return false;
      case "replace":
        {
          int last = runIdx.get(runIdx.size() - 1);
          Instant newest = decisions.get(last).tick();
          for (int i : runIdx.subList(0, runIdx.size() - 1)) {
            decisions.set(
                i,
                Decision.of(
                    decisions.get(i).tick(),
                    Kind.SKIPPED,
                    "replaced by the later tick " + newest + " (concurrency replace)"));
          }
          return running != null;
        }
      default:
        {
          for (int k = 0; k < runIdx.size(); k++) {
            int i = runIdx.get(k);
            if (running != null) {
              decisions.set(
                  i,
                  Decision.of(
                      decisions.get(i).tick(),
                      Kind.SKIPPED,
                      "the previous run " + running + " is still running (concurrency forbid)"));
            } else if (k > 0) {
              decisions.set(
                  i,
                  Decision.of(
                      decisions.get(i).tick(),
                      Kind.SKIPPED,
                      "the run of tick "
                          + decisions.get(runIdx.get(0)).tick()
                          + " is still running (concurrency forbid)"));
            }
          }
          return false;
        }
    }
  }

  private static Duration age(Instant tick, Instant now) {
    Duration d = Duration.between(tick, now);
    return d.isNegative() ? Duration.ZERO : d;
  }

  private record Count(long n, boolean atLeast) {}

  /** Ticks in (after, before), exact for {@code @every}, capped for cron expressions. */
  private static Count count(Schedule schedule, Instant after, Instant before) {
    if (schedule instanceof Schedule.Every e) {
      long p = e.period().toMillis();
      long first = Math.floorDiv(after.toEpochMilli(), p) + 1;
      long last = Math.floorDiv(before.toEpochMilli() - 1, p);
      return new Count(Math.max(0, last - first + 1), false);
    }
    long n = 0;
    Optional<Instant> t = schedule.next(after);
    while (t.isPresent() && t.get().isBefore(before)) {
      if (++n >= MAX_COUNTED) {
        return new Count(n, true);
      }
      t = schedule.next(t.get());
    }
    return new Count(n, false);
  }
}
