package io.drover.http.cli.watch;

/**
 * One step of a deploy as the event streams send it ({@code data:} of an event): the client's copy
 * of the node's {@code io.drover.actors.deploy.Step}, so the CLI needs none of the node's classes.
 *
 * @param deploy the deploy id
 * @param seq the step's number within its deploy, from 1, without gaps
 * @param at epoch ms (the node's clock)
 * @param type {@code deploy-queued}, {@code deploy-started}, {@code host-started}, {@code
 *     instance-replaced}, {@code host-progress}, {@code host-done}, {@code host-failed}, {@code
 *     host-skipped}, {@code host-vanished}, {@code canary-baking}, {@code deploy-paused}, {@code
 *     deploy-resumed}, {@code deploy-ended}, {@code forced-abort}; others (from a newer node) are
 *     shown and otherwise ignored
 * @param host the host, for host steps; else null
 * @param site the site, where one is concerned; else null
 * @param state the deploy's or the host's state after the step
 * @param reason what happened, where there is more to say; may span lines (a log tail)
 */
public record DeployStep(
    String deploy,
    long seq,
    long at,
    String type,
    String host,
    String site,
    String state,
    String reason) {

  /** True for the steps about one host. */
  public boolean isHostStep() {
    return host != null
        && type != null
        && (type.startsWith("host-") || type.startsWith("instance-"));
  }
}
