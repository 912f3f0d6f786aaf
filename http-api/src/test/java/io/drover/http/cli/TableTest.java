package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.http.cli.Table.Tone;
import org.junit.jupiter.api.Test;

class TableTest {

  @Test
  void columnsAreAlignedTwoSpacesApartWithoutTrailingBlanks() {
    Table t = new Table("name", "ready", "problems");
    t.row("hello", "2/2", "");
    t.row("a-much-longer-name", "10/12", "runs on 1 host");
    assertEquals(
        "NAME                READY  PROBLEMS\n"
            + "hello               2/2\n"
            + "a-much-longer-name  10/12  runs on 1 host\n",
        t.render(false));
  }

  @Test
  void colourWrapsCellsButKeepsTheAlignmentOfThePlainText() {
    Table t = new Table("name", "state", "x");
    t.row("web", Table.cell("failed", Tone.BAD), "1");
    t.row("api", Table.cell("ok", Tone.GOOD), "2");
    String coloured = t.render(true);
    assertTrue(coloured.contains("\u001b[31mfailed\u001b[0m  1"), coloured);
    assertTrue(coloured.contains("\u001b[32mok\u001b[0m      2"), coloured);
    String stripped = coloured.replaceAll("\u001b\\[[0-9;]*m", "");
    assertEquals(t.render(false), stripped);
  }

  @Test
  void withoutColourThereIsNoEscapeAndNewlinesInCellsDoNotBreakRows() {
    Table t = new Table("a", "b");
    t.row(Table.cell("bad\nvalue", Tone.BAD), null);
    String s = t.render(false);
    assertFalse(s.contains("\u001b"), s);
    assertEquals(2, s.split("\n").length, s);
    assertTrue(s.contains("bad value"), s);
  }
}
