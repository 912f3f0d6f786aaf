package io.drover.actors.revision;

/** An upload that is not a revision Drover will run; the message says what to fix. */
public final class RevisionRejected extends Exception {

  private static final long serialVersionUID = 1L;

  /** Why the upload was refused. */
  public enum Reason {
    /** Not gzip, not tar, or a path escaping the release directory: HTTP 400. */
    INVALID,
    /** Bigger than {@code drover.revisions.max-bytes}: HTTP 413. */
    TOO_LARGE
  }

  private final Reason reason;

  public RevisionRejected(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
