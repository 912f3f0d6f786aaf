package io.drover.actors.cron;

import io.drover.persistence.CborSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Everything the cron scheduler knows: the jobs with their cursors and histories, and its fencing
 * token. Immutable; {@link #apply} is the event handler.
 *
 * @param jobs by name
 * @param fence the fencing token of the newest incarnation (0 before the first)
 * @param fencedBy the member address of that incarnation
 * @param fencedAt when it took over (epoch ms)
 */
public record CronState(Map<String, Job> jobs, long fence, String fencedBy, long fencedAt)
    implements CborSerializable {

  /** Entries kept per job, newest first; runs still active are never dropped. */
  public static final int MAX_HISTORY = 100;

  /** Warnings kept per job. */
  public static final int MAX_WARNINGS = 10;

  public CronState {
    jobs = Collections.unmodifiableMap(new TreeMap<>(jobs));
  }

  public static CronState empty() {
    return new CronState(Map.of(), 0, null, 0);
  }

  /**
   * One job.
   *
   * @param spec with defaults
   * @param cursor the newest tick decided (ISO instant): only later ticks are due
   * @param created when it was first put (epoch ms)
   * @param history newest first
   * @param warnings newest first, "&lt;instant&gt; &lt;message&gt;"
   */
  public record Job(
      CronSpec spec, String cursor, long created, List<RunRecord> history, List<String> warnings)
      implements CborSerializable {

    public Job {
      history = List.copyOf(history);
      warnings = List.copyOf(warnings);
    }

    /** The runs still active, oldest first. */
    public List<RunRecord> active() {
      List<RunRecord> out = new ArrayList<>();
      for (int i = history.size() - 1; i >= 0; i--) {
        if (history.get(i).active()) {
          out.add(history.get(i));
        }
      }
      return out;
    }

    /** The run with this id, or null. */
    public RunRecord run(String run) {
      for (RunRecord r : history) {
        if (r.run().equals(run)) {
          return r;
        }
      }
      return null;
    }

    Job withRecord(RunRecord r, boolean moveCursor) {
      List<RunRecord> h = new ArrayList<>(history.size() + 1);
      h.add(r);
      h.addAll(history);
      trim(h);
      String c = cursor;
      if (moveCursor && Instant.parse(r.through()).isAfter(Instant.parse(cursor))) {
        c = r.through();
      }
      return new Job(spec, c, created, h, warnings);
    }

    Job replaced(RunRecord r) {
      List<RunRecord> h = new ArrayList<>(history);
      for (int i = 0; i < h.size(); i++) {
        if (h.get(i).run().equals(r.run())) {
          h.set(i, r);
        }
      }
      return new Job(spec, cursor, created, h, warnings);
    }

    /** Drops the oldest ended entries beyond {@link #MAX_HISTORY}. */
    private static void trim(List<RunRecord> h) {
      for (int i = h.size() - 1; i >= 0 && h.size() > MAX_HISTORY; i--) {
        if (!h.get(i).active()) {
          h.remove(i);
        }
      }
    }
  }

  /** A run still active, and its job. */
  public record ActiveRun(String job, RunRecord run) {}

  /** Every run still active, of all jobs. */
  public List<ActiveRun> activeRuns() {
    List<ActiveRun> out = new ArrayList<>();
    for (Map.Entry<String, Job> e : jobs.entrySet()) {
      for (RunRecord r : e.getValue().active()) {
        out.add(new ActiveRun(e.getKey(), r));
      }
    }
    return out;
  }

  /** How many active runs each host has. */
  public Map<String, Integer> runsPerHost() {
    Map<String, Integer> m = new java.util.HashMap<>();
    for (ActiveRun a : activeRuns()) {
      m.merge(a.run().host(), 1, Integer::sum);
    }
    return m;
  }

  /** The job, or null (also for a null name). */
  public Job job(String name) {
    return name == null ? null : jobs.get(name);
  }

  /** The name of the job run {@code runId} belongs to, or null when no job has it. */
  public String jobOfRun(String runId) {
    for (Map.Entry<String, Job> e : jobs.entrySet()) {
      if (e.getValue().run(runId) != null) {
        return e.getKey();
      }
    }
    return null;
  }

  /** The state after {@code e}. */
  public CronState apply(CronEvent e) {
    if (e instanceof CronEvent.JobPut p) {
      Job old = jobs.get(p.job());
      String at = Instant.ofEpochMilli(p.at()).toString();
      Job j =
          old == null
              ? new Job(p.spec(), at, p.at(), List.of(), List.of())
              : new Job(
                  p.spec(),
                  p.resetCursor() ? at : old.cursor(),
                  old.created(),
                  old.history(),
                  old.warnings());
      return withJob(p.job(), j);
    }
    if (e instanceof CronEvent.JobDeleted d) {
      Map<String, Job> m = new TreeMap<>(jobs);
      m.remove(d.job());
      return new CronState(m, fence, fencedBy, fencedAt);
    }
    if (e instanceof CronEvent.Fenced f) {
      return new CronState(jobs, f.fence(), f.address(), f.at());
    }
    if (e instanceof CronEvent.TickStarted t) {
      Job j = jobs.get(t.job());
      return j == null ? this : withJob(t.job(), j.withRecord(t.run(), !t.run().manual()));
    }
    if (e instanceof CronEvent.TickRecorded t) {
      Job j = jobs.get(t.job());
      return j == null ? this : withJob(t.job(), j.withRecord(t.record(), true));
    }
    if (e instanceof CronEvent.RunEnded r) {
      Job j = jobs.get(r.job());
      RunRecord run = j == null ? null : j.run(r.run());
      if (run == null || !run.active()) {
        return this;
      }
      return withJob(
          r.job(),
          j.replaced(run.ended(r.state(), r.exitCode(), r.startedAt(), r.endedAt(), r.reason())));
    }
    if (e instanceof CronEvent.JobWarned w) {
      Job j = jobs.get(w.job());
      if (j == null) {
        return this;
      }
      List<String> ws = new ArrayList<>();
      ws.add(Instant.ofEpochMilli(w.at()) + " " + w.message());
      ws.addAll(j.warnings());
      return withJob(
          w.job(),
          new Job(
              j.spec(),
              j.cursor(),
              j.created(),
              j.history(),
              ws.subList(0, Math.min(ws.size(), MAX_WARNINGS))));
    }
    return this;
  }

  private CronState withJob(String name, Job j) {
    Map<String, Job> m = new TreeMap<>(jobs);
    m.put(name, j);
    return new CronState(m, fence, fencedBy, fencedAt);
  }
}
