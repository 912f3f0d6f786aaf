package io.drover.chaos.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * One generated request, sent as it is (raw HTTP/1.1, so paths, headers and bodies need not be well
 * formed).
 *
 * @param kind which generator made it, e.g. {@code site.put.mutated}; findings are grouped by it
 * @param method the request method, any token (also unknown ones)
 * @param target the request target: path and query, possibly malformed
 * @param headers extra header lines as name and value; {@code Host}, {@code Content-Length} and
 *     {@code Connection} are added by the sender
 * @param body the body; empty for none
 * @param note what was mutated, for the report; empty when nothing
 * @param mustRefuse why every correct node refuses this request with 4xx; {@code null} when
 *     accepting it may be right
 */
public record FuzzRequest(
    String kind,
    String method,
    String target,
    List<Header> headers,
    byte[] body,
    String note,
    String mustRefuse) {

  /** One header line. */
  public record Header(String name, String value) {}

  public FuzzRequest {
    headers = List.copyOf(headers);
    body = body.clone();
    note = note == null ? "" : note;
  }

  public FuzzRequest(String kind, String method, String target, List<Header> headers, byte[] body) {
    this(kind, method, target, headers, body, "", null);
  }

  /** This request with a note on what was mutated and why it must be refused. */
  public FuzzRequest withExpectation(String newNote, String newMustRefuse) {
    return new FuzzRequest(kind, method, target, headers, body, newNote, newMustRefuse);
  }

  /** This request with another target and headers. */
  FuzzRequest with(String newTarget, List<Header> newHeaders) {
    return new FuzzRequest(kind, method, newTarget, newHeaders, body, note, mustRefuse);
  }

  @Override
  public byte[] body() {
    return body.clone();
  }

  /** The body size in bytes. */
  public int bodySize() {
    return body.length;
  }

  /** True for a request that may change state: anything but GET, HEAD and OPTIONS. */
  public boolean isWrite() {
    return !(method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS"));
  }

  /** The path without its query. */
  public String path() {
    int q = target.indexOf('?');
    return q < 0 ? target : target.substring(0, q);
  }

  /**
   * The request as a reader can reproduce it: method, target, headers and the body (as text when it
   * is short printable UTF-8, else its size and first bytes in hex).
   */
  public String describe() {
    StringBuilder b = new StringBuilder();
    b.append('[').append(kind).append("] ").append(method).append(' ').append(target);
    if (!note.isEmpty()) {
      b.append("\n  mutated: ").append(note);
    }
    for (Header h : headers) {
      b.append("\n  ").append(h.name()).append(": ").append(h.value());
    }
    if (body.length > 0) {
      b.append("\n  body (").append(body.length).append(" bytes): ");
      String text = new String(body, StandardCharsets.UTF_8);
      boolean printable =
          body.length <= 600
              && text.chars().allMatch(c -> c >= 0x20 && c != 0xfffd || c == '\n' || c == '\t');
      if (printable) {
        b.append(text);
      } else {
        int n = Math.min(body.length, 48);
        for (int i = 0; i < n; i++) {
          b.append(String.format("%02x", body[i] & 0xff));
        }
        if (n < body.length) {
          b.append("...");
        }
      }
    }
    return b.toString();
  }

  @Override
  public String toString() {
    return describe();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof FuzzRequest r
        && kind.equals(r.kind)
        && method.equals(r.method)
        && target.equals(r.target)
        && headers.equals(r.headers)
        && java.util.Arrays.equals(body, r.body)
        && note.equals(r.note)
        && java.util.Objects.equals(mustRefuse, r.mustRefuse);
  }

  @Override
  public int hashCode() {
    return java.util.Objects.hash(
        kind, method, target, headers, java.util.Arrays.hashCode(body), note, mustRefuse);
  }
}
