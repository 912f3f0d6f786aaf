package io.drover.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.common.Durations;
import io.drover.cluster.ClusterSettings;
import io.drover.cluster.Exit;
import io.drover.cluster.JournalSettings;
import io.drover.cluster.Node;
import io.drover.cluster.StartRefused;
import io.drover.http.auth.Bootstrap;
import io.drover.http.events.EventSettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * The {@code drover} launcher. {@code drover up} starts one node in the foreground; SIGTERM or
 * Ctrl-C stops it, its instances first. Bad flags print what to fix and exit with code 2; a node
 * the cluster downed stops its instances and exits with code 3 (see {@link Exit}).
 */
@Command(
    name = "drover",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Keeps sites running at least twice on a fleet of hosts.",
    subcommands = {Main.Up.class, io.drover.http.tls.CertsCommand.class})
public final class Main implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(Main.class);

  static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9.-]{0,62}");

  @Spec CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main());
  }

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(), "say what to do: drover up [flags], or drover certs ...");
  }

  /** {@code drover up}: start a node in the foreground. */
  @Command(
      name = "up",
      mixinStandardHelpOptions = true,
      description = "Start one Drover node in the foreground (Ctrl-C stops it cleanly).")
  static final class Up implements Callable<Integer> {

    @Spec CommandSpec spec;

    @Option(
        names = "--data-dir",
        paramLabel = "DIR",
        defaultValue = "${env:DROVER_DATA_DIR:-data}",
        description =
            "Journal, revisions, releases and logs (env DROVER_DATA_DIR; default ${DEFAULT-VALUE}).")
    Path dataDir;

    @Option(
        names = "--http-port",
        paramLabel = "N",
        defaultValue = "${env:DROVER_HTTP_PORT:-8080}",
        description = "HTTP API port (env DROVER_HTTP_PORT; default ${DEFAULT-VALUE}).")
    int httpPort;

    @Option(
        names = "--cluster-port",
        paramLabel = "N",
        defaultValue = "${env:DROVER_CLUSTER_PORT:-2552}",
        description = "Cluster (Artery) port (env DROVER_CLUSTER_PORT; default ${DEFAULT-VALUE}).")
    int clusterPort;

    @Option(
        names = "--host",
        paramLabel = "NAME",
        defaultValue = "${env:DROVER_HOST}",
        description = "This host's name (env DROVER_HOST; default: the machine's hostname).")
    String host;

    @Option(
        names = "--pool",
        paramLabel = "NAME",
        defaultValue = "${env:DROVER_POOL:-default}",
        description = "This host's pool (env DROVER_POOL; default ${DEFAULT-VALUE}).")
    String pool;

    @Option(
        names = "--bind",
        paramLabel = "ADDR",
        defaultValue = "${env:DROVER_BIND:-127.0.0.1}",
        description =
            "Address the HTTP API and the cluster bind to (env DROVER_BIND; default ${DEFAULT-VALUE}).")
    String bind;

    @Option(
        names = "--grace",
        paramLabel = "DURATION",
        defaultValue = "${env:DROVER_GRACE:-5s}",
        description =
            "How long a missing instance may stay missing before it is replaced (env DROVER_GRACE; default ${DEFAULT-VALUE}).")
    String grace;

    @Option(
        names = "--journal",
        paramLabel = "KIND",
        defaultValue = "${env:DROVER_JOURNAL:-leveldb}",
        description =
            "leveldb (embedded under the data dir; one node) or postgres (a database every node"
                + " reaches; needs --jdbc-url) (env DROVER_JOURNAL; default ${DEFAULT-VALUE}).")
    String journal;

    @Option(
        names = "--jdbc-url",
        paramLabel = "URL",
        defaultValue = "${env:DROVER_JDBC_URL}",
        description =
            "PostgreSQL for --journal postgres, jdbc:postgresql://HOST:PORT/DB (env DROVER_JDBC_URL;"
                + " ./drover dev-postgres prints one for development).")
    String jdbcUrl;

    @Option(
        names = "--jdbc-user",
        paramLabel = "NAME",
        defaultValue = "${env:DROVER_JDBC_USER:-drover}",
        description = "Database user (env DROVER_JDBC_USER; default ${DEFAULT-VALUE}).")
    String jdbcUser;

    @Option(
        names = "--jdbc-password",
        paramLabel = "SECRET",
        defaultValue = "${env:DROVER_JDBC_PASSWORD}",
        description =
            "Database password (env DROVER_JDBC_PASSWORD, which keeps it out of the process list).")
    String jdbcPassword;

    @Option(
        names = "--join",
        paramLabel = "HOST:PORT",
        split = ",",
        defaultValue = "${env:DROVER_JOIN}",
        description =
            "A seed node's cluster address; repeatable (env DROVER_JOIN, comma separated). The"
                + " first seed may start a new cluster when it is this node; the others join it."
                + " Without --join, --discovery or --manual-join the node forms a cluster of its own.")
    List<String> join;

    @Option(
        names = "--manual-join",
        description =
            "Start without joining: POST /api/v1/cluster/join names the cluster to join later.")
    boolean manualJoin;

    @Option(
        names = "--down-after",
        paramLabel = "DURATION",
        defaultValue = "${env:DROVER_DOWN_AFTER:-2s}",
        description =
            "How long a member must stay unreachable before the cluster downs it; a downed node"
                + " stops its instances and exits with code 3 (env DROVER_DOWN_AFTER; default"
                + " ${DEFAULT-VALUE}).")
    String downAfter;

    @Option(
        names = "--discovery",
        paramLabel = "METHOD",
        defaultValue = "${env:DROVER_DISCOVERY}",
        description =
            "Form or find the cluster through Cluster Bootstrap: 'config' (the --contact-point"
                + " list) or 'dns' (A records of --discovery-service) (env DROVER_DISCOVERY).")
    String discovery;

    @Option(
        names = "--discovery-service",
        paramLabel = "NAME",
        defaultValue = "${env:DROVER_DISCOVERY_SERVICE:-drover}",
        description =
            "The name discovery looks up, a DNS name with 'dns' (env DROVER_DISCOVERY_SERVICE;"
                + " default ${DEFAULT-VALUE}).")
    String discoveryService;

    @Option(
        names = "--management-port",
        paramLabel = "N",
        defaultValue = "${env:DROVER_MANAGEMENT_PORT:-8558}",
        description =
            "Pekko Management HTTP port, bound to --bind; only with --discovery (env"
                + " DROVER_MANAGEMENT_PORT; default ${DEFAULT-VALUE}).")
    int managementPort;

    @Option(
        names = "--contact-point",
        paramLabel = "HOST:PORT",
        split = ",",
        defaultValue = "${env:DROVER_CONTACT_POINTS}",
        description =
            "A node's management endpoint for --discovery config; repeatable (env"
                + " DROVER_CONTACT_POINTS, comma separated).")
    List<String> contactPoints;

    @Option(
        names = "--expect-nodes",
        paramLabel = "N",
        defaultValue = "${env:DROVER_EXPECT_NODES:-2}",
        description =
            "With --discovery: contact points that must be found before a new cluster forms (env"
                + " DROVER_EXPECT_NODES; default ${DEFAULT-VALUE}).")
    int expectNodes;

    @Option(
        names = "--no-example",
        description = "Do not upload and start the example site 'hello'.")
    boolean noExample;

    @Option(
        names = "--examples-dir",
        paramLabel = "DIR",
        defaultValue = "${env:DROVER_EXAMPLES:-examples}",
        description =
            "Where the example site lives (env DROVER_EXAMPLES; default ${DEFAULT-VALUE}).")
    Path examplesDir;

    @Option(
        names = "--tls-dir",
        paramLabel = "DIR",
        defaultValue = "${env:DROVER_TLS_DIR}",
        description =
            "Mutual TLS 1.3 between nodes with the certificates in DIR (made by drover certs node"
                + " NAME --dir CA_DIR; pass CA_DIR/NAME) (env DROVER_TLS_DIR).")
    Path tlsDir;

    @Option(
        names = "--insecure-cluster",
        description =
            "Allow a plaintext cluster port on a non-loopback --bind (only on a network you"
                + " trust: anyone reaching the port could join and run commands).")
    boolean insecureCluster;

    @Option(
        names = "--https",
        description = "Serve the API over HTTPS with the node certificate from --tls-dir.")
    boolean https;

    @Option(
        names = "--https-cert",
        paramLabel = "FILE",
        description = "Serve the API over HTTPS with this PEM certificate chain (leaf first).")
    Path httpsCert;

    @Option(
        names = "--https-key",
        paramLabel = "FILE",
        description = "The PEM PKCS#8 private key (RSA or EC) of --https-cert.")
    Path httpsKey;

    @Option(
        names = "--insecure-http",
        description = "Allow plain HTTP for the API on a non-loopback --bind.")
    boolean insecureHttp;

    @Override
    public Integer call() throws Exception {
      Config overrides = validate();
      Bootstrap bootstrap;
      try {
        bootstrap =
            Bootstrap.load(
                Path.of(Node.config(overrides).getString("drover.data-dir"))
                    .toAbsolutePath()
                    .normalize(),
                System.getenv());
      } catch (Bootstrap.Refused e) {
        spec.commandLine().getErr().println("drover: " + e.getMessage());
        return 2;
      }
      Node node;
      try {
        EventSettings.fromConfig(Node.config(overrides)); // bad webhooks: refuse before starting
        node = Node.start(overrides);
      } catch (StartRefused e) {
        spec.commandLine().getErr().println("drover: " + e.getMessage());
        return e.exitCode();
      }
      CompletableFuture<?> terminated = node.system().getWhenTerminated().toCompletableFuture();
      if (!terminated.isDone()) {
        HttpServer.start(node, bootstrap, HttpServer.NO_TOKENS).toCompletableFuture().get();
      }
      if (!noExample) {
        CompletableFuture.anyOf(node.whenUp(), terminated).join();
        if (!terminated.isDone()) {
          new ExampleSite(
                  node.settings(),
                  examplesDir.resolve("hello"),
                  bootstrap,
                  io.drover.http.tls.ApiTls.selfClient(node.system().settings().config()))
              .ensureRunning();
        }
      }
      terminated.join();
      Exit exit = node.exit();
      if (exit.code() == 0) {
        log.info(exit.message());
      } else {
        log.error(exit.message());
      }
      return exit.code();
    }

    Config validate() {
      Map<String, Object> o = new HashMap<>();
      checkPort("--http-port", httpPort);
      checkPort("--cluster-port", clusterPort);
      if (httpPort == clusterPort) {
        throw bad("--http-port and --cluster-port must differ (both are " + httpPort + ")");
      }
      if (host != null && !host.isBlank()) {
        if (!NAME.matcher(host).matches()) {
          throw bad(
              "--host '"
                  + host
                  + "' is not a host name: use lowercase letters, digits, '.' and '-'");
        }
        o.put("drover.host", host);
      }
      if (!NAME.matcher(pool).matches()) {
        throw bad(
            "--pool '" + pool + "' is not a pool name: use lowercase letters, digits and '-'");
      }
      if (Durations.parse(grace).filter(d -> !d.isNegative() && !d.isZero()).isEmpty()) {
        throw bad("--grace '" + grace + "' is not a positive duration such as 5s or 1500ms");
      }
      Path abs = dataDir.toAbsolutePath();
      if (Files.exists(abs) && (!Files.isDirectory(abs) || !Files.isWritable(abs))) {
        throw bad("--data-dir " + abs + " is not a writable directory");
      }
      if (Durations.parse(downAfter).filter(d -> !d.isNegative() && !d.isZero()).isEmpty()) {
        throw bad(
            "--down-after '" + downAfter + "' is not a positive duration such as 4s or 2500ms");
      }
      List<String> seeds = join == null ? List.of() : join.stream().map(String::trim).toList();
      List<String> contacts =
          contactPoints == null ? List.of() : contactPoints.stream().map(String::trim).toList();
      String method = discovery == null ? "" : discovery.trim();
      if (!method.isEmpty() && !method.equals("config") && !method.equals("dns")) {
        throw bad("--discovery '" + method + "' is not one of: config, dns");
      }
      ClusterSettings cluster =
          new ClusterSettings(
              seeds,
              manualJoin,
              Duration.ofMinutes(2),
              Durations.of(downAfter),
              new ClusterSettings.Discovery(
                  switch (method) {
                    case "config" -> ClusterSettings.Method.CONFIG;
                    case "dns" -> ClusterSettings.Method.DNS;
                    default -> ClusterSettings.Method.NONE;
                  },
                  discoveryService,
                  managementPort,
                  expectNodes,
                  contacts));
      cluster
          .problem()
          .ifPresent(
              p -> {
                throw bad(p);
              });
      if (!method.isEmpty() && (managementPort == httpPort || managementPort == clusterPort)) {
        throw bad(
            "--management-port "
                + managementPort
                + " must differ from --http-port and --cluster-port");
      }
      if (!noExample && !Files.isRegularFile(examplesDir.resolve("hello/Hello.java"))) {
        throw bad(
            "the example site is missing at "
                + examplesDir.toAbsolutePath().resolve("hello")
                + ": pass --examples-dir, or --no-example to start without it");
      }
      validateJournal(o);
      new io.drover.http.tls.TlsFlags(
              tlsDir, insecureCluster, https, httpsCert, httpsKey, insecureHttp)
          .validate(bind, o)
          .ifPresent(
              p -> {
                throw bad(p);
              });
      o.put("drover.data-dir", abs.toString());
      o.put("drover.http.port", httpPort);
      o.put("drover.http.bind", bind);
      o.put("drover.pool", pool);
      o.put("drover.grace", grace);
      o.put("pekko.remote.artery.canonical.port", clusterPort);
      o.put("drover.join", seeds);
      o.put("drover.manual-join", manualJoin);
      o.put("drover.down-after", downAfter.trim());
      o.put("drover.discovery.method", method);
      o.put("drover.discovery.service-name", discoveryService);
      o.put("drover.discovery.management-port", managementPort);
      o.put("drover.discovery.expect-nodes", expectNodes);
      o.put("drover.discovery.config.endpoints", contacts);
      return ConfigFactory.parseMap(o);
    }

    private void validateJournal(Map<String, Object> o) {
      JournalSettings.Kind kind;
      try {
        kind = JournalSettings.Kind.parse(journal);
      } catch (IllegalArgumentException e) {
        throw bad(
            "--journal '"
                + journal
                + "' is not a journal: use leveldb (one node) or postgres (with --jdbc-url)");
      }
      String url = jdbcUrl == null ? "" : jdbcUrl.trim();
      if (kind == JournalSettings.Kind.LEVELDB) {
        if (spec.commandLine().getParseResult().hasMatchedOption("--jdbc-url")) {
          throw bad("--jdbc-url is only used with --journal postgres: add --journal postgres");
        }
        boolean clustered =
            (join != null && !join.isEmpty())
                || manualJoin
                || (discovery != null && !discovery.isBlank());
        if (clustered) {
          throw bad(
              "--join, --discovery and --manual-join need --journal postgres: with the embedded"
                  + " LevelDB journal every node keeps its own state, and a site that moves to"
                  + " another node would come back empty (its state would be lost). Give every"
                  + " node the same database: --journal postgres --jdbc-url ... (for development:"
                  + " --jdbc-url $(./drover dev-postgres))");
        }
      } else if (url.isEmpty()) {
        throw bad(
            "--journal postgres needs --jdbc-url "
                + JournalSettings.POSTGRES_URL_PREFIX
                + "HOST:PORT/DATABASE (for development: --jdbc-url $(./drover dev-postgres))");
      } else if (!url.startsWith(JournalSettings.POSTGRES_URL_PREFIX)) {
        throw bad(
            "--jdbc-url '"
                + url
                + "' must start with "
                + JournalSettings.POSTGRES_URL_PREFIX
                + ", e.g. jdbc:postgresql://127.0.0.1:5432/drover");
      } else if (jdbcUser == null || jdbcUser.isBlank()) {
        throw bad("--jdbc-user must not be empty");
      }
      o.put("drover.journal", kind.name().toLowerCase(Locale.ROOT));
      if (kind == JournalSettings.Kind.POSTGRES) {
        o.put("drover.jdbc.url", url);
        o.put("drover.jdbc.user", jdbcUser);
        o.put("drover.jdbc.password", jdbcPassword == null ? "" : jdbcPassword);
      }
    }

    private void checkPort(String flag, int port) {
      if (port < 1 || port > 65535) {
        throw bad(flag + " must be between 1 and 65535, got " + port);
      }
    }

    private ParameterException bad(String message) {
      return new ParameterException(spec.commandLine(), message);
    }
  }

  /** The version from the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String v = Main.class.getPackage().getImplementationVersion();
      return new String[] {"drover " + (v == null ? "dev" : v)};
    }
  }
}
