package io.drover.actors.retention;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * What the {@link Janitor} keeps and how often it looks.
 *
 * @param keepPerSite the last revisions of every site that stay stored besides those in use ({@code
 *     drover.revisions.keep-per-site})
 * @param minAge an upload no site uses yet stays at least this long ({@code
 *     drover.revisions.min-age}), so a revision uploaded for a deploy is not deleted before the
 *     deploy uses it
 * @param removedLogsFor logs of instances this host no longer runs stay this long after their last
 *     write ({@code drover.retention.removed-instance-logs})
 * @param interval how often the janitor sweeps ({@code drover.retention.interval})
 */
public record RetentionSettings(
    int keepPerSite, Duration minAge, Duration removedLogsFor, Duration interval) {

  public RetentionSettings {
    if (keepPerSite < 1) {
      throw new IllegalArgumentException(
          "drover.revisions.keep-per-site must be at least 1 (the current revision): "
              + keepPerSite);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("drover.retention.interval must be positive");
    }
  }

  /** Reads the {@code drover} section. */
  public static RetentionSettings fromConfig(Config drover) {
    return new RetentionSettings(
        drover.getInt("revisions.keep-per-site"),
        drover.getDuration("revisions.min-age"),
        drover.getDuration("retention.removed-instance-logs"),
        drover.getDuration("retention.interval"));
  }

  /** The disk floor of {@code drover.disk}. */
  public static DiskFloor diskFloor(Config drover, java.nio.file.Path dataDir) {
    return new DiskFloor(
        dataDir, drover.getBytes("disk.min-free"), drover.getInt("disk.min-free-percent"));
  }
}
