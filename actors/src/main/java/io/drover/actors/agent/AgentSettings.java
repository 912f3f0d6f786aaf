package io.drover.actors.agent;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Settings of the host agent, read once from {@code drover.agent} and {@code drover.host}.
 *
 * @param host this host's name, unique in the cluster
 * @param pool this host's pool (e.g. {@code web}); sites run only on hosts of their pool
 * @param labels free-form host labels
 * @param dataDir the node's data directory; the agent uses {@code releases/}, {@code logs/} and
 *     {@code agent/} below it
 * @param portMin lowest port handed to instances as {@code PORT}
 * @param portMax highest port handed to instances (inclusive)
 * @param stopGrace time between SIGTERM and SIGKILL when stopping an instance
 * @param logMaxBytes size at which an instance's log file is rotated (one old file is kept)
 * @param reportInterval how often the agent re-sends every site its full instance report
 * @param buildTimeout longest a site's build may run (1s..2h); then its process group is killed and
 *     the instance start fails
 * @param sandbox who site processes run as and their limits, when the node runs as root ({@link
 *     Sandbox})
 */
public record AgentSettings(
    String host,
    String pool,
    Map<String, String> labels,
    Path dataDir,
    int portMin,
    int portMax,
    Duration stopGrace,
    long logMaxBytes,
    Duration reportInterval,
    Duration buildTimeout,
    Sandbox.Settings sandbox) {

  /**
   * Settings with the default build timeout (10 minutes) and no run-as user ({@link
   * Sandbox.Settings#OFF}); the node reads its sandbox from {@code drover.agent}.
   */
  public AgentSettings(
      String host,
      String pool,
      Map<String, String> labels,
      Path dataDir,
      int portMin,
      int portMax,
      Duration stopGrace,
      long logMaxBytes,
      Duration reportInterval) {
    this(
        host,
        pool,
        labels,
        dataDir,
        portMin,
        portMax,
        stopGrace,
        logMaxBytes,
        reportInterval,
        Builds.DEFAULT_TIMEOUT,
        Sandbox.Settings.OFF);
  }

  /** The same settings with another build timeout. */
  public AgentSettings withBuildTimeout(Duration timeout) {
    return new AgentSettings(
        host,
        pool,
        labels,
        dataDir,
        portMin,
        portMax,
        stopGrace,
        logMaxBytes,
        reportInterval,
        Builds.checkTimeout(timeout),
        sandbox);
  }

  /** The same settings with another sandbox. */
  public AgentSettings withSandbox(Sandbox.Settings newSandbox) {
    return new AgentSettings(
        host,
        pool,
        labels,
        dataDir,
        portMin,
        portMax,
        stopGrace,
        logMaxBytes,
        reportInterval,
        buildTimeout,
        java.util.Objects.requireNonNull(newSandbox));
  }
}
