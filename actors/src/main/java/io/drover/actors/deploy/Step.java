package io.drover.actors.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.drover.persistence.CborSerializable;

/**
 * One step of a deploy, as the event streams show it. Built from the deploy's events (never
 * persisted on its own) and published on {@link DeployTopic} after each event is persisted.
 *
 * @param deploy the deploy id
 * @param seq the step's number within its deploy, from 1, without gaps (the SSE id is {@code
 *     <deploy>:<seq>} on the global stream, {@code <seq>} on a deploy's own stream)
 * @param at epoch ms
 * @param type {@code deploy-queued}, {@code deploy-started}, {@code host-started}, {@code
 *     instance-replaced}, {@code host-progress}, {@code host-done}, {@code host-failed}, {@code
 *     host-skipped}, {@code host-vanished}, {@code canary-baking}, {@code deploy-paused}, {@code
 *     deploy-resumed}, {@code deploy-ended}, {@code forced-abort}
 * @param host the host, for host steps
 * @param site the site, where one is concerned
 * @param state the deploy's or the host's state after the step
 * @param reason what happened, where there is more to say
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Step(
    String deploy,
    long seq,
    long at,
    String type,
    String host,
    String site,
    String state,
    String reason)
    implements CborSerializable {}
