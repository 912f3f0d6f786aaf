package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LogFilesTest {

  @TempDir Path dir;

  @Test
  void tailReadsLastLinesAcrossBlocks() throws IOException {
    Path log = dir.resolve("a.log");
    List<String> lines =
        IntStream.range(0, 5000).mapToObj(i -> "line " + i + " " + "x".repeat(i % 37)).toList();
    Files.write(log, lines);
    assertEquals(lines.subList(4990, 5000), LogFiles.tail(log, 10));
    assertEquals(lines, LogFiles.tail(log, 10_000));
    assertEquals(List.of(), LogFiles.tail(dir.resolve("missing.log"), 10));
  }

  @Test
  void tailContinuesIntoRotatedFileOnlyWhenNeeded() throws IOException {
    Path log = dir.resolve("b.log");
    Files.writeString(LogFiles.rotated(log), "old1\nold2\nold3\n");
    Files.writeString(log, "new1\nnew2");
    assertEquals(List.of("new1", "new2"), LogFiles.tail(log, 2));
    assertEquals(List.of("old2", "old3", "new1", "new2"), LogFiles.tail(log, 4));
  }

  @Test
  void rotationCopiesAndTruncates() throws IOException {
    Path log = dir.resolve("c.log");
    String text = IntStream.range(0, 100).mapToObj(i -> "l" + i).collect(Collectors.joining("\n"));
    Files.writeString(log, text);
    assertTrue(LogFiles.rotateIfLarger(log, 10));
    assertEquals(0, Files.size(log));
    assertEquals(text, Files.readString(LogFiles.rotated(log)));
    assertEquals(false, LogFiles.rotateIfLarger(log, 10));
    List<String> tail = new ArrayList<>(LogFiles.tail(log, 2));
    assertEquals(List.of("l98", "l99"), tail);
  }
}
