package io.drover.cluster.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a node calls its peers' HTTPS APIs (revision transfers and replication asks): it trusts the
 * cluster CA and the JDK's default authorities (a peer may serve a public certificate, {@code
 * --https-cert}). A certificate the cluster CA signed is accepted whatever address the peer was
 * asked at (the cluster CA signs only the cluster's nodes, and the cluster transport does not check
 * names either); a public certificate must match the host name as usual. Works for {@code
 * HttpsURLConnection} and {@code java.net.http.HttpClient} alike: the check is in the trust
 * manager, where the JDK does its host name check.
 */
public final class PeerTls {

  private final SSLContext context;

  private PeerTls(SSLContext context) {
    this.context = context;
  }

  /** Trust in the cluster CA of {@code dir} plus the JDK defaults. */
  public static PeerTls of(TlsDir dir) {
    try {
      X509ExtendedTrustManager cluster = x509(dir.trustManagers());
      TrustManagerFactory jdk =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      jdk.init((KeyStore) null);
      X509ExtendedTrustManager both = new Either(cluster, x509(jdk));
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {both}, null);
      return new PeerTls(ctx);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the peer TLS context: " + e, e);
    }
  }

  /** Makes {@code c} use this trust (called before it connects). */
  public void apply(HttpsURLConnection c) {
    c.setSSLSocketFactory(context.getSocketFactory());
  }

  public SSLContext context() {
    return context;
  }

  private static X509ExtendedTrustManager x509(TrustManagerFactory tmf) {
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X509 trust manager");
  }

  /**
   * The cluster CA without a host name check, else the JDK's authorities with it (the 3-argument
   * checks carry the JDK's endpoint identification).
   */
  private static final class Either extends X509ExtendedTrustManager {
    private final X509ExtendedTrustManager cluster;
    private final X509ExtendedTrustManager jdk;

    Either(X509ExtendedTrustManager cluster, X509ExtendedTrustManager jdk) {
      this.cluster = cluster;
      this.jdk = jdk;
    }

    private interface Check {
      void on(X509ExtendedTrustManager tm) throws CertificateException;
    }

    private void server(X509Certificate[] chain, String authType, Check withJdk)
        throws CertificateException {
      try {
        cluster.checkServerTrusted(chain, authType);
      } catch (CertificateException e) {
        withJdk.on(jdk);
      }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      throw new CertificateException("peer TLS is for calling other nodes only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws CertificateException {
      server(chain, authType, tm -> tm.checkServerTrusted(chain, authType));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
        throws CertificateException {
      server(chain, authType, tm -> tm.checkServerTrusted(chain, authType, socket));
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
        throws CertificateException {
      server(chain, authType, tm -> tm.checkServerTrusted(chain, authType, engine));
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      List<X509Certificate> issuers = new ArrayList<>(List.of(cluster.getAcceptedIssuers()));
      issuers.addAll(List.of(jdk.getAcceptedIssuers()));
      return issuers.toArray(X509Certificate[]::new);
    }
  }
}
