package io.drover.chaos;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;

/**
 * What the sessions of a test database are doing ({@code pg_stat_activity}): evidence when a
 * failover stalls on the journal, e.g. a paused node's session left idle inside a transaction whose
 * uncommitted insert holds a key that the new writer waits for.
 */
public final class PgActivity {

  private PgActivity() {}

  /**
   * The sessions of {@code db} that are not idle (in a transaction, running, or waiting for a
   * lock), one line each: pid, client port, state, wait event, how long its transaction is open and
   * the start of its query. Empty when there are none; a line saying why when it cannot be read.
   */
  public static List<String> busySessions(Postgres.Database db) {
    List<String> out = new ArrayList<>();
    String sql =
        "SELECT pid, client_port, state, coalesce(wait_event_type || ':' || wait_event, '-'),"
            + " coalesce(round(extract(epoch FROM now() - xact_start) * 1000), -1),"
            + " left(regexp_replace(query, '\\s+', ' ', 'g'), 90)"
            + " FROM pg_stat_activity WHERE datname = current_database() AND pid <>"
            + " pg_backend_pid() AND state <> 'idle' ORDER BY xact_start";
    try (Connection c = DriverManager.getConnection(db.url(), Postgres.USER, Postgres.PASSWORD);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      while (r.next()) {
        out.add(
            "pid "
                + r.getLong(1)
                + " port "
                + r.getInt(2)
                + " "
                + r.getString(3)
                + " wait "
                + r.getString(4)
                + " xact "
                + r.getLong(5)
                + " ms: "
                + r.getString(6));
      }
    } catch (SQLException e) {
      out.add("(pg_stat_activity not readable: " + e.getMessage() + ")");
    }
    return out;
  }
}
