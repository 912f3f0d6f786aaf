package io.drover.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

/** The bootstrap admin token: env bounds, the 0600 file, reuse, refusals, and never in the log. */
class BootstrapTest {

  @TempDir Path tmp;
  private final ListAppender<ILoggingEvent> logged = new ListAppender<>();

  @BeforeEach
  void capture() {
    logged.start();
    ((Logger) LoggerFactory.getLogger(Bootstrap.class)).addAppender(logged);
  }

  @AfterEach
  void release() {
    ((Logger) LoggerFactory.getLogger(Bootstrap.class)).detachAppender(logged);
  }

  private String log() {
    return logged.list.stream()
        .map(ILoggingEvent::getFormattedMessage)
        .collect(Collectors.joining("\n"));
  }

  @Test
  void theFirstStartWritesAGeneratedTokenWithMode0600AndLaterStartsReuseIt() throws Exception {
    Path data = tmp.resolve("data");
    Bootstrap first = Bootstrap.load(data, Map.of());
    Path file = data.resolve(Bootstrap.FILE);
    assertEquals(Optional.of(file.toAbsolutePath()), first.file());
    assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(file)));
    assertTrue(first.token().startsWith(TokenHash.PREFIX), "a generated token");
    assertEquals(first.token(), Files.readString(file).strip());
    assertEquals(Optional.of(Bootstrap.CALLER), first.verify(first.token()));
    assertEquals(Optional.empty(), first.verify(first.token() + "x"));
    assertEquals(Optional.empty(), first.verify(""));

    Bootstrap again = Bootstrap.load(data, Map.of());
    assertEquals(first.token(), again.token());
    assertEquals(Optional.of(Bootstrap.CALLER), again.verify(first.token()));

    String log = log();
    assertTrue(log.contains(file.toAbsolutePath().toString()), "the path is logged: " + log);
    assertFalse(log.contains(first.token()), "the token is never logged: " + log);
  }

  @Test
  void theEnvironmentWinsOverTheFileAndIsNeverLogged() throws Exception {
    Path data = tmp.resolve("data");
    Bootstrap fromFile = Bootstrap.load(data, Map.of());
    String env = "s3cret-admin-token-for-the-cluster";
    Bootstrap b = Bootstrap.load(data, Map.of(Bootstrap.ENV, env));
    assertEquals(Optional.empty(), b.file());
    assertEquals(Optional.of(Bootstrap.CALLER), b.verify(env));
    assertEquals(Optional.empty(), b.verify(fromFile.token()), "the file's token is not used");
    assertFalse(log().contains(env), log());
  }

  @Test
  void anEnvironmentTokenOutOfBoundsIsRefusedWithWhatToFixAndWithoutItsValue() {
    for (String bad :
        new String[] {
          "",
          "short-token-15c",
          "x".repeat(257),
          "has a space in it!!",
          "tab\there-1234567890",
          "\u00e9t\u00e9-token-1234567890"
        }) {
      Bootstrap.Refused e =
          assertThrows(
              Bootstrap.Refused.class,
              () -> Bootstrap.load(tmp.resolve("d"), Map.of(Bootstrap.ENV, bad)),
              "refused: '" + bad + "'");
      assertTrue(e.getMessage().contains(Bootstrap.ENV), e.getMessage());
      assertTrue(e.getMessage().contains("16 to 256 printable ASCII"), e.getMessage());
      if (!bad.isEmpty()) {
        assertFalse(e.getMessage().contains(bad), "the value is not repeated: " + e.getMessage());
      }
    }
    assertFalse(Files.exists(tmp.resolve("d").resolve(Bootstrap.FILE)), "no file when env is set");
  }

  @Test
  void bothBoundsAreAccepted() throws Exception {
    assertTrue(
        Bootstrap.load(tmp, Map.of(Bootstrap.ENV, "a".repeat(16)))
            .verify("a".repeat(16))
            .isPresent());
    assertTrue(
        Bootstrap.load(tmp, Map.of(Bootstrap.ENV, "~".repeat(256)))
            .verify("~".repeat(256))
            .isPresent());
  }

  @Test
  void aTokenFileOthersCanReadIsRefusedNamingTheChmod() throws Exception {
    Path data = tmp.resolve("data");
    Bootstrap.load(data, Map.of());
    Path file = data.resolve(Bootstrap.FILE).toAbsolutePath();
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-r--r--"));
    Bootstrap.Refused e =
        assertThrows(Bootstrap.Refused.class, () -> Bootstrap.load(data, Map.of()));
    assertTrue(e.getMessage().contains("chmod 600 " + file), e.getMessage());
    Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
    Bootstrap.load(data, Map.of());
  }

  @Test
  void anEmptyTokenFileIsRefused() throws Exception {
    Path data = Files.createDirectories(tmp.resolve("data"));
    Files.createFile(
        data.resolve(Bootstrap.FILE),
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Bootstrap.Refused e =
        assertThrows(Bootstrap.Refused.class, () -> Bootstrap.load(data, Map.of()));
    assertTrue(e.getMessage().contains(Bootstrap.FILE), e.getMessage());
  }
}
