package io.drover.cluster;

import com.typesafe.config.Config;
import io.drover.actors.agent.AgentSettings;
import io.drover.actors.agent.Sandbox;
import io.drover.actors.revision.ArchiveLimits;
import io.drover.actors.site.SiteSettings;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/**
 * Everything a node reads from the {@code drover} namespace, read once at start-up.
 *
 * @param dataDir absolute data directory (journal, snapshots, revisions, releases, logs)
 * @param host this host's name
 * @param pool this host's pool
 * @param bind address the cluster transport and the HTTP API bind to
 * @param clusterPort Artery port
 * @param httpPort HTTP API port
 * @param askTimeout how long the HTTP API waits for an actor's answer
 * @param revisionMaxBytes largest accepted revision upload
 * @param revisionLimits bounds on what a revision archive holds: unpacked size, entries, name
 *     length, depth, header sizes
 * @param agent the host agent's settings
 * @param site every site entity's settings
 * @param leaveDrainTimeout how long a graceful leave waits for the host's instances to move
 *     elsewhere before the node leaves anyway
 */
public record NodeSettings(
    Path dataDir,
    String host,
    String pool,
    String bind,
    int clusterPort,
    int httpPort,
    Duration askTimeout,
    long revisionMaxBytes,
    ArchiveLimits revisionLimits,
    AgentSettings agent,
    SiteSettings site,
    Duration leaveDrainTimeout) {

  /** Reads the resolved node configuration. */
  public static NodeSettings fromConfig(Config config) {
    Config d = config.getConfig("drover");
    Path dataDir = Path.of(d.getString("data-dir")).toAbsolutePath().normalize();
    String host = d.getString("host").isBlank() ? localHostName() : d.getString("host");
    String pool = d.getString("pool");
    AgentSettings agent =
        new AgentSettings(
                host,
                pool,
                Map.of(),
                dataDir,
                d.getInt("agent.port-min"),
                d.getInt("agent.port-max"),
                d.getDuration("agent.stop-grace"),
                d.getBytes("agent.log-max-bytes"),
                d.getDuration("agent.report-interval"))
            .withBuildTimeout(d.getDuration("agent.build-timeout"))
            .withSandbox(
                new Sandbox.Settings(
                    d.getString("agent.run-as"),
                    d.getInt("agent.limits.open-files"),
                    d.getInt("agent.limits.processes")));
    SiteSettings site =
        new SiteSettings(d.getDuration("grace"), d.getDuration("reconcile-interval"));
    return new NodeSettings(
        dataDir,
        host,
        pool,
        d.getString("http.bind"),
        config.getInt("pekko.remote.artery.canonical.port"),
        d.getInt("http.port"),
        d.getDuration("http.ask-timeout"),
        d.getBytes("revisions.max-bytes"),
        new ArchiveLimits(
            d.getBytes("revisions.max-unpacked-bytes"),
            d.getInt("revisions.max-entries"),
            d.getInt("revisions.max-name-bytes"),
            d.getInt("revisions.max-depth"),
            Math.toIntExact(d.getBytes("revisions.max-header-bytes"))),
        agent,
        site,
        d.getDuration("leave-drain-timeout"));
  }

  /** The machine's host name, as {@code hostname} prints it. */
  public static String localHostName() {
    String env = System.getenv("HOSTNAME");
    if (env != null && !env.isBlank()) {
      return env;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }
}
