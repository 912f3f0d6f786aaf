package io.drover.http.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code drover logs -f}: every second the client reads on from each instance's cursor ({@code GET
 * .../logs?since=CURSOR}), so no line is printed twice or missed; only a rotation that dropped
 * lines before they were read leaves a gap, and the server says so. Pure.
 */
final class LogFollow {

  /** Answers (each at most 1 MiB) read from one instance per poll before the others' turn. */
  static final int MAX_PAGES = 16;

  /** Where an instance first seen while following is read from: its log's start. */
  static final String START = "0";

  /**
   * One answer of {@code logs?since=}.
   *
   * @param lines whole lines, oldest first
   * @param next the cursor to read on from
   * @param skipped true when a rotation dropped lines before they were read
   * @param more true when more is there to read at once
   */
  record Chunk(List<String> lines, String next, boolean skipped, boolean more) {

    /** The answer in {@code json}; a server without {@code since} does not give one. */
    static Chunk of(JsonNode json) {
      JsonNode next = json.path("next");
      if (!next.isTextual() || next.asText().isEmpty() || !json.path("lines").isArray()) {
        throw new CliError(
            ExitCodes.FAILED,
            "the server answered logs?since= without lines and a next cursor: is it an older"
                + " node? Use drover logs without -f");
      }
      List<String> lines = new ArrayList<>();
      json.path("lines").forEach(l -> lines.add(l.asText()));
      return new Chunk(
          lines, next.asText(), json.path("skipped").asBoolean(), json.path("more").asBoolean());
    }
  }

  /** Each instance's cursor: where its next read starts. */
  static final class Cursors {
    private final Map<String, String> next = new HashMap<>();

    /** The cursor of {@code id}: {@link #START} for an instance not read before. */
    String of(String id) {
      return next.getOrDefault(id, START);
    }

    /** Records that {@code id}'s log was read up to {@code c}'s next cursor. */
    void advance(String id, Chunk c) {
      next.put(id, c.next());
    }
  }

  private LogFollow() {}

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

  /** What stderr says when a rotation dropped lines of {@code id} before they were read. */
  static String skipped(String id) {
    return "drover: ["
        + id
        + "] the log was rotated before some lines were read: they were skipped (drover.agent"
        + " log-max-bytes sets the size kept)";
  }
}
