package io.drover.actors.cron;

import io.drover.persistence.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * What the scheduler answers about a job: its spec, its next ticks, its newest history entries and
 * warnings. Built from the state by pure functions; the HTTP layer maps it to its own JSON.
 *
 * @param name the job name
 * @param spec with defaults
 * @param next the next ticks (ISO instants), none while suspended
 * @param runs newest first
 * @param running how many of its runs are active
 * @param warnings newest first
 * @param created when it was first put (epoch ms)
 */
public record CronView(
    String name,
    CronSpec spec,
    List<String> next,
    List<RunRecord> runs,
    int running,
    List<String> warnings,
    long created)
    implements CborSerializable {

  /** Next ticks shown per job. */
  public static final int NEXT_TICKS = 5;

  /** Newest history entries shown with a job. */
  public static final int LAST_RUNS = 10;

  /** The view of {@code job}, with up to {@code runs} history entries. */
  public static CronView of(String name, CronState.Job job, int runs) {
    List<String> next = new ArrayList<>();
    if (!Boolean.TRUE.equals(job.spec().suspend())) {
      // After the newest tick decided: a tick already due but not yet decided comes first.
      Instant from = Instant.parse(job.cursor());
      for (Instant t : CronSpecs.schedule(job.spec()).nextTicks(from, NEXT_TICKS)) {
        next.add(t.toString());
      }
    }
    List<RunRecord> h = job.history();
    return new CronView(
        name,
        job.spec(),
        next,
        h.subList(0, Math.min(runs, h.size())),
        job.active().size(),
        job.warnings(),
        job.created());
  }
}
