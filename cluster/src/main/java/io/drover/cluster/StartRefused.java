package io.drover.cluster;

/**
 * The node refuses to start for a reason the operator has to fix (a database it cannot reach, a
 * schema it cannot create, a cluster it could not join). The message says what to check; the
 * launcher prints it without a stack trace and exits with {@link #exitCode()}.
 */
public final class StartRefused extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** The exit code of a refused setting or environment (the default). */
  public static final int REFUSED = 2;

  /** The exit code of a start that failed later, e.g. a node that could not join its cluster. */
  public static final int FAILED = 1;

  private final int exitCode;

  public StartRefused(String message, Throwable cause) {
    this(message, cause, REFUSED);
  }

  public StartRefused(String message, Throwable cause, int exitCode) {
    super(message, cause);
    this.exitCode = exitCode;
  }

  /** The process exit code: {@link #REFUSED} or {@link #FAILED}. */
  public int exitCode() {
    return exitCode;
  }
}
