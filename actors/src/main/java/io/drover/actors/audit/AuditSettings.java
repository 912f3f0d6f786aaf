package io.drover.actors.audit;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code drover.audit} settings.
 *
 * @param retention days older than this are never read (nor their entities started); their journal
 *     rows stay until an operator removes them
 * @param maxPerDay records kept per UTC day; beyond it a request is still served, its record is
 *     only logged (WARN)
 * @param writeTimeout how long a request's response waits for its record to be written
 */
public record AuditSettings(Duration retention, int maxPerDay, Duration writeTimeout) {

  public AuditSettings {
    if (retention.compareTo(Duration.ofDays(1)) < 0) {
      throw new IllegalArgumentException("drover.audit.retention must be at least 1d");
    }
    if (maxPerDay < 1) {
      throw new IllegalArgumentException("drover.audit.max-per-day must be at least 1");
    }
  }

  /** Reads {@code drover.audit} from the {@code drover} block. */
  public static AuditSettings fromConfig(Config drover) {
    Config c = drover.getConfig("audit");
    return new AuditSettings(
        c.getDuration("retention"), c.getInt("max-per-day"), c.getDuration("write-timeout"));
  }
}
