package io.drover.http;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.drover.actors.audit.AuditRecord;
import java.io.IOException;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.pekko.http.javadsl.model.MediaType;

/**
 * What the audit trail reads of a request body: only the top-level {@code reason} (and {@code
 * name}/{@code id}, to name the target of a POST to a collection), and only from small bodies that
 * may be JSON. Every other field is skipped by the parser without being read as text, so a {@code
 * token} or {@code secretEnv} in a body is never looked at. Pure.
 */
final class AuditBodies {

  /** Bodies larger than this are never buffered for the audit trail. */
  static final long MAX_BYTES = 64 * 1024;

  /**
   * The fields of a body the audit trail keeps; each null when absent.
   *
   * @param reason the {@code reason} string
   * @param name the {@code name} string, else the {@code id} string
   */
  record Fields(String reason, String name) {
    static final Fields NONE = new Fields(null, null);
  }

  private AuditBodies() {}

  /**
   * Whether a body of this type and length is worth buffering to read its reason: its length is
   * known and at most {@link #MAX_BYTES}, and it is JSON, text, or a form ({@code curl -d} sends
   * JSON as {@code application/x-www-form-urlencoded}). Uploads (gzip, octet-stream) and bodies of
   * unknown length (chunked) are never buffered.
   */
  static boolean worthReading(MediaType mediaType, OptionalLong length) {
    if (length.isEmpty() || length.getAsLong() <= 0 || length.getAsLong() > MAX_BYTES) {
      return false;
    }
    String main = mediaType.mainType();
    String sub = mediaType.subType();
    return main.equals("text")
        || (main.equals("application")
            && (sub.equals("json")
                || sub.endsWith("+json")
                || sub.equals("x-www-form-urlencoded")));
  }

  /** The fields of a JSON object body; {@link Fields#NONE} for anything else. */
  static Fields read(byte[] body) {
    if (body == null || body.length == 0 || body.length > MAX_BYTES) {
      return Fields.NONE;
    }
    String reason = null;
    String name = null;
    String id = null;
    try (JsonParser p = Json.MAPPER.getFactory().createParser(body)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return Fields.NONE;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        if (value == JsonToken.VALUE_STRING && field.equals("reason") && reason == null) {
          reason = AuditRecord.cut(p.getText(), AuditRecord.MAX_REASON);
        } else if (value == JsonToken.VALUE_STRING && field.equals("name") && name == null) {
          name = AuditRecord.cut(p.getText(), AuditRecord.MAX_NAME);
        } else if (value == JsonToken.VALUE_STRING && field.equals("id") && id == null) {
          id = AuditRecord.cut(p.getText(), AuditRecord.MAX_NAME);
        } else {
          p.skipChildren();
        }
      }
    } catch (IOException | RuntimeException e) {
      // not JSON (a form, text): the route answers it; the trail keeps what it read so far
    }
    return new Fields(reason, name != null ? name : id);
  }

  /** The reason: the body's, else the query parameter's; null when neither is given. */
  static String reason(Fields body, Optional<String> query) {
    if (body.reason() != null && !body.reason().isBlank()) {
      return body.reason();
    }
    return query
        .filter(q -> !q.isBlank())
        .map(q -> AuditRecord.cut(q, AuditRecord.MAX_REASON))
        .orElse(null);
  }
}
