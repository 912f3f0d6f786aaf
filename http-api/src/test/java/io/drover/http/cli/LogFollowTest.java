package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class LogFollowTest {

  @Test
  void linesOfATailWithOrWithoutTheFinalNewline() {
    assertEquals(List.of("a", "b"), LogFollow.lines("a\nb"));
    assertEquals(List.of("a", "b"), LogFollow.lines("a\nb\n"));
    assertEquals(List.of(), LogFollow.lines(""));
  }

  @Test
  void anAnswerGivesItsLinesCursorAndFlags() throws Exception {
    LogFollow.Chunk c =
        LogFollow.Chunk.of(
            JsonTree.read(
                "{\"lines\":[\"a\",\"a\"],\"next\":\"4-1f\",\"skipped\":true,\"more\":false}"));
    assertEquals(new LogFollow.Chunk(List.of("a", "a"), "4-1f", true, false), c);
  }

  @Test
  void aPlainTextOrCursorlessAnswerIsAFailureThatSaysWhy() throws Exception {
    CliError e =
        assertThrows(
            CliError.class, () -> LogFollow.Chunk.of(JsonTree.read("{\"lines\":[\"a\"]}")));
    assertEquals(ExitCodes.FAILED, e.exitCode);
    assertTrue(e.getMessage().contains("older node"), e.getMessage());
  }

  @Test
  void anInstanceFirstSeenWhileFollowingIsReadFromItsStartOthersFromTheirCursor() {
    LogFollow.Cursors cursors = new LogFollow.Cursors();
    assertEquals(LogFollow.START, cursors.of("web-2"));
    cursors.advance("web-1", new LogFollow.Chunk(List.of("x"), "12-0", false, false));
    assertEquals("12-0", cursors.of("web-1"));
    assertEquals("0", cursors.of("web-2"));
  }

  @Test
  void theSkippedWarningNamesTheInstanceAndTheSetting() {
    String w = LogFollow.skipped("web-1");
    assertTrue(w.startsWith("drover: [web-1]"), w);
    assertTrue(w.contains("log-max-bytes"), w);
    assertFalse(w.endsWith("\n"));
  }
}
