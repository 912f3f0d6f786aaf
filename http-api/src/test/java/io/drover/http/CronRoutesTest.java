package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.actors.revision.TarGz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code /api/v1/cronjobs} on a real one-node cluster: bad input is refused with what to fix and
 * changes nothing; a job {@code @every 1s} runs a real process per tick with DROVER_CRONJOB,
 * DROVER_TICK and DROVER_RUN, each tick once; runs, logs, trigger and delete work.
 */
class CronRoutesTest {

  @TempDir Path tmp;
  private TestNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private String upload() throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("job"));
    Files.writeString(
        dir.resolve("tick.sh"),
        "echo \"$DROVER_CRONJOB $DROVER_TICK $DROVER_RUN\" >> \"$OUT\"\necho ran $DROVER_RUN\n");
    Path out = tmp.resolve("job.tar.gz");
    TarGz.pack(dir, out);
    TestNode.Reply r = node.upload(Files.readAllBytes(out));
    assertEquals(201, r.status(), r.body());
    return Json.MAPPER.readTree(r.body()).get("id").asText();
  }

  private JsonNode json(TestNode.Reply r) throws Exception {
    return Json.MAPPER.readTree(r.body());
  }

  @Test
  void cronjobsRunEachTickOnceAndSayWhatHappened() throws Exception {
    node = TestNode.start(tmp.resolve("node"), Map.of());
    String rev = upload();
    // A root node runs the job as drover.agent.run-as: let it reach and append to the file.
    Path out = Files.createFile(tmp.resolve("ticks.txt"));
    Files.setPosixFilePermissions(out, PosixFilePermissions.fromString("rw-rw-rw-"));
    Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rwx--x--x"));

    // Bad input: 400 naming each problem; nothing created.
    TestNode.Reply bad =
        node.call(
            "PUT",
            "/api/v1/cronjobs/tick",
            "{\"schedule\": \"@every 500ms\", \"timezone\": \"Mars/Base\", \"revision\": \""
                + rev
                + "\", \"command\": [\"sh\", \"tick.sh\"], \"catchUp\": \"some\"}");
    assertEquals(400, bad.status(), bad.body());
    assertTrue(bad.body().contains("between 1s"), bad.body());
    assertTrue(bad.body().contains("Mars/Base"), bad.body());
    assertTrue(bad.body().contains("catchUp 'some'"), bad.body());
    TestNode.Reply cron =
        node.call(
            "PUT",
            "/api/v1/cronjobs/tick",
            "{\"schedule\": \"61 * * * *\", \"revision\": \""
                + rev
                + "\", \"command\": [\"true\"]}");
    assertEquals(400, cron.status(), cron.body());
    assertTrue(cron.body().contains("not a cron expression"), cron.body());
    TestNode.Reply noRev =
        node.call(
            "PUT",
            "/api/v1/cronjobs/tick",
            "{\"schedule\": \"@every 1s\", \"revision\": \""
                + "b".repeat(64)
                + "\", \"command\": [\"true\"]}");
    assertEquals(400, noRev.status(), noRev.body());
    assertTrue(noRev.body().contains("not uploaded"), noRev.body());
    assertEquals(404, node.call("GET", "/api/v1/cronjobs/tick", null).status());

    String body =
        "{\"schedule\": \"@every 1s\", \"revision\": \""
            + rev
            + "\", \"command\": [\"sh\", \"tick.sh\"], \"env\": {\"OUT\": \""
            + out
            + "\"}}";
    TestNode.Reply created = node.call("PUT", "/api/v1/cronjobs/tick", body);
    assertEquals(201, created.status(), created.body());
    JsonNode job = json(created);
    assertEquals("forbid", job.at("/spec/concurrency").asText());
    assertEquals("latest", job.at("/spec/catchUp").asText());
    assertEquals(5, job.get("next").size());
    assertEquals(200, node.call("PUT", "/api/v1/cronjobs/tick", body).status(), "same spec again");

    // It runs: one line per tick, each tick once.
    TestNode.await(
        Duration.ofSeconds(30),
        "3 runs",
        () -> Files.exists(out) && Files.readAllLines(out).size() >= 3);
    List<String> lines = Files.readAllLines(out);
    Set<String> ticks = new HashSet<>();
    for (String line : lines) {
      String[] f = line.split(" ");
      assertEquals("tick", f[0], line);
      assertTrue(ticks.add(f[1]), "tick twice: " + lines);
      assertEquals("tick-" + f[1].replace("-", "").replace(":", ""), f[2], line);
    }
    TestNode.await(
        Duration.ofSeconds(30),
        "a succeeded run",
        () -> {
          JsonNode runs = json(node.call("GET", "/api/v1/cronjobs/tick/runs", null)).get("runs");
          for (JsonNode r : runs) {
            if (r.get("state").asText().equals("succeeded")) {
              return r.get("exitCode").asInt() == 0 && r.get("host").asText().equals("test-host");
            }
          }
          return false;
        });
    JsonNode runs = json(node.call("GET", "/api/v1/cronjobs/tick/runs?limit=2", null)).get("runs");
    assertEquals(2, runs.size());
    assertTrue(
        runs.get(0).get("tick").asText().compareTo(runs.get(1).get("tick").asText()) > 0,
        "newest first");
    assertEquals(400, node.call("GET", "/api/v1/cronjobs/tick/runs?limit=0", null).status());

    // Logs of a finished run.
    String done = null;
    for (JsonNode r : json(node.call("GET", "/api/v1/cronjobs/tick/runs", null)).get("runs")) {
      if (r.get("state").asText().equals("succeeded")) {
        done = r.get("run").asText();
        break;
      }
    }
    TestNode.Reply logs =
        node.call("GET", "/api/v1/cronjobs/tick/runs/" + done + "/logs?tail=5", null);
    assertEquals(200, logs.status(), logs.body());
    assertTrue(logs.body().contains("ran " + done), logs.body());

    // Suspend: no new ticks run.
    TestNode.Reply suspended =
        node.call("PUT", "/api/v1/cronjobs/tick", body.replace("}}", "}, \"suspend\": true}"));
    assertEquals(200, suspended.status(), suspended.body());
    assertEquals(0, json(suspended).get("next").size());

    // A manual run is recorded as such.
    TestNode.Reply trig = node.call("POST", "/api/v1/cronjobs/tick/trigger", null);
    assertEquals(201, trig.status(), trig.body());
    assertTrue(json(trig).get("manual").asBoolean());
    String manualRun = json(trig).get("run").asText();
    TestNode.await(
        Duration.ofSeconds(30),
        "the manual run wrote its line",
        () -> Files.readAllLines(out).stream().anyMatch(l -> l.endsWith(" " + manualRun)));

    // Delete: gone, 404 after.
    assertEquals(200, node.call("DELETE", "/api/v1/cronjobs/tick", null).status());
    assertEquals(404, node.call("GET", "/api/v1/cronjobs/tick", null).status());
    assertEquals(404, node.call("POST", "/api/v1/cronjobs/tick/trigger", null).status());
    JsonNode list = json(node.call("GET", "/api/v1/cronjobs", null));
    assertFalse(list.get("cronjobs").elements().hasNext());
  }
}
