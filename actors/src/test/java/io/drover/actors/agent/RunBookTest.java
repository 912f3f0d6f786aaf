package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunBookTest {

  @TempDir Path dir;

  private static RunRecord record(String id, long fence) {
    return RunRecord.accepted(
            new RunOrder(
                id, "backup", "2026-12-01T03:00:00Z", "rev", List.of("true"), Map.of(), "1m"),
            fence,
            1000)
        .running(42, "2026-12-01T03:00:00.1Z", 2000);
  }

  @Test
  void emptyOnFirstStart() {
    RunBook.Loaded l = new RunBook(dir).load();
    assertEquals(0, l.fence());
    assertEquals(List.of(), l.runs());
    assertNull(l.problem());
    assertFalse(l.runsLost());
    assertNull(l.recordsLostAt());
  }

  @Test
  void roundTripKeepsOrderAndFence() throws IOException {
    RunBook book = new RunBook(dir);
    book.saveFence(7);
    RunRecord b = record("b", 3);
    RunRecord a = record("a", 4).ended(RunState.FAILED, 3, "exited with code 3", 5000L);
    book.saveRuns(7, List.of(b, a), null);
    RunBook.Loaded l = new RunBook(dir).load();
    assertEquals(7, l.fence());
    assertEquals(List.of(b, a), l.runs());
    assertNull(l.problem());
    assertFalse(Files.exists(dir.resolve("runs.json.tmp")));
  }

  @Test
  void fenceIsTheHighestOfBothFilesAndTheRecords() throws IOException {
    RunBook book = new RunBook(dir);
    book.saveRuns(6, List.of(record("a", 9)), null);
    book.saveFence(4);
    assertEquals(9, new RunBook(dir).load().fence());
    Files.writeString(dir.resolve("fence"), "garbage");
    RunBook.Loaded l = new RunBook(dir).load();
    assertEquals(9, l.fence());
    assertNotNull(l.problem());
    assertFalse(l.runsLost());
  }

  @Test
  void unreadableRunsFileIsMovedAsideAndTheFenceKept() throws IOException {
    RunBook book = new RunBook(dir);
    book.saveFence(5);
    Files.writeString(dir.resolve("runs.json"), "{ not json");
    RunBook.Loaded l = new RunBook(dir).load();
    assertEquals(5, l.fence());
    assertEquals(List.of(), l.runs());
    assertTrue(l.runsLost());
    assertTrue(l.problem().contains("unreadable runs file"), l.problem());
    assertTrue(Files.exists(dir.resolve("runs.json.unreadable")));
    assertFalse(Files.exists(dir.resolve("runs.json")));
    assertNotNull(l.recordsLostAt());
    assertFalse(l.problem().contains("\n"), l.problem());

    // the loss is remembered by the next write, so a later incarnation still knows it
    book.saveRuns(5, List.of(), l.recordsLostAt());
    RunBook.Loaded next = new RunBook(dir).load();
    assertFalse(next.runsLost());
    assertEquals(l.recordsLostAt(), next.recordsLostAt());
  }
}
