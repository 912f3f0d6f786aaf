package io.drover.cluster.tls;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Whether an address a node binds to is reachable only from this machine (loopback) and the
 * refusals that follow from it: a cluster port off loopback needs mutual TLS, an API off loopback
 * needs HTTPS, unless the operator says the network is trusted.
 */
public final class Exposure {

  private static final Pattern IP_LITERAL = Pattern.compile("[0-9.]+|\\[?[0-9a-fA-F:.%]+\\]?");

  private Exposure() {}

  /**
   * True for 127.0.0.0/8, ::1 and {@code localhost}; a host name counts as loopback when it
   * resolves to loopback addresses only (e.g. Debian's 127.0.1.1 for the machine's own name). An
   * unresolvable name is not loopback. {@code 0.0.0.0} and {@code ::} (every interface) are not.
   */
  public static boolean isLoopback(String address) {
    String a = address.trim().toLowerCase(Locale.ROOT);
    if (a.equals("localhost") || a.endsWith(".localhost")) {
      return true;
    }
    if (a.startsWith("[") && a.endsWith("]")) {
      a = a.substring(1, a.length() - 1);
    }
    try {
      if (IP_LITERAL.matcher(a).matches()) {
        return InetAddress.getByName(a).isLoopbackAddress();
      }
      InetAddress[] all = InetAddress.getAllByName(a);
      for (InetAddress i : all) {
        if (!i.isLoopbackAddress()) {
          return false;
        }
      }
      return all.length > 0;
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * Why the cluster transport may not bind to {@code address} as configured, if it may not.
   *
   * @param tls mutual TLS is on ({@code --tls-dir})
   * @param insecure the operator accepted a plaintext cluster port ({@code --insecure-cluster})
   */
  public static Optional<String> clusterRefusal(String address, boolean tls, boolean insecure) {
    if (tls || insecure || isLoopback(address)) {
      return Optional.empty();
    }
    return Optional.of(
        "refusing to bind the cluster port to "
            + address
            + " without TLS: anyone who reaches that port could join the cluster and run commands"
            + " on every host. Create certificates (drover certs init --dir DIR; drover certs node"
            + " NAME --dir DIR) and pass --tls-dir DIR/NAME, or bind to 127.0.0.1, or pass"
            + " --insecure-cluster if this network is trusted");
  }

  /**
   * Why the HTTP API may not bind to {@code address} as configured, if it may not.
   *
   * @param https the API serves HTTPS
   * @param insecure the operator accepted plain HTTP ({@code --insecure-http})
   */
  public static Optional<String> httpRefusal(String address, boolean https, boolean insecure) {
    if (https || insecure || isLoopback(address)) {
      return Optional.empty();
    }
    return Optional.of(
        "refusing to serve the HTTP API on "
            + address
            + " without HTTPS: tokens and secrets would cross the network in clear text. Pass"
            + " --https (the node certificate from --tls-dir) or --https-cert FILE --https-key"
            + " FILE, or bind to 127.0.0.1, or pass --insecure-http if this network is trusted");
  }
}
