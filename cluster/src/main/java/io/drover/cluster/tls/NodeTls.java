package io.drover.cluster.tls;

import com.typesafe.config.Config;
import io.drover.cluster.StartRefused;
import java.nio.file.Path;
import java.util.Optional;

/**
 * What a starting node does with {@code drover.tls.*}: opens the directory and refuses exposure.
 */
public final class NodeTls {

  private NodeTls() {}

  /**
   * The node's TLS directory when {@code drover.tls.dir} is set; refuses (a directory it cannot
   * use, or a non-loopback cluster address without TLS and without {@code
   * drover.insecure-cluster}).
   *
   * @param bind the cluster transport's address
   */
  public static Optional<TlsDir> start(Config config, String bind) {
    String dir = config.getString("drover.tls.dir");
    Optional<TlsDir> tls = Optional.empty();
    if (!dir.isBlank()) {
      try {
        tls = Optional.of(TlsDir.load(Path.of(dir), "--tls-dir"));
      } catch (TlsDir.Invalid e) {
        throw new StartRefused(e.getMessage(), e);
      }
    }
    boolean insecure = config.getBoolean("drover.insecure-cluster");
    // The canonical address is --bind (the node sets it); a bind.hostname set through
    // -Dpekko.remote.artery.bind.hostname (e.g. 0.0.0.0 behind NAT) counts too.
    String socket = config.getString("pekko.remote.artery.bind.hostname");
    boolean on = tls.isPresent();
    Optional<String> refused =
        Exposure.clusterRefusal(bind, on, insecure)
            .or(
                () ->
                    socket.isBlank()
                        ? Optional.empty()
                        : Exposure.clusterRefusal(socket, on, insecure));
    if (refused.isPresent()) {
      throw new StartRefused(refused.get(), null);
    }
    return tls;
  }

  /** Whether this node serves its API over HTTPS. */
  public static boolean httpsApi(Config config) {
    return !config.getString("drover.http.https.cert").isEmpty()
        || config.getBoolean("drover.http.https.node-cert");
  }
}
