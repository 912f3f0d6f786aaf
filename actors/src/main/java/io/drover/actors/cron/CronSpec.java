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
    Boolean suspend)
    implements CborSerializable {}
