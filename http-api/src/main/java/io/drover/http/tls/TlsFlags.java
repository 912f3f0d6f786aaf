package io.drover.http.tls;

import io.drover.cluster.tls.Exposure;
import io.drover.cluster.tls.TlsDir;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The TLS flags of {@code drover up}: checked together (files opened, pairs matched, exposure
 * refused) and turned into {@code drover.tls.*} / {@code drover.http.https.*} settings.
 *
 * @param tlsDir {@code --tls-dir}, or null
 * @param insecureCluster {@code --insecure-cluster}
 * @param https {@code --https} (node certificate)
 * @param httpsCert {@code --https-cert}, or null
 * @param httpsKey {@code --https-key}, or null
 * @param insecureHttp {@code --insecure-http}
 */
public record TlsFlags(
    Path tlsDir,
    boolean insecureCluster,
    boolean https,
    Path httpsCert,
    Path httpsKey,
    boolean insecureHttp) {

  /**
   * The first problem, in the words of the flags; otherwise puts the settings into {@code out}.
   *
   * @param bind the address the cluster port and the API bind to ({@code --bind})
   */
  public Optional<String> validate(String bind, Map<String, Object> out) {
    boolean tls = tlsDir != null && !tlsDir.toString().isBlank();
    if (tls) {
      try {
        TlsDir.load(tlsDir.toAbsolutePath(), "--tls-dir");
      } catch (TlsDir.Invalid e) {
        return Optional.of(e.getMessage());
      }
    }
    if ((httpsCert == null) != (httpsKey == null)) {
      return Optional.of("--https-cert and --https-key go together: give both, or neither");
    }
    if (https && httpsCert != null) {
      return Optional.of(
          "--https (the node certificate) and --https-cert: choose one certificate for the API");
    }
    if (https && !tls) {
      return Optional.of(
          "--https serves the node certificate from --tls-dir: add --tls-dir DIR/NAME, or use"
              + " --https-cert FILE --https-key FILE");
    }
    if (httpsCert != null) {
      try {
        ApiTls.fromPem(httpsCert, httpsKey);
      } catch (ApiTls.Invalid e) {
        return Optional.of(e.getMessage());
      }
    }
    boolean httpsOn = https || httpsCert != null;
    Optional<String> refused =
        Exposure.clusterRefusal(bind, tls, insecureCluster)
            .or(() -> Exposure.httpRefusal(bind, httpsOn, insecureHttp));
    if (refused.isPresent()) {
      return refused;
    }
    out.put("drover.tls.dir", tls ? tlsDir.toAbsolutePath().toString() : "");
    out.put("drover.insecure-cluster", insecureCluster);
    out.put("drover.http.https.node-cert", https);
    out.put(
        "drover.http.https.cert", httpsCert == null ? "" : httpsCert.toAbsolutePath().toString());
    out.put("drover.http.https.key", httpsKey == null ? "" : httpsKey.toAbsolutePath().toString());
    out.put("drover.http.insecure", insecureHttp);
    return Optional.empty();
  }
}
