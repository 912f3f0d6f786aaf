package io.drover.http.cli;

/** A command ended with {@code exitCode}; {@code getMessage()} says why and what to fix. */
final class CliError extends RuntimeException {

  private static final long serialVersionUID = 1L;

  final int exitCode;

  CliError(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }
}
