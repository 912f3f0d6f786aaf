package io.drover.cluster;

/**
 * The node refuses to start for a reason the operator has to fix (a database it cannot reach, a
 * schema it cannot create). The message says what to check; the launcher prints it without a stack
 * trace.
 */
public final class StartRefused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public StartRefused(String message, Throwable cause) {
    super(message, cause);
  }
}
