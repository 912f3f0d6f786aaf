package io.drover.actors.agent;

import io.drover.actors.common.Durations;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The decisions that make a cronjob run start at most once on a host, as pure functions: the
 * fencing check, what to do with a {@link HostAgent.StartRun}, what a restart makes of runs that
 * were under way, which records to keep.
 */
final class RunRules {

  /**
   * How many run records an agent keeps (on disk and in memory). Beyond it the oldest finished runs
   * are forgotten (with their log files); runs still starting or running are always kept.
   */
  static final int MAX_RECORDS = 1000;

  static final String LOST_ON_RESTART = "the node stopped while the run was running";

  private RunRules() {}

  /** What to do with a {@link HostAgent.StartRun}. */
  enum Start {
    /** The fencing token is older than one seen: answer {@code REFUSED}, start nothing. */
    REFUSE,
    /** The run id is known: answer its current status, start nothing. */
    ANSWER_CURRENT,
    /** The agent lost its records and the tick is older than that loss: record it {@code LOST}. */
    LOST_RECORDS,
    /** A new run id: record it, then start it. */
    START
  }

  /**
   * The refusal of a request carrying {@code fence} by an agent that has seen {@code seen}, or
   * empty when it is accepted (equal or higher).
   */
  static Optional<String> fenceRefusal(long seen, long fence) {
    if (fence >= seen) {
      return Optional.empty();
    }
    return Optional.of(
        "dispatch from scheduler fencing token "
            + fence
            + ", this agent has seen "
            + seen
            + " (a newer scheduler owns the runs)");
  }

  /**
   * The decision for a start of run {@code tick} with {@code fence}.
   *
   * @param known the record of the run id, or {@code null}
   * @param recordsLostAt when this agent found its run records unreadable, or {@code null}
   */
  static Start decideStart(
      long seen, long fence, RunRecord known, String tick, Instant recordsLostAt) {
    if (fenceRefusal(seen, fence).isPresent()) {
      return Start.REFUSE;
    }
    if (known != null) {
      return Start.ANSWER_CURRENT;
    }
    if (recordsLostAt != null && tickBefore(tick, recordsLostAt)) {
      return Start.LOST_RECORDS;
    }
    return Start.START;
  }

  private static boolean tickBefore(String tick, Instant at) {
    try {
      return Instant.parse(tick).isBefore(at);
    } catch (DateTimeParseException | NullPointerException e) {
      return true;
    }
  }

  /**
   * What a new incarnation makes of a record of the previous one: a run that was starting or
   * running is {@code LOST} (its process died with the node, or the orphan reaper killed it).
   */
  static RunRecord afterRestart(RunRecord r) {
    return r.state().isActive() ? r.ended(RunState.LOST, null, LOST_ON_RESTART, null) : r;
  }

  /**
   * The records to keep, oldest first: at most {@link #MAX_RECORDS}, dropping the oldest finished
   * ones first; active runs are never dropped.
   */
  static List<RunRecord> prune(Collection<RunRecord> oldestFirst, int max) {
    int excess = oldestFirst.size() - max;
    List<RunRecord> kept = new ArrayList<>(oldestFirst.size());
    for (RunRecord r : oldestFirst) {
      if (excess > 0 && !r.state().isActive()) {
        excess--;
      } else {
        kept.add(r);
      }
    }
    return kept;
  }

  /**
   * What is wrong with an order the scheduler should never have sent, or {@code null} when it can
   * run. The scheduler validates jobs; this guards the agent against a malformed message.
   */
  static String problem(RunOrder o) {
    if (o == null || blank(o.runId())) {
      return "no run id";
    }
    if (blank(o.job())) {
      return "no job name";
    }
    if (blank(o.revision())) {
      return "no revision";
    }
    try {
      Instant.parse(o.tick());
    } catch (DateTimeParseException | NullPointerException e) {
      return "tick '" + o.tick() + "' is not an ISO-8601 instant";
    }
    if (o.command() == null
        || o.command().isEmpty()
        || o.command().stream().anyMatch(a -> a == null)) {
      return "no command";
    }
    Optional<Duration> timeout = Durations.parse(o.timeout());
    if (timeout.isEmpty() || timeout.get().isNegative() || timeout.get().isZero()) {
      return "timeout '" + o.timeout() + "' is not a positive duration";
    }
    if (o.env() != null) {
      for (Map.Entry<String, String> e : o.env().entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          return "env has a null name or value";
        }
      }
    }
    if (o.secretEnv() != null) {
      for (Map.Entry<String, String> e : o.secretEnv().entrySet()) {
        if (e.getKey() == null || e.getValue() == null) {
          return "secretEnv has a null name or value";
        }
      }
    }
    return null;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  /**
   * {@code <dataDir>/cron-logs/<job>/<runId>.log}; both names URL-encoded, so no name can leave the
   * directory.
   */
  static Path logFile(Path dataDir, String job, String runId) {
    return dataDir.resolve("cron-logs").resolve(segment(job)).resolve(segment(runId) + ".log");
  }

  private static String segment(String name) {
    String s = name == null ? "" : URLEncoder.encode(name, StandardCharsets.UTF_8);
    return s.isEmpty() || s.equals(".") || s.equals("..") ? s.replace(".", "%2E") + "_" : s;
  }

  /** An answer for a run id this agent has never seen (or has forgotten). */
  static RunStatus unknown(String runId, String host, long seen) {
    return new RunStatus(
        runId,
        null,
        host,
        RunState.UNKNOWN,
        null,
        null,
        null,
        "run " + runId + " is unknown on host " + host,
        seen);
  }

  /** A refusal: nothing was started or changed. */
  static RunStatus refused(String runId, String job, String host, String why, long seen) {
    return new RunStatus(runId, job, host, RunState.REFUSED, null, null, null, why, seen);
  }
}
