package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

  private static LogChunk readOn(Path log, String cursor) throws IOException {
    return LogFiles.read(log, LogCursor.parse(cursor).orElseThrow(), 0, LogFiles.MAX_READ_BYTES);
  }

  private static void append(Path log, String text) throws IOException {
    Files.writeString(
        log,
        text,
        java.nio.file.StandardOpenOption.CREATE,
        java.nio.file.StandardOpenOption.APPEND);
  }

  @Test
  void readingOnGivesEachWholeLineOnceAndHoldsBackAnUnfinishedOne() throws IOException {
    Path log = dir.resolve("f.log");
    assertEquals(List.of(), readOn(log, "0").lines(), "no log yet: nothing");
    Files.writeString(log, "x\nx\nhal");
    LogChunk first = readOn(log, "0");
    assertEquals(List.of("x", "x"), first.lines());
    assertEquals("4-0", first.next());
    assertEquals(
        new LogChunk(List.of(), "4-0", false, false),
        readOn(log, first.next()),
        "nothing new: no lines, the same cursor");
    append(log, "f done\nx\nx\n");
    LogChunk second = readOn(log, first.next());
    assertEquals(List.of("half done", "x", "x"), second.lines(), "identical lines are new ones");
    assertFalse(second.skipped() || second.more());
  }

  @Test
  void aCursorFromBeforeARotationReadsTheRestOfTheRotatedFileFirst() throws IOException {
    Path log = dir.resolve("g.log");
    Files.writeString(log, "1\n2\n");
    LogChunk before = readOn(log, "0");
    append(log, "3\n4\n");
    assertTrue(LogFiles.rotateIfLarger(log, 1));
    append(log, "5\n");
    LogChunk after = readOn(log, before.next());
    assertEquals(List.of("3", "4", "5"), after.lines());
    assertFalse(after.skipped());
    append(log, "6\n");
    assertEquals(List.of("6"), readOn(log, after.next()).lines());
  }

  @Test
  void aCursorPastWhatIsKeptStartsAtTheBeginningAndSaysLinesWereSkipped() throws IOException {
    Path log = dir.resolve("h.log");
    Files.writeString(log, "old line\n".repeat(100));
    LogChunk before = readOn(log, "0");
    assertTrue(LogFiles.rotateIfLarger(log, 1));
    append(log, "lost\n");
    assertTrue(LogFiles.rotateIfLarger(log, 1), "a second rotation: the first one's file is gone");
    append(log, "kept\n");
    LogChunk after = readOn(log, before.next());
    assertEquals(List.of("kept"), after.lines());
    assertTrue(after.skipped());
    // a bare offset the current file does not reach: the same
    LogChunk bare = readOn(log, "5000");
    assertEquals(List.of("kept"), bare.lines());
    assertTrue(bare.skipped());
  }

  @Test
  void answersAreCappedAtWholeLinesAndReadOnWithoutDuplicatesOrGaps() throws IOException {
    Path log = dir.resolve("i.log");
    List<String> lines =
        IntStream.range(0, 20_000).mapToObj(i -> "line " + i + " " + "y".repeat(i % 50)).toList();
    Files.write(log, lines);
    List<String> got = new ArrayList<>();
    String cursor = "0";
    for (int i = 0; i < 100; i++) {
      LogChunk c = LogFiles.read(log, LogCursor.parse(cursor).orElseThrow(), 0, 64 * 1024);
      got.addAll(c.lines());
      cursor = c.next();
      if (!c.more()) {
        break;
      }
      assertTrue(c.lines().size() > 1000, "a capped answer is full: " + c.lines().size());
    }
    assertEquals(lines, got);
    // a line longer than an answer comes in pieces, not never
    Path wide = dir.resolve("j.log");
    Files.writeString(wide, "z".repeat(2500) + "\n");
    LogChunk piece = LogFiles.read(wide, LogCursor.parse("0").orElseThrow(), 0, 1000);
    assertEquals(List.of("z".repeat(1000)), piece.lines());
    assertTrue(piece.more());
  }

  @Test
  void theEndGivesTheLastWholeLinesAndTheCursorRightAfterThem() throws IOException {
    Path log = dir.resolve("k.log");
    Files.writeString(LogFiles.rotated(log), "r1\nr2\n");
    Files.writeString(log, "a\nb\npart");
    LogChunk end = LogFiles.read(log, LogCursor.END, 3, LogFiles.MAX_READ_BYTES);
    assertEquals(List.of("r2", "a", "b"), end.lines());
    assertTrue(end.next().startsWith("4-"), end.next());
    append(log, "ly\nc\n");
    assertEquals(List.of("partly", "c"), readOn(log, end.next()).lines());
    assertEquals(List.of(), LogFiles.read(dir.resolve("none.log"), LogCursor.END, 5, 100).lines());
  }

  @Test
  void cursorsParseOnlyTheirOwnText() {
    assertEquals(LogCursor.END, LogCursor.parse("end").orElseThrow());
    assertEquals(new LogCursor(0, null), LogCursor.parse("0").orElseThrow());
    LogCursor c = new LogCursor(12, -5L);
    assertEquals(c, LogCursor.parse(c.text()).orElseThrow());
    for (String bad : List.of("", "-1", "+1", "x", "1-zz", "1-", "1".repeat(41), "9".repeat(30))) {
      assertTrue(LogCursor.parse(bad).isEmpty(), bad);
    }
  }
}
