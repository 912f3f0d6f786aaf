package io.drover.cluster;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Locale;

/**
 * Where a node keeps its events and snapshots, read once from {@code drover.journal} and {@code
 * drover.jdbc}.
 *
 * @param kind the journal plugin family
 * @param url JDBC URL of the PostgreSQL database; empty when {@code kind} is LevelDB
 * @param user database user
 * @param password database password; never printed by {@link #toString()}
 * @param connectTimeout how long the node waits for the database at start
 */
public record JournalSettings(
    Kind kind, String url, String user, String password, Duration connectTimeout) {

  /** The prefix every PostgreSQL JDBC URL has. */
  public static final String POSTGRES_URL_PREFIX = "jdbc:postgresql://";

  /** The journal plugin family. */
  public enum Kind {
    /** Embedded LevelDB under the data directory: one node only. */
    LEVELDB,
    /** PostgreSQL through pekko-persistence-jdbc: every node reaches the same journal. */
    POSTGRES;

    /** Parses {@code leveldb} or {@code postgres} (any case). */
    public static Kind parse(String value) {
      try {
        return valueOf(value.trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "drover.journal '" + value + "' is not a journal: use leveldb or postgres", e);
      }
    }
  }

  /** Reads and checks the resolved node configuration. */
  public static JournalSettings fromConfig(Config config) {
    Config d = config.getConfig("drover");
    Kind kind = Kind.parse(d.getString("journal"));
    String url = d.getString("jdbc.url").trim();
    if (kind == Kind.POSTGRES && !url.startsWith(POSTGRES_URL_PREFIX)) {
      throw new IllegalArgumentException(
          "drover.journal = postgres needs drover.jdbc.url starting with "
              + POSTGRES_URL_PREFIX
              + " (got '"
              + url
              + "')");
    }
    return new JournalSettings(
        kind,
        url,
        d.getString("jdbc.user"),
        d.getString("jdbc.password"),
        d.getDuration("jdbc.connect-timeout"));
  }

  /** The settings without the password. */
  @Override
  public String toString() {
    return "JournalSettings[kind=" + kind + ", url=" + url + ", user=" + user + "]";
  }
}
