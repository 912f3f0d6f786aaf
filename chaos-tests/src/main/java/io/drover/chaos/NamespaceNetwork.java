package io.drover.chaos;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private test network in which nodes can really be cut apart: a Linux bridge in the root network
 * namespace and one network namespace per node, each joined to the bridge by a veth pair. Node
 * {@code i} (0-based) has {@code 10.213.X.(11+i)/24} in its namespace, the bridge has {@code
 * 10.213.X.1/24}; {@code X} is the first /24 of 10.213.0.0/16 no address or route on the machine
 * uses yet. Nothing is forwarded anywhere else (no default route in a namespace, no NAT), so the
 * addresses exist only between the bridge and the namespaces this class creates and {@link
 * #close()} deletes.
 *
 * <p>A partition adds {@code blackhole} routes for the other side's addresses in every namespace of
 * each side: packets between them are dropped silently on the sending side, established TCP
 * connections stall (and carry on after healing), new connections fail at once. The bridge address
 * stays reachable from everywhere, so the test JVM still sees every node and the journal (behind a
 * {@link TcpForwarder} on the bridge address) stays reachable. Needs root and iproute2; no iptables
 * or nft.
 *
 * <p>Names carry the creating JVM's pid ({@code drbr<pid-hex>-<n>}, {@code drv<pid-hex>-<n>-<i>},
 * {@code drover-<pid-hex>-<n>-<i>}), so leftovers of a harness that died without cleaning up are
 * recognised by a pid that no longer runs and removed by the next {@link #create}.
 */
public final class NamespaceNetwork implements AutoCloseable {

  /** How long one {@code ip} command may take. */
  private static final Duration IP_TIMEOUT = Duration.ofSeconds(20);

  private static final Pattern OURS = Pattern.compile("(?:drbr|drv|drover-)([0-9a-f]+)-\\d+.*");

  private static final AtomicInteger SEQ = new AtomicInteger();

  private static String probed;
  private static boolean probeDone;

  /** The {@code -<pid-hex>-<n>} part of every name. */
  private final String tag;

  private final int subnet;
  private final List<String> namespaces = new ArrayList<>();
  private final List<String> veths = new ArrayList<>();
  private final Set<String> blackholes = new LinkedHashSet<>();
  private boolean closed;

  private NamespaceNetwork(String tag, int subnet) {
    this.tag = tag;
    this.subnet = subnet;
  }

  /**
   * Null when this machine can create the network (root, {@code ip netns}, bridges, veth pairs,
   * blackhole routes; tried once per JVM on a throw-away namespace and bridge), else why not.
   */
  public static synchronized String unsupportedReason() {
    if (!probeDone) {
      probed = probe();
      probeDone = true;
    }
    return probed;
  }

  private static String probe() {
    Result id = exec(List.of("id", "-u"));
    if (!id.ok()) {
      return "cannot tell the user id (`id -u`: " + id.output() + ")";
    }
    if (!id.output().equals("0")) {
      return "not root (uid "
          + id.output()
          + "): network namespaces, a bridge and routes need CAP_NET_ADMIN";
    }
    Result ip = exec(List.of("ip", "-V"));
    if (!ip.ok()) {
      return "iproute2's `ip` is not usable: " + ip.output();
    }
    String p = Long.toHexString(ProcessHandle.current().pid());
    String ns = "drover-" + p + "-probe";
    String br = "drbr" + p + "-p";
    String veth = "drv" + p + "-p";
    List<List<String>> steps =
        List.of(
            List.of("ip", "netns", "add", ns),
            List.of("ip", "link", "add", br, "type", "bridge"),
            List.of("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns),
            List.of("ip", "link", "set", veth, "master", br),
            List.of("ip", "-n", ns, "route", "add", "blackhole", "10.213.255.254/32"),
            List.of("ip", "netns", "exec", ns, "true"));
    String reason = null;
    for (List<String> step : steps) {
      Result r = exec(step);
      if (!r.ok()) {
        reason = "`" + String.join(" ", step) + "` failed: " + r.output();
        break;
      }
    }
    exec(List.of("ip", "link", "del", veth));
    exec(List.of("ip", "link", "del", br));
    exec(List.of("ip", "netns", "del", ns));
    return reason;
  }

  /**
   * Creates the bridge and {@code nodes} namespaces, each with its veth, address and {@code lo} up.
   * Removes leftovers of earlier runs whose JVM is gone first. On failure everything created so far
   * is deleted again.
   */
  public static NamespaceNetwork create(int nodes) throws IOException {
    String reason = unsupportedReason();
    if (reason != null) {
      throw new IllegalStateException("network namespaces unusable: " + reason);
    }
    sweepLeftovers();
    String tag = Long.toHexString(ProcessHandle.current().pid()) + "-" + SEQ.getAndIncrement();
    NamespaceNetwork n = null;
    try {
      n = new NamespaceNetwork(tag, claimSubnet(tag));
      for (int i = 0; i < nodes; i++) {
        n.addNamespace(i);
      }
      return n;
    } catch (IOException | RuntimeException e) {
      if (n != null) {
        n.close();
      } else {
        exec(List.of("ip", "link", "del", "drbr" + tag));
      }
      throw e;
    }
  }

  /**
   * Picks the first 10.213.X.0/24 (X from 1, starting at a pid-derived offset) that no address or
   * route of the root namespace mentions, and puts {@code 10.213.X.1/24} on a fresh bridge. If
   * another run claimed the same X meanwhile (it then shows on two devices), backs off and tries
   * the next one.
   */
  private static int claimSubnet(String tag) throws IOException {
    String bridge = "drbr" + tag;
    run("ip", "link", "add", bridge, "type", "bridge");
    int start = (int) (ProcessHandle.current().pid() % 250);
    for (int k = 0; k < 250; k++) {
      int x = 1 + (start + k) % 250;
      String net = "10.213." + x + ".";
      Pattern used = Pattern.compile("(?<![0-9.])10\\.213\\." + x + "\\.");
      if (used.matcher(exec(List.of("ip", "-4", "-o", "addr", "show")).output()).find()
          || used.matcher(exec(List.of("ip", "-4", "route", "show")).output()).find()) {
        continue;
      }
      run("ip", "addr", "add", net + "1/24", "dev", bridge);
      String holders = exec(List.of("ip", "-4", "-o", "addr", "show", "to", net + "0/24")).output();
      if (holders.lines().count() == 1) {
        run("ip", "link", "set", bridge, "up");
        return x;
      }
      run("ip", "addr", "del", net + "1/24", "dev", bridge);
    }
    throw new IOException("no free /24 in 10.213.0.0/16 for the test bridge");
  }

  private void addNamespace(int i) throws IOException {
    String ns = namespace(i);
    String veth = "drv" + tag + "-" + i;
    run("ip", "netns", "add", ns);
    namespaces.add(ns);
    run("ip", "link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns);
    veths.add(veth);
    run("ip", "link", "set", veth, "master", bridge(), "up");
    run("ip", "-n", ns, "addr", "add", address(i) + "/24", "dev", "eth0");
    run("ip", "-n", ns, "link", "set", "eth0", "up");
    run("ip", "-n", ns, "link", "set", "lo", "up");
  }

  /** Deletes namespaces and links of earlier runs whose JVM no longer runs. */
  private static void sweepLeftovers() {
    List<String> names = new ArrayList<>();
    for (String line : exec(List.of("ip", "netns", "list")).output().lines().toList()) {
      names.add(line.split(" ")[0]);
    }
    for (String line : exec(List.of("ip", "-o", "link", "show")).output().lines().toList()) {
      String[] f = line.split(":\\s+");
      if (f.length > 1) {
        names.add(f[1].split("@")[0]);
      }
    }
    for (String name : names) {
      Matcher m = OURS.matcher(name);
      if (!m.matches()) {
        continue;
      }
      long pid = Long.parseLong(m.group(1), 16);
      if (ProcessHandle.of(pid).isPresent()) {
        continue;
      }
      if (name.startsWith("drover-")) {
        exec(List.of("ip", "netns", "del", name));
      } else {
        exec(List.of("ip", "link", "del", name));
      }
    }
  }

  /** The network namespace of node {@code i}. */
  public String namespace(int i) {
    return "drover-" + tag + "-" + i;
  }

  /** The bridge's name. */
  public String bridge() {
    return "drbr" + tag;
  }

  /** Node {@code i}'s address in its namespace. */
  public String address(int i) {
    return "10.213." + subnet + "." + (11 + i);
  }

  /** The bridge's address: the test JVM's side of the network, reachable from every namespace. */
  public String bridgeAddress() {
    return "10.213." + subnet + ".1";
  }

  /** The subnet's first three octets and dot, e.g. {@code 10.213.7.}: what a peer must match. */
  public String subnetPrefix() {
    return "10.213." + subnet + ".";
  }

  /** The command prefix that runs a program in node {@code i}'s namespace. */
  public List<String> execPrefix(int i) {
    return List.of("ip", "netns", "exec", namespace(i));
  }

  /**
   * Cuts {@code a} and {@code b} apart: in every namespace of one side a blackhole route for each
   * address of the other. Nodes within a side, and every node and the bridge, still reach each
   * other.
   */
  public synchronized void partition(Set<Integer> a, Set<Integer> b) throws IOException {
    for (int x : a) {
      for (int y : b) {
        blackhole(x, y);
        blackhole(y, x);
      }
    }
  }

  private void blackhole(int from, int to) throws IOException {
    String key = from + ">" + to;
    if (blackholes.add(key)) {
      run("ip", "-n", namespace(from), "route", "add", "blackhole", address(to) + "/32");
    }
  }

  /** Removes every blackhole route: the nodes reach each other again. */
  public synchronized void heal() throws IOException {
    IOException first = null;
    for (String key : List.copyOf(blackholes)) {
      String[] ft = key.split(">");
      int from = Integer.parseInt(ft[0]);
      int to = Integer.parseInt(ft[1]);
      try {
        run("ip", "-n", namespace(from), "route", "del", "blackhole", address(to) + "/32");
        blackholes.remove(key);
      } catch (IOException e) {
        first = first == null ? e : first;
      }
    }
    if (first != null) {
      throw first;
    }
  }

  /** True while some blackhole route is in place. */
  public synchronized boolean partitioned() {
    return !blackholes.isEmpty();
  }

  /**
   * Deletes the veth pairs, namespaces and bridge (the processes in them must be gone already: a
   * namespace some process still uses lives on unnamed until it exits) and checks that none is
   * left.
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    blackholes.clear();
    for (String veth : veths) {
      exec(List.of("ip", "link", "del", veth));
    }
    for (String ns : namespaces) {
      exec(List.of("ip", "netns", "del", ns));
    }
    exec(List.of("ip", "link", "del", bridge()));
    List<String> left = leftovers();
    if (!left.isEmpty()) {
      throw new IllegalStateException("could not delete " + left);
    }
  }

  /** Namespaces and links of this network that still exist. */
  public List<String> leftovers() {
    List<String> left = new ArrayList<>();
    String nsList = exec(List.of("ip", "netns", "list")).output();
    for (String ns : namespaces) {
      if (nsList.lines().anyMatch(l -> l.split(" ")[0].equals(ns))) {
        left.add(ns);
      }
    }
    List<String> links = new ArrayList<>(veths);
    links.add(bridge());
    for (String link : links) {
      if (exec(List.of("ip", "link", "show", link)).ok()) {
        left.add(link);
      }
    }
    return left;
  }

  // ---- running ip

  private record Result(boolean ok, String output) {}

  private static void run(String... cmd) throws IOException {
    Result r = exec(List.of(cmd));
    if (!r.ok()) {
      throw new IOException("`" + String.join(" ", cmd) + "` failed: " + r.output());
    }
  }

  /** Runs {@code cmd} with its output in a temporary file, so a wait is always bounded. */
  private static Result exec(List<String> cmd) {
    Path out = null;
    try {
      out = Files.createTempFile("drover-ip", ".out");
      Process p =
          new ProcessBuilder(cmd)
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
              .start();
      if (!p.waitFor(IP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return new Result(false, "timed out after " + IP_TIMEOUT);
      }
      return new Result(p.exitValue() == 0, Files.readString(out, StandardCharsets.UTF_8).strip());
    } catch (IOException e) {
      return new Result(false, e.getMessage());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(false, "interrupted");
    } finally {
      if (out != null) {
        try {
          Files.deleteIfExists(out);
        } catch (IOException e) {
          // a temporary file; the OS cleans /tmp
        }
      }
    }
  }
}
