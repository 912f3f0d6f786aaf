package io.drover.http.tls;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Runs the JDK's {@code keytool} (the one next to the running JVM). Passwords travel in files
 * ({@code -storepass:file}), never on the command line, so they do not show in the process list.
 */
final class Keytool {

  private final Path binary;

  Keytool() {
    this(Path.of(System.getProperty("java.home"), "bin", "keytool"));
  }

  Keytool(Path binary) {
    this.binary = binary;
  }

  /** Runs {@code keytool args...}; fails with keytool's own words when it exits non-zero. */
  void run(String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(binary.toString());
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out;
    try {
      out = p.getInputStream().readAllBytes();
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("keytool " + args[0] + " did not finish within 60 s");
      }
    } catch (InterruptedException e) {
      p.destroyForcibly();
      Thread.currentThread().interrupt();
      throw new IOException("interrupted while keytool " + args[0] + " ran", e);
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "keytool "
              + args[0]
              + " failed (exit "
              + p.exitValue()
              + "): "
              + new String(out, StandardCharsets.UTF_8).trim());
    }
  }
}
