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
    Duration reportInterval) {}
