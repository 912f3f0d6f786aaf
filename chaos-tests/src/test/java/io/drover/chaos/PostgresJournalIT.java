package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.cluster.JournalSettings;
import io.drover.cluster.PostgresSchema;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PostgreSQL journal with a real node process: a site created on one node comes back on a node
 * started on a new, empty data directory against the same database, so its state came from
 * PostgreSQL. Also: nodes starting together create the schema exactly once.
 */
class PostgresJournalIT {

  @TempDir Path tmp;

  private LocalNode node;
  private Postgres.Database db;
  private final Set<Long> instancePids = new HashSet<>();

  @AfterEach
  void cleanUp() throws Exception {
    if (node != null) {
      node.kill();
    }
    for (long pid : instancePids) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    if (db != null) {
      db.close();
    }
  }

  @Test
  void siteComesBackFromPostgresOnAnEmptyDataDir() throws Exception {
    db = Postgres.createDatabase();
    String[] args = journalArgs();
    node = new LocalNode(tmp.resolve("data-1")).start(args);
    String rev = upload(LocalNode.examples().resolve("hello"));
    HttpResponse<String> created =
        node.send("PUT", "/sites/hello", HttpRequest.BodyPublishers.ofString(helloSpec(rev)));
    assertEquals(201, created.statusCode(), created.body());
    List<Long> before = pids(awaitReady("hello", 2, Duration.ofSeconds(120)));
    assertTrue(
        count("SELECT count(*) FROM event_journal WHERE persistence_id LIKE '%hello'") > 0,
        "site events are in PostgreSQL");

    // The node dies, and so does its host's copy of everything (data dir and instances).
    node.kill();
    before.forEach(pid -> ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly));

    Path fresh = tmp.resolve("data-2");
    node = new LocalNode(fresh).start(args);
    assertFalse(Files.exists(fresh.resolve("journal")), "no LevelDB journal on the new data dir");
    JsonNode site = node.json("/sites/hello");
    assertEquals(rev, site.at("/spec/revision").asText(), "spec recovered: " + site);
    assertEquals(2, site.at("/spec/instances").asInt(), "spec recovered: " + site);

    // Revisions live in each node's data dir; the new one needs the archive again (same id).
    assertEquals(rev, upload(LocalNode.examples().resolve("hello")));
    List<JsonNode> after = awaitReady("hello", 2, Duration.ofSeconds(120));
    for (JsonNode i : after) {
      assertFalse(before.contains(i.get("pid").asLong()), "a fresh process: " + i);
    }
  }

  @Test
  void nodesStartingTogetherCreateTheSchemaOnce() throws Exception {
    db = Postgres.createDatabase();
    JournalSettings journal =
        new JournalSettings(
            JournalSettings.Kind.POSTGRES,
            db.url(),
            Postgres.USER,
            Postgres.PASSWORD,
            Duration.ofSeconds(10));
    List<CompletableFuture<Boolean>> starts = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      starts.add(CompletableFuture.supplyAsync(() -> PostgresSchema.ensure(journal)));
    }
    int created = 0;
    for (CompletableFuture<Boolean> s : starts) {
      created += s.get(60, TimeUnit.SECONDS) ? 1 : 0;
    }
    assertEquals(1, created, "exactly one creator");
    assertEquals(0, count("SELECT count(*) FROM event_journal"));
    assertEquals(0, count("SELECT count(*) FROM snapshot"));
    assertFalse(PostgresSchema.ensure(journal), "a later start finds the tables");
  }

  private String[] journalArgs() {
    List<String> args = new ArrayList<>(List.of("--no-example"));
    args.addAll(db.nodeArgs());
    return args.toArray(String[]::new);
  }

  private long count(String sql) throws Exception {
    try (Connection c = DriverManager.getConnection(db.url(), Postgres.USER, Postgres.PASSWORD);
        Statement s = c.createStatement();
        ResultSet r = s.executeQuery(sql)) {
      r.next();
      return r.getLong(1);
    }
  }

  private String upload(Path appDir) throws IOException, InterruptedException {
    return node.uploadRevision(appDir, tmp);
  }

  private static String helloSpec(String revision) {
    return "{\"revision\":\""
        + revision
        + "\",\"command\":[\"java\",\"-Xmx32m\",\"-XX:TieredStopAtLevel=1\",\"Hello.java\"],"
        + "\"instances\":2,\"health\":{\"http\":\"/healthz\"}}";
  }

  private List<Long> pids(List<JsonNode> instances) {
    return instances.stream().map(i -> i.get("pid").asLong()).toList();
  }

  private List<JsonNode> awaitReady(String site, int count, Duration within)
      throws InterruptedException {
    AtomicReference<List<JsonNode>> seen = new AtomicReference<>();
    LocalNode.await(
        within,
        count + " ready instances of " + site,
        () -> {
          List<JsonNode> ready = new ArrayList<>();
          for (JsonNode i : node.json("/sites/" + site + "/instances")) {
            if (i.hasNonNull("pid")) {
              instancePids.add(i.get("pid").asLong());
            }
            if ("ready".equals(i.get("state").asText())) {
              ready.add(i);
            }
          }
          seen.set(ready);
          return ready.size() == count;
        });
    return seen.get();
  }
}
