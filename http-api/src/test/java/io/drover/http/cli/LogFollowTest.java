package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
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
  void onlyTheLinesAfterTheOverlapAreNew() {
    LogFollow.Update u = LogFollow.next(List.of("a", "b", "c"), List.of("b", "c", "d", "e"), 4);
    assertEquals(List.of("d", "e"), u.lines());
    assertFalse(u.gap());
    assertEquals(List.of(), LogFollow.next(List.of("a", "b"), List.of("a", "b"), 10).lines());
    assertEquals(List.of("x"), LogFollow.next(List.of(), List.of("x"), 10).lines());
  }

  @Test
  void repeatedLinesAreCountedByTheLongestOverlap() {
    assertEquals(
        List.of("a"), LogFollow.next(List.of("a", "a"), List.of("a", "a", "a"), 10).lines());
  }

  @Test
  void anUnfinishedLineIsPrintedAgainWholeOnceItIsFinished() {
    LogFollow.Update u = LogFollow.next(List.of("x", "hal"), List.of("x", "half done", "next"), 10);
    assertEquals(List.of("half done", "next"), u.lines());
  }

  @Test
  void aFullWindowWithoutOverlapReportsAGapAShortOneIsARotation() {
    List<String> before = new ArrayList<>();
    List<String> after = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      before.add("old " + i);
      after.add("new " + i);
    }
    LogFollow.Update full = LogFollow.next(before, after, 5);
    assertTrue(full.gap());
    assertEquals(after, full.lines());
    LogFollow.Update rotated = LogFollow.next(before, List.of("fresh"), 5);
    assertFalse(rotated.gap());
    assertEquals(List.of("fresh"), rotated.lines());
  }
}
