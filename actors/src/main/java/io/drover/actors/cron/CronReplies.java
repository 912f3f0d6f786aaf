package io.drover.actors.cron;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.actors.common.Singletons;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;

/** What the scheduler answers to queries: pure functions of its state. */
final class CronReplies {

  /** Jobs whose next tick the singleton inspection shows. */
  static final int DESCRIBED_JOBS = 100;

  private CronReplies() {}

  static CronScheduler.NotFound notFound(String job) {
    return new CronScheduler.NotFound(
        "no cronjob named " + job + " (GET /api/v1/cronjobs lists them)");
  }

  static CronScheduler.Reply job(CronState s, String name) {
    CronState.Job j = s.job(name);
    return j == null
        ? notFound(name)
        : new CronScheduler.Job(CronView.of(name, j, CronView.LAST_RUNS));
  }

  static CronScheduler.Reply jobs(CronState s) {
    return new CronScheduler.Jobs(
        s.jobs().entrySet().stream().map(e -> CronView.of(e.getKey(), e.getValue(), 1)).toList());
  }

  static CronScheduler.Reply runs(CronState s, String name, int limit) {
    CronState.Job j = s.job(name);
    if (j == null) {
      return notFound(name);
    }
    List<RunRecord> h = j.history();
    return new CronScheduler.Runs(h.subList(0, Math.min(Math.max(0, limit), h.size())));
  }

  static CronScheduler.RevisionsInUse revisions(CronState s) {
    Map<String, String> byJob = new TreeMap<>();
    s.jobs().forEach((name, job) -> byJob.put(name, job.spec().revision()));
    return new CronScheduler.RevisionsInUse(byJob);
  }

  /**
   * The scheduler's details for {@code GET /api/v1/singletons}: fencing token, jobs, runs in
   * flight, and the next tick of the first {@link #DESCRIBED_JOBS} jobs.
   */
  static ObjectNode details(
      CronState s, int runsInFlight, BiFunction<String, CronSpec, Schedule> schedules) {
    ObjectNode d = Singletons.details();
    d.put("fencingToken", s.fence());
    d.put("jobs", s.jobs().size());
    d.put("runsInFlight", runsInFlight);
    ObjectNode next = d.putObject("nextTicks");
    for (Map.Entry<String, CronState.Job> e : s.jobs().entrySet()) {
      if (next.size() >= DESCRIBED_JOBS) {
        break; // GET /api/v1/cronjobs has the rest
      }
      CronSpec spec = e.getValue().spec();
      if (!Boolean.TRUE.equals(spec.suspend())) {
        schedules
            .apply(e.getKey(), spec)
            .next(Instant.parse(e.getValue().cursor()))
            .ifPresent(t -> next.put(e.getKey(), t.toString()));
      }
    }
    return d;
  }
}
