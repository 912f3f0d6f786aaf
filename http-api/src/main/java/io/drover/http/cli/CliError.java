package io.drover.http.cli;

/**
 * A command ended with {@code exitCode}; {@code getMessage()} says why and what to fix. Thrown by
 * {@link Api} for every request that did not give what was asked, so the CLI's commands and its
 * deploy watch share one wording of each failure.
 */
public final class CliError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /** The command's exit code ({@link ExitCodes}). */
  public final int exitCode;

  /**
   * Worth another try later: no connection or a dropped one, or a 5xx answer; not a refusal (4xx),
   * a TLS failure or bad usage. The deploy watch retries these; a command that gives up on one says
   * the node is unreachable.
   */
  public final boolean retryable;

  CliError(int exitCode, String message) {
    this(exitCode, message, false);
  }

  CliError(int exitCode, String message, boolean retryable) {
    super(message, null, false, false);
    this.exitCode = exitCode;
    this.retryable = retryable;
  }
}
