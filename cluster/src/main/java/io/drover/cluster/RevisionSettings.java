package io.drover.cluster;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * How revisions move between hosts ({@code drover.revisions}).
 *
 * @param maxBytes largest archive fetched from a peer: the upload limit ({@code max-bytes})
 * @param connectTimeout a peer that does not accept a connection within this is skipped
 * @param idleTimeout a peer that sends no byte for this long (headers or body) is skipped
 * @param replicateTimeout how long an upload waits for a second host to store it before it answers
 *     503 (the revision is then on one host only; uploading it again completes the replication)
 * @param distributeSpread background fetches for a newly used revision start at a random moment
 *     within up to this long, so a large pool does not ask the first holders all at once
 */
public record RevisionSettings(
    long maxBytes,
    Duration connectTimeout,
    Duration idleTimeout,
    Duration replicateTimeout,
    Duration distributeSpread) {

  public static RevisionSettings fromConfig(Config config) {
    Config r = config.getConfig("drover.revisions");
    return new RevisionSettings(
        r.getBytes("max-bytes"),
        r.getDuration("connect-timeout"),
        r.getDuration("idle-timeout"),
        r.getDuration("replicate-timeout"),
        r.getDuration("distribute-spread"));
  }
}
