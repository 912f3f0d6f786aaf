package io.drover.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.http.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Drover node in its own JVM ({@code java -jar drover.jar up}), driven over HTTP and OS
 * signals. Used by the integration tests; the jar is the one {@code mvn package} built.
 */
public final class LocalNode implements AutoCloseable {

  /** The address nodes bind to unless told otherwise. */
  public static final String LOOPBACK = "127.0.0.1";

  /** Trusts the JDK's authorities and every test cluster CA registered with HarnessTls. */
  public static final HttpClient HTTP =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .sslContext(HarnessTls.context())
          .build();

  /**
   * The admin token of the test clusters of this JVM: every node is started with {@code
   * DROVER_ADMIN_TOKEN} set to it (as users and the held-out checks run them) unless {@link
   * #withAdminToken} names another, and sends it with every request.
   */
  public static final String ADMIN_TOKEN = io.drover.http.auth.TokenHash.generate();

  /** The environment variable a node takes its admin token from. */
  public static final String TOKEN_ENV = io.drover.http.auth.Bootstrap.ENV;

  public final Path dataDir;
  public final int httpPort;
  public final int clusterPort;
  public final Path log;
  public final String host;

  /**
   * The address its API and cluster transport bind to ({@code --bind}) and the test reaches it on:
   * {@code 127.0.0.1}, or its address in a network namespace.
   */
  public final String address;

  /** Flags every launch of this node gets, e.g. its journal. */
  private final List<String> baseArgs = new ArrayList<>();

  /** JVM options every launch gets after the default heap (a later -Xmx wins), e.g. -D... */
  private final List<String> jvmArgs = new ArrayList<>();

  /** What the {@code java} command is run under, e.g. {@code ip netns exec NS}; usually empty. */
  private final List<String> launchPrefix;

  private Process process;

  /** Its {@code DROVER_ADMIN_TOKEN}; null starts it without (it then writes admin.token). */
  private String adminToken = ADMIN_TOKEN;

  /** {@code https} once {@link #withTls} turned HTTPS on for its API. */
  private String scheme = "http";

  public LocalNode(Path dataDir) throws IOException {
    this(dataDir, "it-host");
  }

  /**
   * A node on free loopback ports.
   *
   * @param host its host name ({@code --host}); nodes of one cluster need distinct ones
   */
  public LocalNode(Path dataDir, String host) throws IOException {
    this(dataDir, host, LOOPBACK, List.of());
  }

  /**
   * A node bound to {@code address}, launched under {@code launchPrefix} (which must exec the
   * command, so the started process is the node's JVM: {@code ip netns exec NS} does).
   */
  public LocalNode(Path dataDir, String host, String address, List<String> launchPrefix)
      throws IOException {
    this.dataDir = dataDir;
    this.host = host;
    this.address = address;
    this.launchPrefix = List.copyOf(launchPrefix);
    this.httpPort = freePort();
    int cp = freePort();
    while (cp == httpPort) {
      cp = freePort();
    }
    this.clusterPort = cp;
    this.log = dataDir.resolveSibling(dataDir.getFileName() + "-node.log");
  }

  public static Path jar() {
    String jar = System.getProperty("drover.jar", "http-api/target/drover.jar");
    Path p = Path.of(jar);
    if (!Files.isRegularFile(p)) {
      throw new IllegalStateException("no node jar at " + p + ": run mvn package first");
    }
    return p;
  }

  public static Path examples() {
    return Path.of(System.getProperty("drover.examples", "examples"));
  }

  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Adds JVM options to every later launch (e.g. {@code -Xmx1g}, {@code -Ddrover.x=y}). */
  public LocalNode withJvmArgs(String... args) {
    jvmArgs.addAll(List.of(args));
    return this;
  }

  /**
   * Starts the node with {@code DROVER_ADMIN_TOKEN=token} (null: unset, so the node generates
   * {@code <data-dir>/admin.token}) and sends that token; nodes of one cluster need the same.
   */
  public LocalNode withAdminToken(String token) {
    this.adminToken = token;
    return this;
  }

  /**
   * The token this node's requests carry: the one it was started with, or (without one) what it
   * wrote to {@code <data-dir>/admin.token}; null while neither is known.
   */
  public String adminToken() {
    if (adminToken != null) {
      return adminToken;
    }
    try {
      return Files.readString(dataDir.resolve(io.drover.http.auth.Bootstrap.FILE)).strip();
    } catch (IOException e) {
      return null;
    }
  }

  /** A request to {@code path} under /api/v1 with {@code Authorization: Bearer <admin token>}. */
  public HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(uri(path));
    String token = adminToken();
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /**
   * Mutual TLS between nodes with the certificates in {@code tlsDir} ({@code --tls-dir}), and with
   * {@code https} the API over HTTPS with the node certificate ({@code --https}); the harness's
   * client then trusts the directory's CA.
   */
  public LocalNode withTls(Path tlsDir, boolean https) throws IOException {
    baseArgs.addAll(List.of("--tls-dir", tlsDir.toString()));
    if (https) {
      baseArgs.add("--https");
      HarnessTls.trust(tlsDir.resolve("ca.crt"));
      scheme = "https";
    }
    return this;
  }

  /** Adds flags to every later launch of this node (e.g. {@code --journal postgres ...}). */
  public LocalNode withArgs(String... args) {
    baseArgs.addAll(List.of(args));
    return this;
  }

  /**
   * Packs {@code appDir} as a tar.gz (in {@code workDir}), uploads it to this node and returns the
   * revision id; an upload the node refuses fails with its answer.
   */
  public String uploadRevision(Path appDir, Path workDir) throws IOException, InterruptedException {
    Path tarGz = workDir.resolve("app-" + System.nanoTime() + ".tar.gz");
    io.drover.actors.revision.TarGz.pack(appDir, tarGz);
    HttpResponse<String> r = send("POST", "/revisions", HttpRequest.BodyPublishers.ofFile(tarGz));
    if (r.statusCode() != 201 && r.statusCode() != 200) {
      throw new IllegalStateException("upload refused: " + r.statusCode() + " " + r.body());
    }
    return Json.MAPPER.readTree(r.body()).get("id").asText();
  }

  /** The flags that put a node on this PostgreSQL database. */
  public static String[] postgresArgs(Postgres.Database db) {
    return postgresArgs(db.url());
  }

  /** The flags that put a node on the test PostgreSQL database at {@code jdbcUrl}. */
  public static String[] postgresArgs(String jdbcUrl) {
    return new String[] {
      "--journal",
      "postgres",
      "--jdbc-url",
      jdbcUrl,
      "--jdbc-user",
      Postgres.USER,
      "--jdbc-password",
      Postgres.PASSWORD
    };
  }

  /** Starts the node and waits until its health endpoint answers 200. */
  public LocalNode start(String... extraArgs) throws IOException, InterruptedException {
    launch(extraArgs);
    awaitHealthy(Duration.ofSeconds(90));
    return this;
  }

  /** Starts the node's process and returns at once (see {@link #awaitHealthy}). */
  public LocalNode launch(String... extraArgs) throws IOException {
    List<String> cmd = new ArrayList<>(launchPrefix);
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.addAll(jvmArgs);
    cmd.add("-jar");
    cmd.add(jar().toString());
    cmd.add("up");
    cmd.add("--data-dir");
    cmd.add(dataDir.toString());
    cmd.add("--http-port");
    cmd.add(Integer.toString(httpPort));
    cmd.add("--cluster-port");
    cmd.add(Integer.toString(clusterPort));
    cmd.add("--host");
    cmd.add(host);
    cmd.add("--examples-dir");
    cmd.add(examples().toString());
    if (!address.equals(LOOPBACK)) {
      cmd.add("--bind");
      cmd.add(address);
    }
    cmd.addAll(baseArgs);
    cmd.addAll(List.of(extraArgs));
    ProcessBuilder pb =
        new ProcessBuilder(cmd)
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    if (adminToken == null) {
      pb.environment().remove(TOKEN_ENV);
    } else {
      pb.environment().put(TOKEN_ENV, adminToken);
    }
    process = pb.start();
    return this;
  }

  /** Waits until the health endpoint answers 200 (the node is an Up member). */
  public void awaitHealthy(Duration within) throws InterruptedException {
    await(
        within,
        "node health 200 (log " + log + ")",
        () -> {
          if (!process.isAlive()) {
            throw new NodeDied("node exited with " + process.exitValue() + "; log: " + readLog());
          }
          return get("/health").statusCode() == 200;
        });
  }

  /** {@code HOST:PORT} of its cluster transport, as {@code --join} takes it. */
  public String clusterAddress() {
    return address + ":" + clusterPort;
  }

  /** Its member address, as the cluster API shows it. */
  public String memberAddress() {
    return "pekko://drover@" + clusterAddress();
  }

  /** Sends a signal by name ({@code STOP}, {@code CONT}, {@code TERM}, ...) to the node's JVM. */
  public void signal(String sig) throws IOException, InterruptedException {
    Process kill = new ProcessBuilder("kill", "-" + sig, Long.toString(pid())).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) {
      throw new IllegalStateException("kill -" + sig + " " + pid() + " failed");
    }
  }

  /** Waits for the process to exit by itself and returns its exit code. */
  public int awaitExit(Duration within) throws InterruptedException {
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      throw new AssertionError("node " + host + " did not exit within " + within);
    }
    return process.exitValue();
  }

  /** The processes the node's JVM started that still run (its instances and their children). */
  public List<ProcessHandle> descendants() {
    return process == null ? List.of() : process.descendants().toList();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /**
   * Test clean-up: SIGKILLs every node (resuming a paused one first, so its process tree can be
   * read), then every process they had started and every one in {@code alsoKill}.
   */
  public static void killAll(List<LocalNode> nodes, List<ProcessHandle> alsoKill)
      throws InterruptedException {
    List<ProcessHandle> leftovers = new ArrayList<>(alsoKill);
    for (LocalNode n : nodes) {
      if (n.isAlive()) {
        leftovers.addAll(n.descendants());
        try {
          n.signal("CONT");
        } catch (IOException | RuntimeException e) {
          // already gone
        }
      }
      n.kill();
    }
    for (ProcessHandle p : leftovers) {
      p.destroyForcibly();
    }
  }

  /** SIGKILL: the node dies without stopping anything. */
  public void kill() throws InterruptedException {
    if (process != null) {
      process.destroyForcibly();
      process.waitFor(30, TimeUnit.SECONDS);
    }
  }

  /** SIGTERM, then waits for a clean exit. */
  public int terminate(Duration within) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(within.toMillis(), TimeUnit.MILLISECONDS)) {
      process.destroyForcibly();
      throw new IllegalStateException("node did not stop within " + within);
    }
    return process.exitValue();
  }

  /**
   * Where the node unpacks releases: what its log says ("releases are unpacked to DIR", when a root
   * node's data directory is closed to site processes), else {@code <data-dir>/releases}.
   */
  public Path releasesDir() {
    String marker = "releases are unpacked to ";
    return readLog()
        .lines()
        .filter(l -> l.contains(marker))
        .map(l -> l.substring(l.indexOf(marker) + marker.length()).split("[ ,]")[0])
        .map(Path::of)
        .findFirst()
        .orElse(dataDir.resolve("releases"));
  }

  public String readLog() {
    try {
      return Files.readString(log);
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  public URI uri(String path) {
    return URI.create(scheme + "://" + address + ":" + httpPort + "/api/v1" + path);
  }

  public HttpResponse<String> get(String path) throws IOException, InterruptedException {
    return HTTP.send(
        request(path).timeout(Duration.ofSeconds(15)).GET().build(),
        HttpResponse.BodyHandlers.ofString());
  }

  public HttpResponse<String> send(String method, String path, HttpRequest.BodyPublisher body)
      throws IOException, InterruptedException {
    return HTTP.send(
        request(path)
            .timeout(Duration.ofSeconds(15))
            .header("Content-Type", "application/json")
            .method(method, body)
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  /**
   * The members this node sees ({@code GET /cluster/members}), asked with a short timeout: a
   * starved or paused node must not hold up the caller for long.
   *
   * @throws IOException also when the node answers other than 200
   */
  public List<JsonNode> members() throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            request("/cluster/members").timeout(Duration.ofSeconds(5)).GET().build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("GET /cluster/members -> " + r.statusCode());
    }
    List<JsonNode> list = new ArrayList<>();
    Json.MAPPER.readTree(r.body()).forEach(list::add);
    return list;
  }

  /** True when the app on {@code port} of 127.0.0.1 answers {@code GET /} with 200 within 2 s. */
  public static boolean appAnswers(int port) throws InterruptedException {
    try {
      return HTTP.send(
                  HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                      .timeout(Duration.ofSeconds(2))
                      .build(),
                  HttpResponse.BodyHandlers.ofString())
              .statusCode()
          == 200;
    } catch (IOException e) {
      return false;
    }
  }

  public JsonNode json(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = get(path);
    if (r.statusCode() != 200) {
      throw new IllegalStateException("GET " + path + " -> " + r.statusCode() + " " + r.body());
    }
    return Json.MAPPER.readTree(r.body());
  }

  /** A condition polled by {@link #await}; an exception counts as "not yet". */
  @FunctionalInterface
  public interface Condition {
    boolean holds() throws Exception;
  }

  /**
   * Polls {@code condition} until it holds or the deadline passes; never waits unbounded. A {@link
   * NodeDied} ends the wait at once.
   */
  public static void await(Duration within, String what, Condition condition)
      throws InterruptedException {
    long deadline = System.nanoTime() + within.toNanos();
    Exception last = null;
    while (System.nanoTime() < deadline) {
      try {
        if (condition.holds()) {
          return;
        }
      } catch (NodeDied | InterruptedException e) {
        throw e;
      } catch (Exception e) {
        last = e;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    throw new AssertionError("timed out after " + within + " waiting for " + what, last);
  }

  /** The node process exited while a test waited for it. */
  public static final class NodeDied extends RuntimeException {
    private static final long serialVersionUID = 1L;

    NodeDied(String message) {
      super(message);
    }
  }

  @Override
  public void close() throws InterruptedException {
    kill();
  }
}
