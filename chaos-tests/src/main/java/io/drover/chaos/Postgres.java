package io.drover.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * PostgreSQL for tests, with no manual step: the first call in a JVM runs {@code <root>/drover
 * dev-postgres} (which installs and starts a private server on 127.0.0.1 when needed), and every
 * test gets a fresh database of its own that {@link Database#close()} drops. The repository root is
 * the system property {@code drover.root} (default {@code ..}, the parent of a module).
 */
public final class Postgres {

  /** The role {@code drover dev-postgres} creates. */
  public static final String USER = "drover";

  /** Its password. */
  public static final String PASSWORD = "drover";

  private static String baseUrl;

  private Postgres() {}

  /** The JDBC URL of the development database {@code drover}, starting the server once per JVM. */
  public static synchronized String baseUrl() throws IOException, InterruptedException {
    if (baseUrl == null) {
      baseUrl = devPostgres();
    }
    return baseUrl;
  }

  private static String devPostgres() throws IOException, InterruptedException {
    Path root = Path.of(System.getProperty("drover.root", "..")).toAbsolutePath().normalize();
    Path script = root.resolve("drover");
    if (!Files.isRegularFile(script)) {
      throw new IllegalStateException("no launcher at " + script + ": set -Ddrover.root");
    }
    Path err = Files.createTempFile("drover-dev-postgres", ".log");
    Process p =
        new ProcessBuilder("bash", script.toString(), "dev-postgres")
            .redirectError(err.toFile())
            .start();
    byte[] out = p.getInputStream().readAllBytes();
    // A clean machine installs PostgreSQL from packages first: minutes, but bounded.
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      throw new IllegalStateException("drover dev-postgres did not finish; see " + err);
    }
    String url = new String(out, StandardCharsets.UTF_8).strip();
    if (p.exitValue() != 0 || !url.startsWith("jdbc:postgresql://")) {
      throw new IllegalStateException(
          "drover dev-postgres failed (exit "
              + p.exitValue()
              + ", stdout '"
              + url
              + "'): "
              + Files.readString(err));
    }
    Files.deleteIfExists(err);
    return url;
  }

  /** Creates a fresh, empty database owned by {@link #USER}. */
  public static Database createDatabase() throws IOException, InterruptedException, SQLException {
    String base = baseUrl();
    String name = "drover_t_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(base, USER, PASSWORD);
        Statement s = c.createStatement()) {
      s.execute("CREATE DATABASE " + name);
    }
    return new Database(name, base.substring(0, base.lastIndexOf('/') + 1) + name, base);
  }

  /**
   * One test's database.
   *
   * @param name database name, {@code drover_t_} and 12 hex digits
   * @param url its JDBC URL
   * @param adminUrl the database used to drop it
   */
  public record Database(String name, String url, String adminUrl) implements AutoCloseable {

    /** The launcher flags that make a node use this database as its journal. */
    public List<String> nodeArgs() {
      return List.of(
          "--journal",
          "postgres",
          "--jdbc-url",
          url,
          "--jdbc-user",
          USER,
          "--jdbc-password",
          PASSWORD);
    }

    /** Drops the database, closing connections a killed node may have left behind. */
    @Override
    public void close() throws SQLException {
      if (!name.toLowerCase(Locale.ROOT).matches("drover_t_[0-9a-f]{12}")) {
        throw new IllegalStateException("refusing to drop " + name);
      }
      try (Connection c = DriverManager.getConnection(adminUrl, USER, PASSWORD);
          Statement s = c.createStatement()) {
        s.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
      }
    }
  }
}
