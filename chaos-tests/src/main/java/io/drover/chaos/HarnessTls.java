package io.drover.chaos;

import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * Certificates for test clusters, made by the launcher's own {@code drover certs} (a real process
 * on the node jar), and the trust of the harness's HTTP client: the JDK's authorities plus every
 * cluster CA a test registered with {@link #trust}.
 */
public final class HarnessTls {

  private static final KeyStore trusted;
  private static volatile X509ExtendedTrustManager clusterCas;
  private static final SSLContext CONTEXT;

  static {
    try {
      trusted = KeyStore.getInstance("PKCS12");
      trusted.load(null, null);
      clusterCas = build(trusted);
      TrustManagerFactory jdk =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      jdk.init((KeyStore) null);
      X509ExtendedTrustManager defaults = x509(jdk);
      CONTEXT = SSLContext.getInstance("TLS");
      CONTEXT.init(null, new TrustManager[] {new Either(defaults)}, null);
    } catch (GeneralSecurityException | IOException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private HarnessTls() {}

  /** The context {@link LocalNode#HTTP} uses. */
  public static SSLContext context() {
    return CONTEXT;
  }

  /** Trusts the CA certificate (PEM) from now on, for every node's HTTPS API. */
  public static synchronized void trust(Path caCert) throws IOException {
    try (InputStream in = Files.newInputStream(caCert)) {
      X509Certificate c =
          (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(in);
      trusted.setCertificateEntry("ca-" + trusted.size(), c);
      clusterCas = build(trusted);
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot trust " + caCert + ": " + e, e);
    }
  }

  /** {@code drover certs init --dir dir}; returns the CA certificate's path. */
  public static Path init(Path dir) throws IOException, InterruptedException {
    certs("init", "--dir", dir.toString());
    return dir.resolve("ca.crt");
  }

  /**
   * {@code drover certs node name --dir dir --san ...}; returns {@code dir/name} for {@code
   * --tls-dir}.
   */
  public static Path node(Path dir, String name, String... sans)
      throws IOException, InterruptedException {
    List<String> args = new ArrayList<>(List.of("node", name, "--dir", dir.toString()));
    for (String s : sans) {
      args.add("--san");
      args.add(s);
    }
    certs(args.toArray(String[]::new));
    return dir.resolve(name);
  }

  private static void certs(String... args) throws IOException, InterruptedException {
    List<String> cmd =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx64m",
                "-jar",
                LocalNode.jar().toString(),
                "certs"));
    cmd.addAll(List.of(args));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getOutputStream().close();
    byte[] out = p.getInputStream().readAllBytes();
    if (!p.waitFor(120, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("drover certs " + String.join(" ", args) + " did not finish");
    }
    if (p.exitValue() != 0) {
      throw new IOException(
          "drover certs "
              + String.join(" ", args)
              + " exited "
              + p.exitValue()
              + ": "
              + new String(out, java.nio.charset.StandardCharsets.UTF_8));
    }
  }

  private static X509ExtendedTrustManager build(KeyStore store) throws GeneralSecurityException {
    if (store.size() == 0) {
      return null;
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(store);
    return x509(tmf);
  }

  private static X509ExtendedTrustManager x509(TrustManagerFactory tmf) {
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X509 trust manager");
  }

  /** The registered cluster CAs first, then the JDK's. Host names are checked as usual. */
  private static final class Either extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager defaults;

    Either(X509ExtendedTrustManager defaults) {
      this.defaults = defaults;
    }

    private interface Check {
      void on(X509ExtendedTrustManager tm) throws CertificateException;
    }

    private void any(Check check) throws CertificateException {
      X509ExtendedTrustManager cas = clusterCas;
      if (cas != null) {
        try {
          check.on(cas);
          return;
        } catch (CertificateException e) {
          // try the JDK's authorities
        }
      }
      check.on(defaults);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      any(tm -> tm.checkClientTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      any(tm -> tm.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      any(tm -> tm.checkClientTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      any(tm -> tm.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      any(tm -> tm.checkClientTrusted(chain, authType, engine));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      any(tm -> tm.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      List<X509Certificate> all = new ArrayList<>(List.of(defaults.getAcceptedIssuers()));
      X509ExtendedTrustManager cas = clusterCas;
      if (cas != null) {
        all.addAll(List.of(cas.getAcceptedIssuers()));
      }
      return all.toArray(X509Certificate[]::new);
    }
  }
}
