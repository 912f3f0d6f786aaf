package io.drover.http.events;

import java.util.Optional;

/**
 * Where a client resumes a stream, from its {@code Last-Event-ID} header (or {@code ?after=}): a
 * pure parser. A deploy's stream numbers its events {@code <seq>}; the global stream {@code
 * <deploy>:<seq>} (a deploy id may itself contain {@code :}; the last one separates).
 *
 * @param deploy the deploy to replay; null on a deploy's own stream
 * @param after the last step the client saw; 0 for none
 */
public record ResumePoint(String deploy, long after) {

  /** A value that is not a resume point; the message says what to send instead. */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  /**
   * On the stream of deploy {@code id}: the header wins over {@code after} (a reconnecting browser
   * sends the header along with the URL it first used); {@code <id>:<seq>} is accepted too.
   */
  public static ResumePoint forDeploy(String id, Optional<String> header, Optional<String> after)
      throws Invalid {
    if (header.isPresent() && !header.get().isBlank()) {
      String h = header.get().trim();
      String prefix = id + ":";
      String seq = h.startsWith(prefix) ? h.substring(prefix.length()) : h;
      return new ResumePoint(null, seq(seq, "Last-Event-ID", "<seq> of a step of deploy " + id));
    }
    if (after.isPresent()) {
      return new ResumePoint(null, seq(after.get().trim(), "after", "a step number, e.g. 12"));
    }
    return new ResumePoint(null, 0);
  }

  /** On the global stream: nothing to replay, or {@code <deploy>:<seq>}. */
  public static Optional<ResumePoint> forAll(Optional<String> header) throws Invalid {
    if (header.isEmpty() || header.get().isBlank()) {
      return Optional.empty();
    }
    String h = header.get().trim();
    int colon = h.lastIndexOf(':');
    if (colon <= 0) {
      throw new Invalid(
          "Last-Event-ID '"
              + h
              + "' is not an id of this stream: send <deploy>:<seq> as the stream sent it, e.g."
              + " d-1:12, or none");
    }
    return Optional.of(
        new ResumePoint(
            h.substring(0, colon),
            seq(h.substring(colon + 1), "Last-Event-ID", "<deploy>:<seq>, e.g. d-1:12")));
  }

  private static long seq(String text, String what, String expected) throws Invalid {
    try {
      long n = Long.parseLong(text);
      if (n >= 0) {
        return n;
      }
    } catch (NumberFormatException e) {
      // below
    }
    throw new Invalid(what + " '" + text + "' is not a step number: send " + expected);
  }
}
