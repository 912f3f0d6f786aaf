package io.drover.cluster;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Creates the pekko-persistence-jdbc tables on first start, with plain JDBC before the actor system
 * starts. Nodes starting together serialize on a PostgreSQL advisory lock, so exactly one of them
 * runs the schema script and the others find the tables.
 */
public final class PostgresSchema {

  /** The schema script shipped inside the pekko-persistence-jdbc jar. */
  public static final String SCHEMA_RESOURCE = "schema/postgres/postgres-create-schema.sql";

  /** The advisory lock key ("drover" in ASCII); only Drover nodes take it. */
  static final long LOCK_KEY = 0x64726f766572L;

  /** How long a node waits for another node that is creating the schema. */
  private static final Duration LOCK_WAIT = Duration.ofSeconds(60);

  private static final Logger log = LoggerFactory.getLogger(PostgresSchema.class);

  private PostgresSchema() {}

  /**
   * Makes sure the journal tables exist in the database of {@code journal}.
   *
   * @return true when this call created them
   * @throws StartRefused when the database cannot be reached or the schema cannot be created
   */
  public static boolean ensure(JournalSettings journal) {
    Properties props = new Properties();
    props.setProperty("user", journal.user());
    props.setProperty("password", journal.password());
    long seconds = Math.max(1, journal.connectTimeout().toSeconds());
    props.setProperty("connectTimeout", Long.toString(seconds));
    props.setProperty("loginTimeout", Long.toString(seconds));
    props.setProperty("ApplicationName", "drover-schema");
    Connection c;
    try {
      c = DriverManager.getConnection(journal.url(), props);
    } catch (SQLException e) {
      throw new StartRefused(
          "cannot reach the journal database "
              + journal.url()
              + " as user '"
              + journal.user()
              + "': "
              + e.getMessage()
              + " (check that PostgreSQL runs and accepts TCP connections there, that the database"
              + " exists, and --jdbc-user/--jdbc-password; for development: ./drover dev-postgres)",
          e);
    }
    try (c) {
      return createUnderLock(c);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new StartRefused("interrupted while preparing the journal schema", e);
    } catch (SQLException | IOException e) {
      throw new StartRefused(
          "cannot create the journal schema in "
              + journal.url()
              + " as user '"
              + journal.user()
              + "': "
              + e.getMessage()
              + " (the user needs CREATE on schema public, or create the tables yourself from "
              + SCHEMA_RESOURCE
              + " in the pekko-persistence-jdbc jar)",
          e);
    }
  }

  private static boolean createUnderLock(Connection c)
      throws SQLException, IOException, InterruptedException {
    c.setAutoCommit(true);
    lock(c);
    try {
      if (exists(c, "public.event_journal")) {
        return false;
      }
      List<String> statements = statements();
      try (Statement s = c.createStatement()) {
        for (String sql : statements) {
          s.execute(sql);
        }
      }
      log.info(
          "created the journal schema ({} statements from {})", statements.size(), SCHEMA_RESOURCE);
      return true;
    } finally {
      try (Statement s = c.createStatement()) {
        s.execute("SELECT pg_advisory_unlock(" + LOCK_KEY + ")");
      }
    }
  }

  /**
   * Takes the advisory lock by polling {@code pg_try_advisory_lock}, never by waiting in {@code
   * pg_advisory_lock}: a session blocked in that call keeps a transaction open, and the holder's
   * {@code CREATE INDEX CONCURRENTLY} waits for every open transaction, a deadlock.
   */
  private static void lock(Connection c) throws SQLException, InterruptedException {
    long deadline = System.nanoTime() + LOCK_WAIT.toNanos();
    try (Statement s = c.createStatement()) {
      while (true) {
        try (ResultSet r = s.executeQuery("SELECT pg_try_advisory_lock(" + LOCK_KEY + ")")) {
          r.next();
          if (r.getBoolean(1)) {
            return;
          }
        }
        if (System.nanoTime() > deadline) {
          throw new SQLException(
              "another node held the schema lock (pg_advisory_lock "
                  + LOCK_KEY
                  + ") for "
                  + LOCK_WAIT.toSeconds()
                  + " s");
        }
        TimeUnit.MILLISECONDS.sleep(100);
      }
    }
  }

  private static boolean exists(Connection c, String table) throws SQLException {
    try (PreparedStatement p = c.prepareStatement("SELECT to_regclass(?) IS NOT NULL")) {
      p.setString(1, table);
      try (ResultSet r = p.executeQuery()) {
        r.next();
        return r.getBoolean(1);
      }
    }
  }

  /**
   * The script's statements, one by one: it contains {@code CREATE INDEX CONCURRENTLY}, which may
   * not run inside a transaction or a multi-statement string.
   */
  static List<String> statements() throws IOException {
    String script;
    try (InputStream in =
        PostgresSchema.class.getClassLoader().getResourceAsStream(SCHEMA_RESOURCE)) {
      if (in == null) {
        throw new IOException(SCHEMA_RESOURCE + " is missing from the classpath");
      }
      script = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    StringBuilder noComments = new StringBuilder();
    for (String line : script.split("\n")) {
      if (!line.strip().startsWith("--")) {
        noComments.append(line).append('\n');
      }
    }
    List<String> statements = new ArrayList<>();
    for (String sql : noComments.toString().split(";")) {
      if (!sql.isBlank()) {
        statements.add(sql.strip());
      }
    }
    return statements;
  }
}
