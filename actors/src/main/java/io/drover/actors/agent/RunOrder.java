package io.drover.actors.agent;

import io.drover.persistence.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * One cronjob run, as the scheduler dispatches it to a host agent; fixed for the life of its run
 * id.
 *
 * @param runId unique per run; an agent starts a given run id at most once
 * @param job the cronjob's name
 * @param tick the scheduled instant, ISO-8601 UTC (the run's {@code DROVER_TICK})
 * @param revision the release the run's command runs from (no build step for runs)
 * @param command argv, run in the release directory
 * @param env the job's environment, already validated (no {@code DROVER_*})
 * @param timeout a duration text like {@code "10m"} ({@code Durations.of}), bounded 1s..24h by the
 *     scheduler; the agent kills the run's process group when it is over
 * @param secretEnv the job's secret environment, merged over {@code env}; null: none. {@link
 *     #toString()} prints only its keys
 * @param user the user the run runs as when the node is root; null: {@code drover.agent.run-as}
 */
public record RunOrder(
    String runId,
    String job,
    String tick,
    String revision,
    List<String> command,
    Map<String, String> env,
    String timeout,
    Map<String, String> secretEnv,
    String user)
    implements CborSerializable {

  /** An order without secret environment and user. */
  public RunOrder(
      String runId,
      String job,
      String tick,
      String revision,
      List<String> command,
      Map<String, String> env,
      String timeout) {
    this(runId, job, tick, revision, command, env, timeout, null, null);
  }

  /** {@code env} with {@code secretEnv} merged over it. */
  public Map<String, String> processEnv() {
    Map<String, String> all = new java.util.TreeMap<>(env == null ? Map.of() : env);
    if (secretEnv != null) {
      all.putAll(secretEnv);
    }
    return all;
  }

  /** Like the record's, but each secret value is masked: logs print orders. */
  @Override
  public String toString() {
    return "RunOrder[runId="
        + runId
        + ", job="
        + job
        + ", tick="
        + tick
        + ", revision="
        + revision
        + ", command="
        + command
        + ", env="
        + env
        + ", timeout="
        + timeout
        + ", secretEnv="
        + io.drover.actors.site.SiteSpec.masked(secretEnv)
        + ", user="
        + user
        + "]";
  }
}
