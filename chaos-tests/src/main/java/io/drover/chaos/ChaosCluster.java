package io.drover.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.http.Json;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * N real Drover nodes (separate JVMs, on loopback or each in its own network namespace) on one
 * fresh PostgreSQL database, formed into one cluster through seed nodes, running S sites of two
 * instances each, with the faults a host can suffer: {@link #kill} (the JVM and its instances die),
 * {@link #pause} (SIGSTOP ... SIGCONT; the instances keep running), {@link #restart} on the same
 * data directory, and with {@link Network#NETNS} a network {@link #partition} between groups of
 * nodes until {@link #heal}. {@link #observe()} takes the API of a live node and the OS process
 * table together. {@link #close()} kills every process it started, by pid, deletes the namespaces
 * and links it created and drops the database.
 */
public final class ChaosCluster implements AutoCloseable {

  /** The application the sites run. */
  public enum App {
    /** {@code sleep}: no port, an {@code exec ["true"]} health check; cheap on 2 cores. */
    LIGHT,
    /** examples/hello: a Java HTTP server with an HTTP health check; it answers on its port. */
    HELLO
  }

  /** Where the nodes live on the network. */
  public enum Network {
    /** Every node on 127.0.0.1 (its own ports); no partitions. */
    LOOPBACK,
    /**
     * Every node in its own network namespace on a private test bridge ({@link NamespaceNetwork}),
     * so {@link #partition} can cut groups apart. Needs root and {@code ip netns}: see {@link
     * #partitionUnsupportedReason()}.
     */
    NETNS
  }

  /**
   * @param nodes how many nodes (at least 3, so a majority survives one fault)
   * @param sites how many sites of two instances (0 for a bench that needs none)
   * @param grace {@code --grace}
   * @param downAfter {@code --down-after}
   * @param app what the sites run
   * @param workDir data directories and node logs go under it
   * @param network loopback, or a namespace per node (partitions possible)
   */
  public record Config(
      int nodes,
      int sites,
      Duration grace,
      Duration downAfter,
      App app,
      Path workDir,
      Network network) {
    public Config {
      if (nodes < 3) {
        throw new IllegalArgumentException("--nodes must be at least 3 (a majority must survive)");
      }
      if (sites < 0) {
        throw new IllegalArgumentException("sites cannot be negative");
      }
    }

    /** On loopback. */
    public Config(int nodes, int sites, Duration grace, Duration downAfter, App app, Path workDir) {
      this(nodes, sites, grace, downAfter, app, workDir, Network.LOOPBACK);
    }
  }

  /** What became of a node after a pause or on the minority side of a partition. */
  public enum PauseOutcome {
    /** It woke up (or the partition healed) and is a member again. */
    RESUMED,
    /** It had been downed meanwhile: it fenced itself (exit 3) and was started again. */
    DOWNED_AND_RESTARTED
  }

  /** The reconcile interval of the nodes ({@code drover.reconcile-interval}). */
  public static final Duration RECONCILE = Duration.ofSeconds(2);

  /** A JDBC URL's prefix, host, port and rest. */
  private static final Pattern JDBC_HOST_PORT =
      Pattern.compile("(jdbc:postgresql://)([^/:]+):(\\d+)(/.*)");

  public final Config config;
  public final History history;

  private final List<LocalNode> nodes = new ArrayList<>();
  private final Set<Integer> paused = ConcurrentHashMap.newKeySet();

  /**
   * The minority side of the current partition: running, but cut off from the majority, from whose
   * side alone the harness judges the cluster meanwhile.
   */
  private final Set<Integer> cutOff = ConcurrentHashMap.newKeySet();

  private final Map<String, String> hostByAgentId = new ConcurrentHashMap<>();
  private final Map<String, Invariants.Acked> acked = new LinkedHashMap<>();
  private final Set<Long> started = ConcurrentHashMap.newKeySet();
  private final Postgres.Database db;
  private NamespaceNetwork net;
  private TcpForwarder journalForwarder;
  private String revision;
  private String otherRevision;
  private String lastSeen = "";

  private ChaosCluster(Config config, History history, Postgres.Database db) {
    this.config = config;
    this.history = history;
    this.db = db;
  }

  /** Starts the nodes, waits until they are one cluster, and creates the sites (all ready). */
  public static ChaosCluster start(Config config, History history) throws Exception {
    Files.createDirectories(config.workDir());
    ChaosCluster c = new ChaosCluster(config, history, Postgres.createDatabase());
    try {
      if (config.network() == Network.NETNS) {
        c.openNetwork();
      }
      c.boot();
      return c;
    } catch (Exception | Error e) {
      c.close();
      throw e;
    }
  }

  /**
   * The bridge and a namespace per node, and a forwarder on the bridge address to the test
   * PostgreSQL (it listens on 127.0.0.1 of this namespace only) that accepts the namespaces' peers.
   */
  private void openNetwork() throws IOException {
    net = NamespaceNetwork.create(config.nodes());
    Matcher m = JDBC_HOST_PORT.matcher(db.url());
    if (!m.matches()) {
      throw new IllegalStateException("cannot tell host and port of " + db.url());
    }
    String prefix = net.subnetPrefix();
    journalForwarder =
        TcpForwarder.start(
            InetAddress.getByName(net.bridgeAddress()),
            new InetSocketAddress(m.group(2), Integer.parseInt(m.group(3))),
            peer -> peer.getHostAddress().startsWith(prefix));
    history.add(
        "network: bridge "
            + net.bridge()
            + " "
            + net.bridgeAddress()
            + "/24, namespaces "
            + net.namespace(0)
            + ".."
            + (config.nodes() - 1)
            + ", host-N at "
            + prefix
            + "(10+N); journal forwarded from "
            + net.bridgeAddress()
            + ":"
            + journalForwarder.port()
            + " to "
            + m.group(2)
            + ":"
            + m.group(3));
  }

  /** The JDBC URL nodes get: the database's, or through the forwarder in NETNS mode. */
  private String nodeJdbcUrl() {
    if (net == null) {
      return db.url();
    }
    Matcher m = JDBC_HOST_PORT.matcher(db.url());
    if (!m.matches()) {
      throw new IllegalStateException("cannot tell host and port of " + db.url());
    }
    return m.group(1) + net.bridgeAddress() + ":" + journalForwarder.port() + m.group(4);
  }

  private void boot() throws Exception {
    List<String> seeds = new ArrayList<>();
    Path ca = config.workDir().resolve("ca");
    if (net != null) {
      HarnessTls.init(ca);
    }
    for (int i = 0; i < config.nodes(); i++) {
      Path dir = config.workDir().resolve("n" + (i + 1));
      String name = "host-" + (i + 1);
      LocalNode n =
          (net == null
                  ? new LocalNode(dir, name)
                  : new LocalNode(dir, name, net.address(i), net.execPrefix(i)))
              .withArgs(LocalNode.postgresArgs(nodeJdbcUrl()))
              .withArgs(
                  "--no-example",
                  "--grace",
                  config.grace().toMillis() + "ms",
                  "--down-after",
                  config.downAfter().toMillis() + "ms");
      if (net != null) {
        // Off loopback, as a real fleet: mutual TLS between nodes and the API over HTTPS, with
        // certificates from drover certs (a node refuses a public plaintext bind).
        n.withTls(HarnessTls.node(ca, name, "ip:" + net.address(i)), true);
      }
      nodes.add(n);
      seeds.add(n.clusterAddress());
    }
    String join = String.join(",", seeds);
    for (LocalNode n : nodes) {
      n.withArgs("--join", join);
    }
    history.add(
        "starting "
            + config.nodes()
            + " nodes (grace "
            + config.grace().toMillis()
            + " ms, down-after "
            + config.downAfter().toMillis()
            + " ms, app "
            + config.app()
            + ", database "
            + db.name()
            + ", network "
            + config.network()
            + ")");
    long t0 = System.nanoTime();
    for (LocalNode n : nodes) {
      n.launch();
      started.add(n.pid());
    }
    for (int i = 0; i < nodes.size(); i++) {
      nodes.get(i).awaitHealthy(Duration.ofSeconds(180));
      learnAgentId(i);
    }
    awaitMembersUp(Duration.ofSeconds(120));
    // Sites placed before every host is known would all go to the hosts seen first and stay there
    // (a full site does not move to a host that joins later), leaving some host without
    // instances for faults to hit.
    LocalNode.await(
        Duration.ofSeconds(60),
        "every host reachable in GET /hosts",
        () -> {
          Set<String> reachable = new TreeSet<>();
          nodes
              .get(0)
              .json("/hosts")
              .forEach(
                  h -> {
                    if (h.path("reachable").asBoolean()) {
                      reachable.add(h.path("name").asText());
                    }
                  });
          return reachable.size() == nodes.size();
        });
    history.add(
        "cluster of "
            + nodes.size()
            + " formed in "
            + Duration.ofNanos(System.nanoTime() - t0).toMillis()
            + " ms");

    Path app = LocalNode.examples().resolve("hello");
    if (config.app() != App.HELLO) {
      app = Files.createDirectories(config.workDir().resolve("app"));
      Files.writeString(app.resolve("README"), "sleeps; the chaos harness's light app\n");
    }
    // Nodes fetch a revision from peers on demand; uploading it everywhere spares a dead peer.
    for (LocalNode n : nodes) {
      revision = n.uploadRevision(app, config.workDir());
    }
    // a second revision of the same app, for the deploys between faults
    Path second = Files.createDirectories(config.workDir().resolve("app-b"));
    copyTree(app, second);
    Files.writeString(second.resolve("DEPLOYED"), "the chaos harness's second revision\n");
    for (LocalNode n : nodes) {
      otherRevision = n.uploadRevision(second, config.workDir());
    }
    for (int s = 1; s <= config.sites(); s++) {
      putSite("s" + s, 2);
    }
    awaitTwice(Duration.ofSeconds(240), "initial placement");
  }

  /** The spec every site gets, with {@code instances}. */
  private String spec(int instances) {
    String cmd =
        config.app() == App.HELLO
            ? "[\"java\",\"-Xmx32m\",\"-XX:TieredStopAtLevel=1\",\"Hello.java\"]"
            : "[\"sleep\",\"100000\"]";
    String health =
        config.app() == App.HELLO
            ? "{\"http\":\"/healthz\",\"interval\":\"2s\"}"
            : "{\"exec\":[\"true\"],\"interval\":\"5s\"}";
    return "{\"revision\":\""
        + revision
        + "\",\"command\":"
        + cmd
        + ",\"instances\":"
        + instances
        + ",\"health\":"
        + health
        + ",\"restart\":{\"initialBackoff\":\"200ms\",\"resetAfter\":\"2s\"}}";
  }

  /** Creates or changes a site through a live node; an acknowledged write is remembered for I4. */
  public void putSite(String name, int instances) throws Exception {
    LocalNode n = anyLive();
    HttpResponse<String> r =
        n.send("PUT", "/sites/" + name, HttpRequest.BodyPublishers.ofString(spec(instances)));
    if (r.statusCode() != 200 && r.statusCode() != 201) {
      throw new IllegalStateException("PUT /sites/" + name + " -> " + r.statusCode() + r.body());
    }
    synchronized (acked) {
      acked.put(name, new Invariants.Acked(revision, instances));
    }
    history.add("acknowledged PUT " + name + " x" + instances + " (" + r.statusCode() + ")");
  }

  /** The two revisions sites move between: the first uploaded, and the other. */
  public List<String> revisions() {
    return List.of(revision, otherRevision);
  }

  /** Records that an acknowledged deploy of {@code site} ended on {@code revisionNow}, for I4. */
  public void deployed(String site, String revisionNow) {
    synchronized (acked) {
      Invariants.Acked a = acked.get(site);
      if (a != null) {
        acked.put(site, new Invariants.Acked(revisionNow, a.instances()));
      }
    }
  }

  /** Sends one request to a live node's API. */
  public HttpResponse<String> request(String method, String path, String body) throws Exception {
    return anyLive()
        .send(
            method,
            path,
            body == null
                ? HttpRequest.BodyPublishers.noBody()
                : HttpRequest.BodyPublishers.ofString(body));
  }

  private static void copyTree(Path from, Path to) throws java.io.IOException {
    try (java.util.stream.Stream<Path> files = Files.walk(from)) {
      for (Path p : files.toList()) {
        Path target = to.resolve(from.relativize(p).toString());
        if (Files.isDirectory(p)) {
          Files.createDirectories(target);
        } else {
          Files.copy(p, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
      }
    }
  }

  /** Every acknowledged write, for I4. */
  public Map<String, Invariants.Acked> acknowledged() {
    synchronized (acked) {
      return Map.copyOf(acked);
    }
  }

  public int size() {
    return nodes.size();
  }

  public LocalNode node(int i) {
    return nodes.get(i);
  }

  public String host(int i) {
    return nodes.get(i).host;
  }

  /** Index of the node of this host. */
  public int indexOf(String host) {
    for (int i = 0; i < nodes.size(); i++) {
      if (nodes.get(i).host.equals(host)) {
        return i;
      }
    }
    throw new IllegalArgumentException("no host " + host);
  }

  /**
   * True when node {@code i} runs, is not paused and is not on the minority side of a partition:
   * the hosts I1 counts on, and the nodes the harness asks.
   */
  public boolean isUp(int i) {
    return nodes.get(i).isAlive() && !paused.contains(i) && !cutOff.contains(i);
  }

  private void learnAgentId(int i) throws IOException {
    Path id = nodes.get(i).dataDir.resolve("agent").resolve("id");
    if (Files.isRegularFile(id)) {
      hostByAgentId.put(Files.readString(id).strip(), nodes.get(i).host);
    }
  }

  /** The cluster's PostgreSQL database (its journal). */
  public Postgres.Database database() {
    return db;
  }

  /** The host of an agent id ({@code DROVER_AGENT_ID}) of this cluster's nodes, or null. */
  public String hostOfAgent(String agentId) {
    return hostByAgentId.get(agentId);
  }

  private LocalNode anyLive() {
    for (int i = 0; i < nodes.size(); i++) {
      if (isUp(i)) {
        return nodes.get(i);
      }
    }
    throw new IllegalStateException("no live node");
  }

  // ---- observation

  /** The instance processes the OS shows for this cluster's hosts. */
  public List<Observation.Proc> processes() {
    return ProcScanner.scan(Map.copyOf(hostByAgentId));
  }

  /** GET {@code path} from the first live node that answers 200 within 5 s, or null. */
  public JsonNode apiGet(String path) {
    for (int i = 0; i < nodes.size(); i++) {
      if (!isUp(i)) {
        continue;
      }
      LocalNode n = nodes.get(i);
      try {
        HttpResponse<String> r =
            LocalNode.HTTP.send(
                n.request(path).timeout(Duration.ofSeconds(5)).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return Json.MAPPER.readTree(r.body());
        }
      } catch (IOException e) {
        // try the next node
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  /**
   * {@code GET /sites/{name}} for each name, asked concurrently of live nodes in turn (3 s each); a
   * site that answers 404 has no entry, one no node answered for maps to null.
   */
  private Map<String, JsonNode> siteViews(Set<String> names) {
    Map<String, JsonNode> out = new java.util.TreeMap<>();
    Set<String> open = new TreeSet<>(names);
    for (int n = 0; n < nodes.size() && !open.isEmpty(); n++) {
      if (!isUp(n)) {
        continue;
      }
      LocalNode node = nodes.get(n);
      Map<String, java.util.concurrent.CompletableFuture<HttpResponse<String>>> asks =
          new HashMap<>();
      for (String name : open) {
        asks.put(
            name,
            LocalNode.HTTP.sendAsync(
                node.request("/sites/" + name).timeout(Duration.ofSeconds(3)).GET().build(),
                HttpResponse.BodyHandlers.ofString()));
      }
      for (Map.Entry<String, java.util.concurrent.CompletableFuture<HttpResponse<String>>> e :
          asks.entrySet()) {
        try {
          HttpResponse<String> r = e.getValue().get(5, TimeUnit.SECONDS);
          if (r.statusCode() == 200) {
            out.put(e.getKey(), Json.MAPPER.readTree(r.body()));
            open.remove(e.getKey());
          } else if (r.statusCode() == 404) {
            open.remove(e.getKey());
          }
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
          return out;
        } catch (Exception ex) {
          // timed out or refused: ask the next node
        }
      }
    }
    for (String name : open) {
      out.put(name, null);
    }
    return out;
  }

  /**
   * The API of a live node and the OS at one moment. Changes since the last observation are written
   * to the history, so a violation comes with what led to it.
   */
  public Observation observe() {
    Set<String> up = new TreeSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (isUp(i)) {
        up.add(nodes.get(i).host);
      }
    }
    // Site by site, so a site whose entity sits on a paused node does not hide the others.
    Map<String, JsonNode> views = siteViews(acknowledged().keySet());
    List<Observation.Site> sites = new ArrayList<>();
    for (JsonNode s : views.values()) {
      if (s == null) {
        continue;
      }
      List<Observation.Instance> instances = new ArrayList<>();
      for (JsonNode i : s.path("instances")) {
        instances.add(
            new Observation.Instance(
                i.path("id").asText(),
                i.path("host").asText(),
                i.path("state").asText(),
                i.path("epoch").asLong(),
                i.path("pid").asLong(),
                i.path("revision").isTextual() ? i.path("revision").asText() : null));
      }
      sites.add(
          new Observation.Site(
              s.path("name").asText(),
              s.path("spec").path("revision").asText(),
              s.path("spec").path("instances").asInt(),
              instances));
    }
    boolean answered = views.values().stream().allMatch(v -> v != null);
    // Processes of a site that did not answer cannot be judged (I2 would call them "of no site").
    Set<String> silent = new HashSet<>();
    views.forEach(
        (name, v) -> {
          if (v == null) {
            silent.add(name);
          }
        });
    List<Observation.Proc> procs =
        processes().stream().filter(p -> !silent.contains(p.site())).toList();
    Observation o = new Observation(System.currentTimeMillis(), Set.copyOf(up), sites, procs);
    noteChanges(o, answered);
    return o;
  }

  private synchronized void noteChanges(Observation o, boolean answered) {
    StringBuilder sb = new StringBuilder();
    if (!answered) {
      sb.append("API: some sites did not answer; ");
    }
    for (Observation.Site s : o.sites()) {
      sb.append(s.name()).append(": ");
      sb.append(
          s.instances().stream()
              .sorted(java.util.Comparator.comparing(Observation.Instance::id))
              .map(i -> i.id() + "@" + i.host() + " " + i.state() + " pid " + i.pid())
              .collect(Collectors.joining(", ")));
      sb.append("; ");
    }
    sb.append("OS: ");
    sb.append(
        o.processes().stream()
            .map(p -> p.instanceId() + "@" + p.host() + " pid " + p.pid())
            .collect(Collectors.joining(", ")));
    String now = sb.toString();
    if (!now.equals(lastSeen)) {
      lastSeen = now;
      history.add("seen: " + now);
    }
  }

  /** True when every acknowledged site answered in {@code o}. */
  public boolean complete(Observation o) {
    return o.sites().size() >= acknowledged().size();
  }

  /**
   * I2 over an observation in which every acknowledged site answered; false while some did not
   * (their processes cannot be judged).
   */
  public boolean noStaleCopies() {
    Observation o = observe();
    return complete(o) && Invariants.noStaleCopies(o).isEmpty();
  }

  /**
   * Waits until I1 holds (every site two ready instances on distinct up hosts, each a real process)
   * and returns how long that took; throws with the last violations at the deadline.
   */
  public Duration awaitTwice(Duration within, String what) throws InterruptedException {
    long t0 = System.nanoTime();
    long deadline = t0 + within.toNanos();
    List<Violation> last = List.of();
    while (System.nanoTime() < deadline) {
      Observation o = observe();
      last = Invariants.twice(o);
      if (last.isEmpty() && o.sites().size() >= acknowledged().size()) {
        return Duration.ofNanos(System.nanoTime() - t0);
      }
      TimeUnit.MILLISECONDS.sleep(250);
    }
    throw new AssertionError("I1 did not hold within " + within + " (" + what + "): " + last);
  }

  // ---- membership

  /** True when every running, unpaused node sees all of them Up and reachable. */
  private boolean allUpEverywhere() throws IOException, InterruptedException {
    Set<String> want = new HashSet<>();
    for (int i = 0; i < nodes.size(); i++) {
      if (isUp(i)) {
        want.add(nodes.get(i).memberAddress());
      }
    }
    for (int i = 0; i < nodes.size(); i++) {
      if (!isUp(i)) {
        continue;
      }
      Set<String> seen = new HashSet<>();
      for (JsonNode m : nodes.get(i).members()) {
        if (m.path("status").asText().equals("up") && m.path("reachable").asBoolean()) {
          seen.add(m.path("address").asText());
        } else {
          return false;
        }
      }
      if (!seen.equals(want)) {
        return false;
      }
    }
    return true;
  }

  /** Waits until every live node sees every live node Up and reachable. */
  public void awaitMembersUp(Duration within) throws InterruptedException {
    LocalNode.await(within, "every live node sees all live nodes Up", this::allUpEverywhere);
  }

  /** True when some live peer no longer lists node {@code i} as an Up member. */
  public boolean removedByPeers(int i) {
    String addr = nodes.get(i).memberAddress();
    for (int j = 0; j < nodes.size(); j++) {
      if (j == i || !isUp(j)) {
        continue;
      }
      try {
        boolean present =
            nodes.get(j).members().stream()
                .anyMatch(
                    m ->
                        m.path("address").asText().equals(addr)
                            && m.path("status").asText().equals("up"));
        return !present;
      } catch (IOException e) {
        // ask the next one
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  // ---- faults

  /**
   * A host dies: SIGKILL of the node's JVM and of every instance process it started (collected
   * before the kill: instances are children of the JVM and would be orphaned).
   */
  public void kill(int i) throws InterruptedException {
    LocalNode n = nodes.get(i);
    List<ProcessHandle> victims = new ArrayList<>(n.descendants());
    if (paused.remove(i)) {
      history.add(n.host + " was paused; killing it anyway");
    }
    n.kill();
    victims.forEach(ProcessHandle::destroyForcibly);
    // Anything the agent started between the listing and the kill, found by its environment.
    for (Observation.Proc p : processes()) {
      if (p.host().equals(n.host)) {
        ProcessHandle.of(p.pid())
            .ifPresent(
                h -> {
                  h.descendants().forEach(ProcessHandle::destroyForcibly);
                  h.destroyForcibly();
                });
      }
    }
    history.add(
        "FAULT kill "
            + n.host
            + " (node pid "
            + n.pid()
            + " and "
            + victims.size()
            + " instance process(es))");
  }

  /** Starts node {@code i} again on its data directory with the same seeds; waits until Up. */
  public void restart(int i) throws Exception {
    LocalNode n = nodes.get(i);
    if (n.isAlive()) {
      throw new IllegalStateException(n.host + " still runs");
    }
    paused.remove(i);
    history.add("restarting " + n.host);
    long t0 = System.nanoTime();
    n.launch();
    started.add(n.pid());
    n.awaitHealthy(Duration.ofSeconds(180));
    learnAgentId(i);
    history.add(
        n.host
            + " Up again (pid "
            + n.pid()
            + ") after "
            + Duration.ofNanos(System.nanoTime() - t0).toMillis()
            + " ms");
  }

  /** Every host dies at once, then every node starts again on its data directory. */
  public void killAllAndRestart() throws Exception {
    for (int i = 0; i < nodes.size(); i++) {
      kill(i);
    }
    history.add("restarting all " + nodes.size() + " nodes");
    long t0 = System.nanoTime();
    for (int i = 0; i < nodes.size(); i++) {
      paused.remove(i);
      nodes.get(i).launch();
      started.add(nodes.get(i).pid());
    }
    for (int i = 0; i < nodes.size(); i++) {
      nodes.get(i).awaitHealthy(Duration.ofSeconds(180));
      learnAgentId(i);
    }
    awaitMembersUp(Duration.ofSeconds(120));
    history.add(
        "all nodes Up again after " + Duration.ofNanos(System.nanoTime() - t0).toMillis() + " ms");
  }

  /** SIGSTOP of node {@code i}'s JVM (its instances keep running). */
  public void stop(int i) throws IOException, InterruptedException {
    nodes.get(i).signal("STOP");
    paused.add(i);
    history.add("FAULT SIGSTOP " + host(i));
  }

  /**
   * SIGCONT of node {@code i}, then waits until it is a member again or, if it was downed while
   * paused, until it fenced itself (exit 3), and then restarts it as a supervisor would.
   */
  public PauseOutcome resume(int i) throws Exception {
    wake(i);
    return rejoin(i);
  }

  /** SIGCONT of node {@code i}, without waiting for anything (see {@link #rejoin}). */
  public void wake(int i) throws IOException, InterruptedException {
    nodes.get(i).signal("CONT");
    paused.remove(i);
    history.add("SIGCONT " + host(i));
  }

  /**
   * After {@link #wake} or {@link #heal}: waits until node {@code i} is a member again or, if it
   * was downed while paused or cut off, until it fenced itself (exit 3; any other code throws), and
   * then restarts it on its data directory as a supervisor would.
   */
  public PauseOutcome rejoin(int i) throws Exception {
    LocalNode n = nodes.get(i);
    boolean[] exited = {false};
    LocalNode.await(
        Duration.ofSeconds(90),
        n.host + " back as a member or exited",
        () -> {
          if (!n.isAlive()) {
            exited[0] = true;
            return true;
          }
          return allUpEverywhere();
        });
    if (!exited[0]) {
      history.add(n.host + " resumed as a member");
      return PauseOutcome.RESUMED;
    }
    int code = n.awaitExit(Duration.ofSeconds(5));
    history.add(n.host + " exited " + code + (code == 3 ? " (downed, fenced itself)" : ""));
    if (code != 3) {
      throw new IllegalStateException(
          n.host + " exited " + code + " after its pause or partition, not 3; log " + n.log);
    }
    restart(i);
    return PauseOutcome.DOWNED_AND_RESTARTED;
  }

  /** Sends SIGCONT to every paused node (after a test failed mid-pause), without waiting. */
  public void resumeAll() {
    for (int i = 0; i < nodes.size(); i++) {
      if (paused.remove(i)) {
        try {
          nodes.get(i).signal("CONT");
          history.add("SIGCONT " + host(i) + " (left paused)");
        } catch (Exception e) {
          // gone
        }
      }
    }
  }

  /** {@link #stop}, wait {@code d}, {@link #resume}. */
  public PauseOutcome pause(int i, Duration d) throws Exception {
    stop(i);
    TimeUnit.MILLISECONDS.sleep(d.toMillis());
    return resume(i);
  }

  /**
   * Null when network partitions can be injected here (with {@link Network#NETNS}), else why not:
   * it tries, once per JVM, what the namespaced network needs (root, {@code ip netns add}, a
   * bridge, a veth pair into a namespace, a blackhole route) on throw-away names.
   */
  public static String partitionUnsupportedReason() {
    return NamespaceNetwork.unsupportedReason();
  }

  /**
   * Cuts the nodes of {@code a} off from those of {@code b} (together every node, one side
   * smaller): from then on no packet passes between the sides, while every node still reaches the
   * journal and the test. Keep-majority is expected to down the smaller side; until {@link #heal}
   * the harness judges the cluster from the larger side only (the smaller side's hosts do not count
   * as up and their nodes are not asked).
   */
  public void partition(Set<Integer> a, Set<Integer> b) throws IOException {
    if (net == null) {
      throw new IllegalStateException(
          "partitions need Network.NETNS (this cluster is on loopback)");
    }
    Set<Integer> all = new TreeSet<>(a);
    all.addAll(b);
    if (a.isEmpty()
        || b.isEmpty()
        || all.size() != a.size() + b.size()
        || all.size() != nodes.size()
        || all.stream().anyMatch(i -> i < 0 || i >= nodes.size())) {
      throw new IllegalArgumentException(
          "a partition splits all " + nodes.size() + " nodes into two non-empty sides: " + a + b);
    }
    if (a.size() == b.size()) {
      throw new IllegalArgumentException(
          "equal sides: keep-majority would keep the one with the oldest member; the harness only"
              + " judges a strict majority");
    }
    if (!cutOff.isEmpty()) {
      throw new IllegalStateException("already partitioned: heal first");
    }
    Set<Integer> minority = a.size() < b.size() ? a : b;
    net.partition(a, b);
    cutOff.addAll(minority);
    history.add(
        "FAULT partition "
            + hosts(a)
            + " | "
            + hosts(b)
            + " (blackhole routes both ways; minority "
            + hosts(minority)
            + ")");
  }

  /**
   * Ends the partition (the routes go) and returns the nodes that were on the minority side,
   * without waiting: {@link #rejoin} each of them.
   */
  public Set<Integer> heal() throws IOException {
    Set<Integer> minority = new TreeSet<>(cutOff);
    net.heal();
    cutOff.clear();
    history.add("HEAL partition: routes removed; minority was " + hosts(minority));
    return minority;
  }

  /** True while a partition is in place. */
  public boolean partitioned() {
    return !cutOff.isEmpty();
  }

  private String hosts(Set<Integer> group) {
    return group.stream().sorted().map(this::host).collect(Collectors.joining(", ", "{", "}"));
  }

  /** Instance ids with their pids, per site, as the OS shows them. */
  public Map<String, Map<String, Long>> pidsBySite() {
    Map<String, Map<String, Long>> out = new HashMap<>();
    for (Observation.Proc p : processes()) {
      out.computeIfAbsent(p.site(), k -> new HashMap<>()).put(p.instanceId(), p.pid());
    }
    return out;
  }

  /** Waits (bounded) until the given processes are gone, so their namespaces can go too. */
  private static void awaitGone(Set<Long> pids) {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    for (long pid : pids) {
      ProcessHandle.of(pid)
          .ifPresent(
              h -> {
                long left = deadline - System.nanoTime();
                if (left > 0) {
                  try {
                    h.onExit().get(left, TimeUnit.NANOSECONDS);
                  } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                  } catch (Exception e) {
                    // still there at the deadline: the namespace lives on unnamed until it exits
                  }
                }
              });
    }
  }

  @Override
  public void close() {
    List<ProcessHandle> victims = new ArrayList<>();
    for (LocalNode n : nodes) {
      if (n.isAlive()) {
        victims.addAll(n.descendants());
        try {
          n.signal("CONT");
        } catch (Exception e) {
          // gone meanwhile
        }
      }
      try {
        n.kill();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    victims.forEach(ProcessHandle::destroyForcibly);
    for (Observation.Proc p : processes()) {
      ProcessHandle.of(p.pid()).ifPresent(ProcessHandle::destroyForcibly);
    }
    for (long pid : started) {
      ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }
    cutOff.clear();
    if (journalForwarder != null) {
      journalForwarder.close();
    }
    if (net != null) {
      awaitGone(started);
      try {
        net.close();
      } catch (RuntimeException e) {
        history.add("network teardown: " + e.getMessage());
      }
    }
    try {
      db.close();
    } catch (Exception e) {
      history.add("could not drop " + db.name() + ": " + e.getMessage());
    }
  }
}
