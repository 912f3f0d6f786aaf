package io.drover.http.auth;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The bootstrap admin token: {@code DROVER_ADMIN_TOKEN} when set (every node of a cluster the
 * same), otherwise {@code <data-dir>/admin.token}, generated on the first start (mode 0600) and
 * reused later. Its caller is {@code admin} with role admin. Only the token's hash is kept in
 * memory for checks; the token itself is never logged.
 */
public final class Bootstrap implements Credentials {

  private static final Logger log = LoggerFactory.getLogger(Bootstrap.class);

  /** The environment variable with the admin token. */
  public static final String ENV = "DROVER_ADMIN_TOKEN";

  /** The file under the data directory that holds the admin token when {@link #ENV} is unset. */
  public static final String FILE = "admin.token";

  static final int MIN_CHARS = 16;
  static final int MAX_CHARS = 256;

  /** The caller of the bootstrap token. */
  public static final Caller CALLER = new Caller("admin", Role.ADMIN);

  /** The bootstrap token cannot be used; the message says what to fix. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    Refused(String message) {
      super(message);
    }
  }

  private final byte[] hash;
  private final String token;
  private final Optional<Path> file;

  private Bootstrap(String token, Optional<Path> file) {
    this.token = token;
    this.hash = TokenHash.of(token).getBytes(StandardCharsets.US_ASCII);
    this.file = file;
  }

  /**
   * The admin token from {@code env} ({@link #ENV}) or from {@code dataDir}'s {@link #FILE},
   * creating the file (and the data directory) on the first start.
   */
  public static Bootstrap load(Path dataDir, Map<String, String> env) throws Refused {
    String fromEnv = env.get(ENV);
    if (fromEnv != null) {
      check(fromEnv, ENV);
      log.info("admin token taken from {}", ENV);
      return new Bootstrap(fromEnv, Optional.empty());
    }
    Path path = dataDir.resolve(FILE).toAbsolutePath();
    try {
      Files.createDirectories(dataDir);
      String created = TokenHash.generate();
      try {
        Files.write(
            Files.createFile(
                path,
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))),
            (created + "\n").getBytes(StandardCharsets.US_ASCII),
            StandardOpenOption.WRITE);
        log.info("admin token generated and written to {} (mode 0600)", path);
        return new Bootstrap(created, Optional.of(path));
      } catch (FileAlreadyExistsException e) {
        return reuse(path);
      }
    } catch (IOException e) {
      throw new Refused(
          "cannot create or read the admin token file "
              + path
              + " ("
              + e.getMessage()
              + "): make the data directory writable, or set "
              + ENV);
    }
  }

  private static Bootstrap reuse(Path path) throws IOException, Refused {
    Set<PosixFilePermission> perms = Files.getPosixFilePermissions(path);
    for (PosixFilePermission p : perms) {
      if (p.name().startsWith("GROUP_") || p.name().startsWith("OTHERS_")) {
        throw new Refused(
            path
                + " can be read by other users (mode "
                + PosixFilePermissions.toString(perms)
                + "): run chmod 600 "
                + path);
      }
    }
    String token = Files.readString(path, StandardCharsets.ISO_8859_1).strip();
    try {
      check(token, path.toString());
    } catch (Refused e) {
      throw new Refused(
          e.getMessage() + "; delete " + path + " to have a new one generated, or set " + ENV);
    }
    log.info("admin token read from {}", path);
    return new Bootstrap(token, Optional.of(path));
  }

  /** Refuses a token out of bounds; the message never includes the value. */
  static void check(String token, String source) throws Refused {
    if (token.length() < MIN_CHARS || token.length() > MAX_CHARS) {
      throw new Refused(
          "the admin token in "
              + source
              + " has "
              + token.length()
              + " characters; it needs "
              + MIN_CHARS
              + " to "
              + MAX_CHARS
              + " printable ASCII characters without spaces");
    }
    for (int i = 0; i < token.length(); i++) {
      char c = token.charAt(i);
      if (c <= ' ' || c > '~') {
        throw new Refused(
            "the admin token in "
                + source
                + " has a space, control or non-ASCII character at position "
                + (i + 1)
                + "; it needs "
                + MIN_CHARS
                + " to "
                + MAX_CHARS
                + " printable ASCII characters without spaces");
      }
    }
  }

  @Override
  public Optional<Caller> verify(String candidate) {
    byte[] h = TokenHash.of(candidate).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(h, hash) ? Optional.of(CALLER) : Optional.empty();
  }

  /**
   * The admin token itself, for the node's own calls to its API (the example site). Never log or
   * return it.
   */
  public String token() {
    return token;
  }

  /** The file the token is kept in; empty when it came from {@link #ENV}. */
  public Optional<Path> file() {
    return file;
  }
}
