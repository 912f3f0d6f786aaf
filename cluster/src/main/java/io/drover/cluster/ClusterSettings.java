package io.drover.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * How a node finds its cluster and when the cluster gives up on a silent node, read once from
 * {@code drover.join}, {@code drover.manual-join}, {@code drover.join-timeout}, {@code
 * drover.down-after} and {@code drover.discovery}.
 *
 * @param join seed nodes as {@code HOST:PORT}; empty: no seed nodes. Pekko lets only the first seed
 *     node start a new cluster (when it is this node and no other seed answers); every other node
 *     joins one that is up
 * @param manualJoin start without joining anything: the node waits until {@code POST
 *     /api/v1/cluster/join} names a member of the cluster to join
 * @param joinTimeout how long a node started with seeds or discovery may take to become Up before
 *     it gives up and exits
 * @param downAfter how long a member must stay unreachable (with nothing else changing) before the
 *     Split Brain Resolver downs it (its {@code stable-after}; the removal margin is separate, see
 *     cluster.conf)
 * @param discovery cluster bootstrap through Pekko Management; {@link Discovery#none()} when seeds,
 *     manual or self join are used
 */
public record ClusterSettings(
    List<String> join,
    boolean manualJoin,
    Duration joinTimeout,
    Duration downAfter,
    Discovery discovery) {

  /** The actor system's name: part of every member address. */
  public static final String SYSTEM_NAME = "drover";

  /** How the node joins. */
  public enum Mode {
    /** a single-node cluster of its own (no seeds, no discovery, not manual) */
    SELF,
    /** the seed nodes from {@code --join} */
    SEEDS,
    /** Pekko Cluster Bootstrap with contact points from service discovery */
    DISCOVERY,
    /** nothing until {@code POST /api/v1/cluster/join} */
    MANUAL
  }

  /** Where contact points come from. */
  public enum Method {
    NONE,
    /** {@code drover.discovery.config.endpoints}, through pekko-discovery's config method */
    CONFIG,
    /** DNS A/AAAA records of the service name, through pekko-dns discovery */
    DNS
  }

  /**
   * Cluster bootstrap settings.
   *
   * @param method where contact points come from; NONE disables bootstrap and Pekko Management
   * @param serviceName the name looked up (a DNS name for {@code dns}, a key for {@code config})
   * @param managementPort Pekko Management HTTP port (bound to {@code --bind}); with {@code dns}
   *     every node must use the same one, because A records carry no port
   * @param expectNodes contact points that must be discovered (and all answer) before the node with
   *     the lowest address may form a new cluster
   * @param endpoints the contact points ({@code HOST:PORT} of Pekko Management) for {@code config}
   */
  public record Discovery(
      Method method,
      String serviceName,
      int managementPort,
      int expectNodes,
      List<String> endpoints) {

    public static Discovery none() {
      return new Discovery(Method.NONE, SYSTEM_NAME, 8558, 2, List.of());
    }
  }

  /** A host and a port, both checked. */
  public record HostPort(String host, int port) {
    @Override
    public String toString() {
      return host + ":" + port;
    }
  }

  public Mode mode() {
    if (manualJoin) {
      return Mode.MANUAL;
    }
    if (discovery.method() != Method.NONE) {
      return Mode.DISCOVERY;
    }
    return join.isEmpty() ? Mode.SELF : Mode.SEEDS;
  }

  /** Reads the resolved node configuration. */
  public static ClusterSettings fromConfig(Config config) {
    Config d = config.getConfig("drover");
    Config disc = d.getConfig("discovery");
    String method = disc.getString("method").trim().toLowerCase(Locale.ROOT);
    Method m =
        switch (method) {
          case "", "none" -> Method.NONE;
          case "config" -> Method.CONFIG;
          case "dns" -> Method.DNS;
          default ->
              throw new IllegalArgumentException(
                  "drover.discovery.method '" + method + "' is not one of config, dns");
        };
    return new ClusterSettings(
        List.copyOf(d.getStringList("join")),
        d.getBoolean("manual-join"),
        d.getDuration("join-timeout"),
        d.getDuration("down-after"),
        new Discovery(
            m,
            disc.getString("service-name"),
            disc.getInt("management-port"),
            disc.getInt("expect-nodes"),
            List.copyOf(disc.getStringList("config.endpoints"))));
  }

  /**
   * Parses {@code HOST:PORT} (a host name, an IPv4 address or a bracketed IPv6 address, and a port
   * from 1 to 65535).
   *
   * @throws IllegalArgumentException saying what to fix
   */
  public static HostPort parseHostPort(String value) {
    String v = value == null ? "" : value.trim();
    int colon = v.lastIndexOf(':');
    if (colon <= 0 || colon == v.length() - 1) {
      throw new IllegalArgumentException(
          "'" + v + "' is not HOST:PORT (for example 127.0.0.1:2552)");
    }
    String host = v.substring(0, colon);
    String portText = v.substring(colon + 1);
    if (host.startsWith("[") != host.endsWith("]")
        || (!host.startsWith("[") && host.contains(":"))) {
      throw new IllegalArgumentException(
          "'" + v + "': write an IPv6 host in brackets, e.g. [::1]:2552");
    }
    if (!host.matches("\\[[0-9a-fA-F:.]+]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?")) {
      throw new IllegalArgumentException("'" + v + "': '" + host + "' is not a host name or IP");
    }
    String hostProblem = hostProblem(host);
    if (hostProblem != null) {
      throw new IllegalArgumentException("'" + v + "': " + hostProblem);
    }
    int port;
    try {
      port = Integer.parseInt(portText);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "'" + v + "': the port '" + portText + "' is not a number");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "'" + v + "': the port must be between 1 and 65535, got " + port);
    }
    return new HostPort(host, port);
  }

  /**
   * How long this node, as the first seed node, waits for the other seed nodes before it forms a
   * new cluster: empty (Pekko's {@code seed-node-timeout}) for a node that never ran here, {@code
   * rejoinWait} for one whose data directory shows it ran before. Such a node is most likely
   * restarting next to a cluster that still runs; forming a second cluster beside it would place
   * every site twice. Seeds that run but are not members yet answer at once, so a whole-cluster
   * restart still forms without this wait; only a cluster whose other seeds stay silent waits it.
   *
   * @param self this node's cluster address as {@code HOST:PORT}
   */
  public Optional<Duration> firstSeedWait(String self, boolean ranBefore, Duration rejoinWait) {
    if (mode() != Mode.SEEDS || !ranBefore) {
      return Optional.empty();
    }
    HostPort first = parseHostPort(join.get(0));
    return first.equals(parseHostPort(self)) ? Optional.of(rejoinWait) : Optional.empty();
  }

  /**
   * Why {@code host} (already matching the host-or-IP pattern) cannot be used, or null: a dotted
   * all-digit name must be an IPv4 address, labels are non-empty and at most 63 characters, and the
   * last label of a name starts with a letter (as java.net.URI requires).
   */
  private static String hostProblem(String host) {
    if (host.startsWith("[")) {
      try {
        if (!(java.net.InetAddress.getByName(host.substring(1, host.length() - 1))
            instanceof java.net.Inet6Address)) {
          return "'" + host + "' is not a valid IPv6 address";
        }
        return null;
      } catch (java.io.IOException e) {
        return "'" + host + "' is not a valid IPv6 address";
      }
    }
    if (host.length() > 253) {
      return "the host name is longer than 253 characters";
    }
    String[] labels = host.split("\\.", -1);
    if (host.matches("[0-9.]+")) {
      if (labels.length != 4) {
        return "'" + host + "' is not a valid IPv4 address: write four numbers, e.g. 10.0.0.1";
      }
      for (String label : labels) {
        if (label.isEmpty() || label.length() > 3 || Integer.parseInt(label) > 255) {
          return "'"
              + host
              + "' is not a valid IPv4 address: each of its four numbers must be between 0 and"
              + " 255";
        }
      }
      return null;
    }
    for (String label : labels) {
      if (label.isEmpty() || label.length() > 63) {
        return "'"
            + host
            + "' is not a host name: each dot-separated part needs 1 to 63 characters";
      }
    }
    if (!Character.isLetter(labels[labels.length - 1].charAt(0))) {
      return "'" + host + "' is not a host name: its last part must start with a letter";
    }
    return null;
  }

  /** The member address of the node whose cluster transport listens on {@code hp}. */
  public static String memberAddress(HostPort hp) {
    return "pekko://" + SYSTEM_NAME + "@" + hp;
  }

  /**
   * The Pekko settings these imply: seed nodes, Split Brain Resolver timing, and for discovery the
   * management endpoint and Cluster Bootstrap. Layered over the node's configuration.
   *
   * @param bind the address the node binds to; Pekko Management binds there too
   */
  public Config pekkoConfig(String bind) {
    Map<String, Object> c = new HashMap<>();
    List<String> seeds = new ArrayList<>();
    for (String hp : join) {
      seeds.add(memberAddress(parseHostPort(hp)));
    }
    // A list set as a whole: "-Dpekko.cluster.seed-nodes.0=" would replace it element-wise.
    c.put("pekko.cluster.seed-nodes", seeds);
    String downAfterMs = downAfter.toMillis() + "ms";
    c.put("pekko.cluster.split-brain-resolver.stable-after", downAfterMs);
    c.put("pekko.cluster.run-coordinated-shutdown-when-down", "on");
    if (discovery.method() != Method.NONE) {
      String bootstrap = "pekko.management.cluster.bootstrap.";
      c.put("pekko.management.http.hostname", bind);
      c.put("pekko.management.http.port", discovery.managementPort());
      c.put(bootstrap + "contact-point-discovery.service-name", discovery.serviceName());
      c.put(
          bootstrap + "contact-point-discovery.required-contact-point-nr", discovery.expectNodes());
      // Several nodes on one IP: keep contact points whose port differs from our own.
      c.put(bootstrap + "contact-point.filter-on-fallback-port", false);
      if (discovery.method() == Method.CONFIG) {
        c.put("pekko.discovery.method", "config");
        List<Map<String, Object>> endpoints = new ArrayList<>();
        for (String e : discovery.endpoints()) {
          HostPort hp = parseHostPort(e);
          endpoints.add(Map.of("host", hp.host(), "port", hp.port()));
        }
        c.put(
            ConfigUtil.joinPath(
                "pekko", "discovery", "config", "services", discovery.serviceName(), "endpoints"),
            endpoints);
      } else {
        c.put("pekko.discovery.method", "pekko-dns");
      }
    }
    return ConfigFactory.parseMap(c);
  }

  /** The first problem with these settings, in the words of the flags that set them. */
  public Optional<String> problem() {
    for (String hp : join) {
      try {
        parseHostPort(hp);
      } catch (IllegalArgumentException e) {
        return Optional.of("--join " + e.getMessage());
      }
    }
    int joinModes =
        (join.isEmpty() ? 0 : 1)
            + (manualJoin ? 1 : 0)
            + (discovery.method() != Method.NONE ? 1 : 0);
    if (joinModes > 1) {
      return Optional.of("use only one of --join, --discovery and --manual-join");
    }
    if (downAfter.isNegative() || downAfter.isZero()) {
      return Optional.of("--down-after must be a positive duration such as 4s");
    }
    if (discovery.method() == Method.NONE) {
      return Optional.empty();
    }
    if (!discovery.serviceName().matches("[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?")) {
      return Optional.of(
          "--discovery-service '" + discovery.serviceName() + "' is not a service or DNS name");
    }
    if (discovery.managementPort() < 1 || discovery.managementPort() > 65535) {
      return Optional.of(
          "--management-port must be between 1 and 65535, got " + discovery.managementPort());
    }
    if (discovery.expectNodes() < 1) {
      return Optional.of("--expect-nodes must be at least 1, got " + discovery.expectNodes());
    }
    if (discovery.method() == Method.CONFIG) {
      if (discovery.endpoints().isEmpty()) {
        return Optional.of(
            "--discovery config needs the contact points: --contact-point HOST:PORT (the"
                + " management port of each node), once per node");
      }
      for (String e : discovery.endpoints()) {
        try {
          parseHostPort(e);
        } catch (IllegalArgumentException ex) {
          return Optional.of("--contact-point " + ex.getMessage());
        }
      }
      if (discovery.endpoints().size() < discovery.expectNodes()) {
        return Optional.of(
            "--expect-nodes "
                + discovery.expectNodes()
                + " but only "
                + discovery.endpoints().size()
                + " --contact-point given: the cluster could never form; lower --expect-nodes or"
                + " add contact points");
      }
    } else if (!discovery.endpoints().isEmpty()) {
      return Optional.of("--contact-point is only used with --discovery config");
    }
    return Optional.empty();
  }
}
