package io.drover.http.cli.watch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;

/**
 * Reads Server-Sent Events ({@code text/event-stream}, the WHATWG rules) from a byte stream: lines
 * end with CRLF, LF or CR; {@code field: value} lines (one leading space of the value dropped) fill
 * the event being built; a blank line dispatches it; lines starting with {@code :} are comments.
 * {@code data} lines are joined with {@code \n}; an event with no data is not dispatched, but its
 * {@code id} still becomes the last event id. An event cut off by the end of the stream is dropped,
 * its {@code id} too (the last event id changes only at a blank line). Unknown fields are ignored;
 * an {@code id} containing NUL is ignored; a leading UTF-8 BOM is skipped.
 *
 * <p>Not thread-safe: one reader per stream, read from one thread.
 */
public final class SseReader {

  /**
   * One dispatched event.
   *
   * @param id the last event id at dispatch (the stream's, carried over from earlier events when
   *     this one has none); empty when the stream never sent one
   * @param type the {@code event:} field; {@code message} when absent
   * @param data the {@code data:} lines joined with {@code \n}
   */
  public record Event(String id, String type, String data) {}

  /** What {@link #next()} returns: an event, a comment, or the end of the stream. */
  public sealed interface Item permits EventItem, Comment, End {}

  /** An event. */
  public record EventItem(Event event) implements Item {}

  /** A comment line, without its {@code :} and one leading space. */
  public record Comment(String text) implements Item {}

  /** The stream ended (the server closed it). */
  public enum End implements Item {
    INSTANCE
  }

  private final InputStream in;
  private final byte[] buffer = new byte[8192];
  private int pos;
  private int limit;
  private boolean skipLf;
  private boolean first = true;

  private String lastId = "";
  private String idBuffer = "";
  private String type = "";
  private final StringBuilder data = new StringBuilder();
  private boolean hasData;
  private long retryMillis = -1;

  public SseReader(InputStream in) {
    this.in = in;
  }

  /** The last event id seen so far (sent back as {@code Last-Event-ID}); empty for none. */
  public String lastEventId() {
    return lastId;
  }

  /** The last {@code retry:} the server asked for, in ms; -1 when it never sent one. */
  public long retryMillis() {
    return retryMillis;
  }

  /** The next event or comment; {@link End#INSTANCE} at the end of the stream. Blocks. */
  public Item next() throws IOException {
    while (true) {
      String line = readLine();
      if (line == null) {
        return End.INSTANCE;
      }
      if (first) {
        first = false;
        if (line.startsWith("\uFEFF")) {
          line = line.substring(1);
        }
      }
      if (line.isEmpty()) {
        Event e = dispatch();
        if (e != null) {
          return new EventItem(e);
        }
        continue;
      }
      if (line.charAt(0) == ':') {
        return new Comment(stripOneSpace(line.substring(1)));
      }
      int colon = line.indexOf(':');
      String field = colon < 0 ? line : line.substring(0, colon);
      String value = colon < 0 ? "" : stripOneSpace(line.substring(colon + 1));
      field(field, value);
    }
  }

  /** The next event, skipping comments; null at the end of the stream. */
  public Event nextEvent() throws IOException {
    while (true) {
      Item item = next();
      if (item instanceof EventItem e) {
        return e.event();
      }
      if (item == End.INSTANCE) {
        return null;
      }
    }
  }

  private void field(String field, String value) {
    switch (field) {
      case "event" -> type = value;
      case "data" -> {
        if (hasData) {
          data.append('\n');
        }
        data.append(value);
        hasData = true;
      }
      case "id" -> {
        if (value.indexOf('\0') < 0) {
          idBuffer = value;
        }
      }
      case "retry" -> {
        if (!value.isEmpty() && value.chars().allMatch(c -> c >= '0' && c <= '9')) {
          try {
            retryMillis = Long.parseLong(value);
          } catch (NumberFormatException tooLong) {
            // ignored, like any invalid field
          }
        }
      }
      default -> {
        // unknown fields are ignored
      }
    }
  }

  private Event dispatch() {
    lastId = idBuffer;
    if (!hasData) {
      type = "";
      return null;
    }
    Event e = new Event(lastId, type.isEmpty() ? "message" : type, data.toString());
    type = "";
    data.setLength(0);
    hasData = false;
    return e;
  }

  private static String stripOneSpace(String s) {
    return s.startsWith(" ") ? s.substring(1) : s;
  }

  /** One line without its terminator; null at the end of the stream (a last partial line too). */
  private String readLine() throws IOException {
    ByteArrayOutputStream line = null;
    while (true) {
      if (pos == limit) {
        limit = in.read(buffer, 0, buffer.length);
        pos = 0;
        if (limit <= 0) {
          limit = 0;
          // a line without its end belongs to an event the stream cut off: dropped
          return null;
        }
      }
      if (skipLf) {
        skipLf = false;
        if (buffer[pos] == '\n') {
          pos++;
          continue;
        }
      }
      int start = pos;
      while (pos < limit && buffer[pos] != '\n' && buffer[pos] != '\r') {
        pos++;
      }
      if (line == null && pos < limit) {
        String s = new String(buffer, start, pos - start, StandardCharsets.UTF_8);
        skipLf = buffer[pos] == '\r';
        pos++;
        return s;
      }
      if (line == null) {
        line = new ByteArrayOutputStream(Math.max(64, (pos - start) * 2));
      }
      line.write(buffer, start, pos - start);
      if (pos < limit) {
        skipLf = buffer[pos] == '\r';
        pos++;
        return line.toString(StandardCharsets.UTF_8);
      }
    }
  }
}
