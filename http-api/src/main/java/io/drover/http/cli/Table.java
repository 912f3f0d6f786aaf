package io.drover.http.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Aligned text tables: a header row in capitals, columns two spaces apart, the last column not
 * padded. With colour, a cell's {@link Tone} colours it (padding is computed on the plain text, so
 * colour never breaks alignment). Pure.
 */
final class Table {

  /** How a cell reads: fine, needs a look, broken, or plain. */
  enum Tone {
    PLAIN(""),
    GOOD("\u001b[32m"),
    WARN("\u001b[33m"),
    BAD("\u001b[31m"),
    DIM("\u001b[2m");

    final String ansi;

    Tone(String ansi) {
      this.ansi = ansi;
    }
  }

  /** One cell: its text and tone. */
  record Cell(String text, Tone tone) {
    Cell {
      text = text == null ? "" : text.replace('\n', ' ').replace('\r', ' ').replace('\t', ' ');
    }
  }

  static final String RESET = "\u001b[0m";
  static final String BOLD = "\u001b[1m";

  private final List<String> headers;
  private final List<List<Cell>> rows = new ArrayList<>();

  Table(String... headers) {
    this.headers = List.of(headers);
  }

  static Cell plain(String text) {
    return new Cell(text, Tone.PLAIN);
  }

  static Cell cell(String text, Tone tone) {
    return new Cell(text, tone);
  }

  /** Adds a row of cells; strings are plain cells; too few cells are padded with empty ones. */
  Table row(Object... cells) {
    List<Cell> r = new ArrayList<>();
    for (Object c : cells) {
      r.add(c instanceof Cell cell ? cell : plain(c == null ? "" : String.valueOf(c)));
    }
    while (r.size() < headers.size()) {
      r.add(plain(""));
    }
    rows.add(r);
    return this;
  }

  int size() {
    return rows.size();
  }

  /** The table as lines (each ending in a newline). */
  String render(boolean colour) {
    int n = headers.size();
    int[] width = new int[n];
    for (int i = 0; i < n; i++) {
      width[i] = headers.get(i).length();
    }
    for (List<Cell> r : rows) {
      for (int i = 0; i < n; i++) {
        width[i] = Math.max(width[i], r.get(i).text().length());
      }
    }
    StringBuilder b = new StringBuilder();
    List<Cell> head = new ArrayList<>();
    for (String h : headers) {
      head.add(plain(h.toUpperCase(Locale.ROOT)));
    }
    line(b, head, width, colour, true);
    for (List<Cell> r : rows) {
      line(b, r, width, colour, false);
    }
    return b.toString();
  }

  private static void line(
      StringBuilder b, List<Cell> cells, int[] width, boolean colour, boolean header) {
    StringBuilder l = new StringBuilder();
    for (int i = 0; i < width.length; i++) {
      Cell c = cells.get(i);
      boolean last = i == width.length - 1;
      String styleStart =
          !colour ? "" : header ? BOLD : c.tone() == Tone.PLAIN ? "" : c.tone().ansi;
      l.append(styleStart).append(c.text());
      if (!styleStart.isEmpty()) {
        l.append(RESET);
      }
      if (!last) {
        l.append(" ".repeat(width[i] - c.text().length() + 2));
      }
    }
    int end = l.length();
    while (end > 0 && l.charAt(end - 1) == ' ') {
      end--;
    }
    b.append(l, 0, end).append('\n');
  }
}
