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

  /** A 64 MiB log without a single newline, written in 1 MiB chunks. */
  private Path logWithoutNewlines(String name) throws IOException {
    Path log = dir.resolve(name);
    byte[] chunk = "x".repeat(1024 * 1024).getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    try (java.io.OutputStream out = Files.newOutputStream(log)) {
      for (int i = 0; i < 64; i++) {
        out.write(chunk);
      }
      out.write("END".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    }
    return log;
  }

  @Test
  void aLogWithoutNewlinesIsReadBoundedAndOnlyOnce() throws IOException {
    Path log = logWithoutNewlines("flat.log");
    LogFiles.Tail tail = LogFiles.tail(log, 10, LogFiles.MAX_TAIL_BYTES);
    assertTrue(tail.bytesRead() <= LogFiles.MAX_TAIL_BYTES + 8192, "read " + tail.bytesRead());
    assertEquals(1, tail.lines().size());
    String line = tail.lines().get(0);
    assertTrue(line.startsWith("…"), line.substring(0, 10));
    assertTrue(line.endsWith("xEND"));
    assertTrue(line.length() <= LogFiles.MAX_TAIL_BYTES + 8192 + 1, "length " + line.length());
    // the public entry point is capped the same way
    List<String> lines = LogFiles.tail(log, 10_000);
    assertTrue(lines.get(0).length() <= LogFiles.MAX_TAIL_BYTES + 8192 + 1);
    // the short tail an exit message carries reads a few blocks only
    String shortTail = LogFiles.shortTail(log, 5, 500);
    assertTrue(shortTail.length() <= 501, "length " + shortTail.length());
    assertTrue(shortTail.endsWith("xEND"));
  }

  @Test
  void cappedTailKeepsWholeLinesWhenTheyFit() throws IOException {
    Path log = dir.resolve("d.log");
    Files.writeString(log, "a\n" + "y".repeat(100_000) + "\nlast\n");
    LogFiles.Tail tail = LogFiles.tail(log, 3, 1_000);
    assertEquals(2, tail.lines().size(), tail.lines().toString().length() + "");
    assertTrue(tail.lines().get(0).startsWith("…y"));
    assertEquals("last", tail.lines().get(1));
    assertTrue(tail.bytesRead() <= 1_000 + 8192);
    assertEquals(List.of("a", "y".repeat(100_000), "last"), LogFiles.tail(log, 3));
    assertEquals(List.of("last"), LogFiles.tail(log, 1));
    Files.writeString(log, "");
    assertEquals(List.of(), LogFiles.tail(log, 3));
    Files.writeString(log, "\n");
    assertEquals(List.of(), LogFiles.tail(log, 3));
    Files.writeString(log, "\n\nx");
    assertEquals(List.of("", "", "x"), LogFiles.tail(log, 5));
  }
}
