package io.drover.actors.cron;

import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;

/**
 * One look of the scheduler at all its jobs: for each job with a due tick, {@link CronTicks}
 * decides, {@link HostChoice} places each run, and the outcome is the events to persist (runs
 * started, ticks missed or skipped, warnings) and the runs to stop ({@code concurrency: replace}).
 * Pure: the scheduler persists the events, then dispatches.
 */
final class CronRound {

  private CronRound() {}

  /** The events of one round, and the active runs that newer ones replace. */
  record Round(List<CronEvent> events, List<RunRecord> stop) {}

  /**
   * A job whose due tick has no schedulable host in its pool decides nothing yet: its ticks wait,
   * and are missed once past the starting deadline (with that reason).
   */
  static Round plan(
      CronState s,
      HostDirectory.Hosts hosts,
      Instant now,
      BiFunction<String, CronSpec, Schedule> schedules) {
    List<CronEvent> events = new ArrayList<>();
    List<RunRecord> stop = new ArrayList<>();
    Map<String, Integer> perHost = s.runsPerHost();
    // One scan of the hosts per pool and round, not one per job.
    Map<String, Boolean> poolHasHost = new java.util.HashMap<>();
    for (Map.Entry<String, CronState.Job> e : s.jobs().entrySet()) {
      String name = e.getKey();
      CronState.Job job = e.getValue();
      CronSpec spec = job.spec();
      if (Boolean.TRUE.equals(spec.suspend())) {
        continue;
      }
      Schedule schedule = schedules.apply(name, spec);
      Instant cursor = Instant.parse(job.cursor());
      Optional<Instant> next = schedule.next(cursor);
      if (next.isEmpty() || next.get().isAfter(now)) {
        continue;
      }
      List<RunRecord> active = job.active();
      String running = active.isEmpty() ? null : active.get(active.size() - 1).run();
      boolean hostAvailable =
          poolHasHost.computeIfAbsent(
              spec.pool(),
              pool -> hosts.hosts().stream().anyMatch(h -> HostChoice.eligible(hosts, h, pool)));
      String context =
          !hostAvailable
              ? "no schedulable host in pool " + spec.pool()
              : s.fencedAt() > cursor.toEpochMilli()
                  ? "the scheduler was not running until "
                      + Instant.ofEpochMilli(s.fencedAt())
                      + " (failover or restart)"
                  : null;
      CronTicks.Plan p = CronTicks.plan(schedule, spec, cursor, now, running, context);
      if (!p.runs().isEmpty() && !hostAvailable) {
        continue; // Wait for a host; the ticks are missed once past the starting deadline.
      }
      for (CronTicks.Decision d : p.decisions()) {
        if (d.kind() == CronTicks.Kind.RUN) {
          String run = RunIds.of(name, d.tick(), 0);
          HostInfo host = HostChoice.pick(hosts, spec.pool(), perHost, Set.of(), run).orElseThrow();
          perHost.merge(host.name(), 1, Integer::sum);
          RunRecord r = RunRecord.started(run, d.tick(), host, now, false, 0, s.fence());
          events.add(new CronEvent.TickStarted(name, r));
        } else {
          events.add(
              new CronEvent.TickRecorded(
                  name,
                  new RunRecord(
                      RunIds.of(name, d.tick(), 0),
                      d.tick().toString(),
                      null,
                      d.kind() == CronTicks.Kind.MISSED ? RunRecord.MISSED : RunRecord.SKIPPED,
                      null,
                      null,
                      now.toEpochMilli(),
                      d.reason(),
                      false,
                      0,
                      d.count(),
                      d.through().toString(),
                      null,
                      s.fence())));
        }
      }
      if (p.replace()) {
        stop.addAll(active);
      }
      if (p.warning() != null) {
        events.add(new CronEvent.JobWarned(name, now.toEpochMilli(), p.warning()));
      }
    }
    return new Round(events, stop);
  }
}
