package io.drover.http.cli;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code drover logs -f} without a follow endpoint: the client polls the last {@link #WINDOW} lines
 * every second and prints what is new, found as the longest end of the previous window that the new
 * window starts with. Pure.
 *
 * <p>The server answers a tail without its final newline, so the last line of a window may be
 * unfinished: when the previous window's last line is the start of a longer line, that line is
 * printed again whole. Other limits, stated: when more than {@link #WINDOW} lines arrive between
 * two polls the gap is reported; and when a whole window consists of identical lines, new identical
 * lines cannot be told from old ones.
 */
final class LogFollow {

  /** Lines read per poll. */
  static final int WINDOW = 1000;

  private LogFollow() {}

  /**
   * The new lines, and whether some may have been missed.
   *
   * @param lines the lines to print, oldest first
   * @param gap true when the window no longer overlaps the previous one although it is full
   */
  record Update(List<String> lines, boolean gap) {}

  /** The lines of a log tail (a trailing newline, if any, ends the last line). */
  static List<String> lines(String text) {
    if (text == null || text.isEmpty()) {
      return List.of();
    }
    List<String> out = new ArrayList<>(List.of(text.split("\n", -1)));
    if (out.get(out.size() - 1).isEmpty()) {
      out.remove(out.size() - 1);
    }
    return out;
  }

  /** What {@code window} adds to {@code previous} (both tails of the same log, oldest first). */
  static Update next(List<String> previous, List<String> window, int limit) {
    if (previous.isEmpty()) {
      return new Update(List.copyOf(window), false);
    }
    int max = Math.min(previous.size(), window.size());
    for (int k = max; k > 0; k--) {
      int from = previous.size() - k;
      if (!previous.subList(from, previous.size() - 1).equals(window.subList(0, k - 1))) {
        continue;
      }
      String before = previous.get(previous.size() - 1);
      String now = window.get(k - 1);
      if (before.equals(now)) {
        return new Update(List.copyOf(window.subList(k, window.size())), false);
      }
      if (now.startsWith(before)) {
        // the line was unfinished at the last poll: print it again, whole
        return new Update(List.copyOf(window.subList(k - 1, window.size())), false);
      }
    }
    // No overlap: the log was rotated or truncated (all new), or more than a window arrived.
    return new Update(List.copyOf(window), window.size() >= limit);
  }
}
