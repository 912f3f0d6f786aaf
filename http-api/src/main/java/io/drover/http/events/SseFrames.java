package io.drover.http.events;

import io.drover.actors.deploy.Step;
import io.drover.http.Json;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;

/**
 * Server-Sent Events on the wire (the WHATWG {@code text/event-stream} format): one event per step,
 * and comments. Written here rather than with Pekko's {@code EventStreamMarshalling} because that
 * one cannot write comments, which keep idle streams open and say why a stream was cut.
 */
public final class SseFrames {

  private SseFrames() {}

  /** A step as an event: {@code id} as given, {@code event} its type, {@code data} its JSON. */
  public static ByteString event(String id, Step step) {
    StringBuilder b = new StringBuilder(256);
    b.append("id: ").append(oneLine(id)).append('\n');
    b.append("event: ").append(oneLine(step.type())).append('\n');
    String json = new String(Json.bytes(step), StandardCharsets.UTF_8);
    for (String line : json.split("\r\n|\r|\n", -1)) {
      b.append("data: ").append(line).append('\n');
    }
    b.append('\n');
    return ByteString.fromString(b.toString(), StandardCharsets.UTF_8);
  }

  /** A comment: clients ignore it. */
  public static ByteString comment(String text) {
    return ByteString.fromString(": " + oneLine(text) + "\n\n", StandardCharsets.UTF_8);
  }

  /** The id of a step on a deploy's own stream. */
  public static String deployId(Step step) {
    return Long.toString(step.seq());
  }

  /** The id of a step on the global stream. */
  public static String globalId(Step step) {
    return step.deploy() + ":" + step.seq();
  }

  private static String oneLine(String s) {
    return s == null ? "" : s.replaceAll("[\r\n]", " ");
  }
}
