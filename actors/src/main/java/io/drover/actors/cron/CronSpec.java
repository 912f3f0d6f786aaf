package io.drover.actors.cron;

import io.drover.persistence.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * What a cronjob is, as stored in the scheduler's journal. Durations are texts such as {@code
 * "10m"}; absent optional fields are filled by {@link CronSpecs#withDefaults}.
 *
 * @param schedule a cron expression ({@code "*}{@code /5 * * * *"}) or {@code "@every 10s"}
 * @param timezone the IANA zone cron expressions are evaluated in
 * @param revision the uploaded revision the job runs from
 * @param command the program and its arguments, run in the revision's release directory
 * @param env extra environment (no {@code PORT}, no {@code DROVER_*})
 * @param pool the pool whose hosts run it
 * @param timeout a run still running after this long is killed and fails
 * @param concurrency {@code forbid}, {@code allow} or {@code replace}
 * @param startingDeadline a tick not started within this long after its instant is missed
 * @param catchUp {@code none}, {@code latest} or {@code all}: which of several ticks due at once
 *     run
 * @param retry how many more runs a tick gets when its run failed or was lost
 * @param suspend true: no tick runs until it is false again
 * @param secretEnv environment like {@code env}, merged over it, never shown (the HTTP API masks
 *     its values, {@link #toString()} prints only its keys); null or absent: none
 * @param user the user its runs run as when the node is root; {@code drover.agent.run-as} when
 *     absent
 */
public record CronSpec(
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
    String user)
    implements CborSerializable {

  /** A spec without secret environment and user. */
  public CronSpec(
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
      Boolean suspend) {
    this(
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
        null,
        null);
  }

  /** Like the record's, but each secret value is masked: logs print specs. */
  @Override
  public String toString() {
    return "CronSpec[schedule="
        + schedule
        + ", timezone="
        + timezone
        + ", revision="
        + revision
        + ", command="
        + command
        + ", env="
        + env
        + ", pool="
        + pool
        + ", timeout="
        + timeout
        + ", concurrency="
        + concurrency
        + ", startingDeadline="
        + startingDeadline
        + ", catchUp="
        + catchUp
        + ", retry="
        + retry
        + ", suspend="
        + suspend
        + ", secretEnv="
        + io.drover.actors.site.SiteSpec.masked(secretEnv)
        + ", user="
        + user
        + "]";
  }
}
