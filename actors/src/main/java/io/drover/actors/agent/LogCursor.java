package io.drover.actors.agent;

import java.util.Optional;

/**
 * Where a reader of an instance's log stands, as the opaque text an answer's {@code next} gives:
 * {@code end} (the end of the last whole line now), {@code N} (byte N of the current file) or
 * {@code N-F} (byte N of the current file when the rotated file had fingerprint F: another
 * fingerprint means the log was rotated since, and N points into the rotated file).
 *
 * @param position a byte offset, or -1 for {@code end}
 * @param rotation the rotated file's fingerprint when read, or null when unknown
 */
public record LogCursor(long position, Long rotation) {

  /** The end of the last whole line. */
  public static final LogCursor END = new LogCursor(-1, null);

  /** The longest text a cursor may have: a long, a dash and a hex long. */
  private static final int MAX_TEXT = 40;

  /** The cursor {@code text} stands for, or empty when it is none. */
  public static Optional<LogCursor> parse(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_TEXT) {
      return Optional.empty();
    }
    if (text.equals("end")) {
      return Optional.of(END);
    }
    int dash = text.indexOf('-');
    try {
      long position = Long.parseLong(dash < 0 ? text : text.substring(0, dash));
      if (position < 0
          || !text.chars().limit(dash < 0 ? text.length() : dash).allMatch(Character::isDigit)) {
        return Optional.empty();
      }
      Long rotation = dash < 0 ? null : Long.parseUnsignedLong(text.substring(dash + 1), 16);
      return Optional.of(new LogCursor(position, rotation));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }

  /** The text form, as {@link #parse} reads it. */
  public String text() {
    if (position < 0) {
      return "end";
    }
    return rotation == null ? Long.toString(position) : position + "-" + Long.toHexString(rotation);
  }
}
