package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.http.auth.Bootstrap;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code drover up} refuses to start, exit 2, on an admin token file others can read. */
class MainBootstrapTest {

  @TempDir Path tmp;

  @Test
  void aReadableTokenFileStopsTheNodeBeforeItStartsNamingTheChmod() throws Exception {
    assumeTrue(System.getenv(Bootstrap.ENV) == null, "the environment's token would win");
    Path data = Files.createDirectories(tmp.resolve("data"));
    Path file = data.resolve(Bootstrap.FILE);
    Files.writeString(file, "drv_0123456789abcdef0123456789\n");
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err, true));
    cl.setOut(new PrintWriter(new StringWriter()));
    int exit = cl.execute("up", "--no-example", "--data-dir", data.toString());
    assertEquals(2, exit, err.toString());
    assertTrue(err.toString().contains("chmod 600 " + file.toAbsolutePath()), err.toString());
    assertFalse(err.toString().contains("drv_0123456789abcdef"), "the token is not printed");
    assertFalse(Files.exists(data.resolve("journal")), "nothing started");
  }
}
