package io.drover.http;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.drover.actors.cron.CronSpec;
import io.drover.actors.cron.CronView;
import io.drover.actors.cron.RunRecord;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * The JSON of {@code /api/v1/cronjobs}: the request body of a PUT and what GETs answer. HTTP types,
 * not the scheduler's journal types; the mapping is here.
 */
final class CronJson {

  private CronJson() {}

  /** The body of {@code PUT /cronjobs/{name}}; only schedule, revision and command are needed. */
  record CronRequest(
      String schedule,
      String timezone,
      String revision,
      List<String> command,
      Map<String, String> env,
      String pool,
      String timeout,
      String concurrency,
      String startingDeadline,
      String catchUp,
      Integer retry,
      Boolean suspend,
      Map<String, String> secretEnv,
      String user) {

    CronSpec spec() {
      return new CronSpec(
          schedule,
          timezone,
          revision,
          command,
          env,
          pool,
          timeout,
          concurrency,
          startingDeadline,
          catchUp,
          retry,
          suspend,
          secretEnv,
          user);
    }
  }

  /** One run (or missed/skipped tick) as {@code GET /cronjobs/{name}/runs} lists it. */
  @JsonInclude(JsonInclude.Include.NON_NULL)
  record Run(
      String run,
      String tick,
      String host,
      String state,
      Integer exitCode,
      String startedAt,
      String endedAt,
      String reason,
      Boolean manual,
      Integer attempt,
      Long count,
      String through) {

    static Run of(RunRecord r) {
      boolean range = r.count() > 1;
      return new Run(
          r.run(),
          r.tick(),
          r.host(),
          r.state(),
          r.exitCode(),
          iso(r.startedAt()),
          iso(r.endedAt()),
          r.reason(),
          r.manual() ? Boolean.TRUE : null,
          r.attempt() > 0 ? r.attempt() : null,
          range ? r.count() : null,
          range ? r.through() : null);
    }
  }

  /** A job: its spec as it was put (with defaults), its next ticks and its newest runs. */
  record Job(
      String name,
      CronSpec spec,
      List<String> next,
      int running,
      List<Run> runs,
      List<String> warnings,
      String created) {

    static Job of(CronView v) {
      return new Job(
          v.name(),
          v.spec(),
          v.next(),
          v.running(),
          v.runs().stream().map(Run::of).toList(),
          v.warnings(),
          iso(v.created()));
    }
  }

  record Jobs(List<Job> cronjobs) {}

  record Runs(List<Run> runs) {}

  private static String iso(Long millis) {
    return millis == null ? null : Instant.ofEpochMilli(millis).toString();
  }
}
