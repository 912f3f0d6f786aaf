package io.drover.http.cli;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Where the client talks to, with which token, and how it prints: the global flags resolved against
 * the environment. Pure: the environment and the file reader are parameters.
 *
 * <p>Order: {@code --server}, {@code DROVER_SERVER}, {@code http://127.0.0.1:8080}. The token:
 * {@code --token}, {@code DROVER_TOKEN}, {@code DROVER_ADMIN_TOKEN}, and for a server on this
 * machine (loopback) the file {@code <data-dir>/admin.token} ({@code --data-dir}, {@code
 * DROVER_DATA_DIR}, {@code data}); none of them: requests go without a token (the server says 401
 * and the client says how to give one).
 *
 * @param server the API's base, without a trailing slash and without {@code /api/v1}
 * @param token the bearer token, null for none
 * @param tokenSource where the token came from (for messages), e.g. {@code DROVER_TOKEN}
 * @param cacert a PEM file of CA certificates to trust for https, null for the JDK's defaults
 * @param json {@code -o json}: print the server's JSON instead of tables
 * @param colour colour the tables (stdout is a terminal and {@code NO_COLOR} is not set)
 */
record Settings(
    URI server, String token, String tokenSource, Path cacert, boolean json, boolean colour) {

  static final String DEFAULT_SERVER = "http://127.0.0.1:8080";

  /** The global flags as given; null when not given. */
  record Flags(String server, String token, Path dataDir, Path cacert, String output) {}

  static Settings resolve(
      Flags flags,
      Map<String, String> env,
      Function<Path, Optional<String>> readFile,
      boolean terminal) {
    URI server = server(first(flags.server(), env.get("DROVER_SERVER"), DEFAULT_SERVER));
    String token = null;
    String source = "none";
    if (present(flags.token())) {
      token = flags.token().trim();
      source = "--token";
    } else if (present(env.get("DROVER_TOKEN"))) {
      token = env.get("DROVER_TOKEN").trim();
      source = "DROVER_TOKEN";
    } else if (present(env.get("DROVER_ADMIN_TOKEN"))) {
      token = env.get("DROVER_ADMIN_TOKEN").trim();
      source = "DROVER_ADMIN_TOKEN";
    } else if (isLoopback(server)) {
      Path dataDir =
          flags.dataDir() != null
              ? flags.dataDir()
              : Path.of(first(env.get("DROVER_DATA_DIR"), "data"));
      Path file = dataDir.resolve("admin.token");
      Optional<String> read = readFile.apply(file);
      if (read.isPresent() && present(read.get())) {
        token = read.get().trim();
        source = file.toString();
      }
    }
    String cacert =
        first(flags.cacert() == null ? null : flags.cacert().toString(), env.get("DROVER_CACERT"));
    String output = flags.output() == null ? "table" : flags.output().toLowerCase(Locale.ROOT);
    if (!output.equals("table") && !output.equals("json")) {
      throw new CliError(
          ExitCodes.USAGE, "-o " + flags.output() + " is not an output format: use table or json");
    }
    String noColor = env.get("NO_COLOR");
    boolean colour = terminal && (noColor == null || noColor.isEmpty());
    return new Settings(
        server,
        token,
        source,
        cacert == null ? null : Path.of(cacert),
        output.equals("json"),
        colour);
  }

  /** {@code text} as an http(s) base URI; a bare {@code host:port} means http. */
  static URI server(String text) {
    String t = text.trim();
    if (!t.contains("://")) {
      t = "http://" + t;
    }
    while (t.endsWith("/")) {
      t = t.substring(0, t.length() - 1);
    }
    if (t.endsWith("/api/v1")) {
      t = t.substring(0, t.length() - "/api/v1".length());
    }
    URI u;
    try {
      u = URI.create(t);
    } catch (IllegalArgumentException e) {
      throw new CliError(
          ExitCodes.USAGE, "--server " + text + " is not a URL: use e.g. http://127.0.0.1:8080");
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!(scheme.equals("http") || scheme.equals("https")) || u.getHost() == null) {
      throw new CliError(
          ExitCodes.USAGE,
          "--server " + text + " is not an http(s) URL: use e.g. https://10.0.0.1:8080");
    }
    return u;
  }

  /** Whether {@code server} is on this machine (the only case a local admin.token applies). */
  static boolean isLoopback(URI server) {
    String h = server.getHost().toLowerCase(Locale.ROOT);
    return h.equals("localhost") || h.startsWith("127.") || h.equals("[::1]") || h.equals("::1");
  }

  private static boolean present(String s) {
    return s != null && !s.isBlank();
  }

  private static String first(String... values) {
    for (String v : values) {
      if (present(v)) {
        return v;
      }
    }
    return null;
  }
}
