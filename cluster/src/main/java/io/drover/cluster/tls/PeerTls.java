package io.drover.cluster.tls;

import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * How a node calls its peers' HTTPS APIs (revision transfers): it trusts the cluster CA and the
 * JDK's default authorities (a peer may serve a public certificate, {@code --https-cert}). A
 * certificate whose name does not match the address asked is accepted only when the cluster CA
 * signed it: the cluster CA signs only the cluster's nodes, as for the cluster transport (where
 * names are not checked either); a public certificate must match the name as usual.
 */
public final class PeerTls {

  private final SSLContext context;
  private final HostnameVerifier verifier;

  private PeerTls(SSLContext context, HostnameVerifier verifier) {
    this.context = context;
    this.verifier = verifier;
  }

  /** Trust in the cluster CA of {@code dir} plus the JDK defaults. */
  public static PeerTls of(TlsDir dir) {
    try {
      X509ExtendedTrustManager cluster = x509(dir.trustManagers());
      TrustManagerFactory jdk =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      jdk.init((KeyStore) null);
      X509ExtendedTrustManager both = new Either(List.of(cluster, x509(jdk)));
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {both}, null);
      HostnameVerifier clusterSigned =
          (host, session) -> {
            try {
              X509Certificate[] chain = chain(session);
              cluster.checkServerTrusted(chain, "UNKNOWN");
              return true;
            } catch (CertificateException | SSLPeerUnverifiedException e) {
              return false;
            }
          };
      return new PeerTls(ctx, clusterSigned);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build the peer TLS context: " + e, e);
    }
  }

  /** Makes {@code c} use this trust (called before it connects). */
  public void apply(HttpsURLConnection c) {
    c.setSSLSocketFactory(context.getSocketFactory());
    // Called by the JDK only when the certificate's names do not match the host asked.
    c.setHostnameVerifier(verifier);
  }

  public SSLContext context() {
    return context;
  }

  private static X509Certificate[] chain(SSLSession session) throws SSLPeerUnverifiedException {
    java.security.cert.Certificate[] certs = session.getPeerCertificates();
    X509Certificate[] out = new X509Certificate[certs.length];
    for (int i = 0; i < certs.length; i++) {
      out[i] = (X509Certificate) certs[i];
    }
    return out;
  }

  private static X509ExtendedTrustManager x509(TrustManagerFactory tmf) {
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509ExtendedTrustManager x) {
        return x;
      }
    }
    throw new IllegalStateException("no X509 trust manager");
  }

  /** Trusts what any of its delegates trusts. */
  private static final class Either extends X509ExtendedTrustManager {
    private final List<X509ExtendedTrustManager> all;

    Either(List<X509ExtendedTrustManager> all) {
      this.all = all;
    }

    private interface Check {
      void on(X509ExtendedTrustManager tm) throws CertificateException;
    }

    private void any(Check check) throws CertificateException {
      CertificateException last = null;
      for (X509ExtendedTrustManager tm : all) {
        try {
          check.on(tm);
          return;
        } catch (CertificateException e) {
          last = e;
        }
      }
      throw last;
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
      List<X509Certificate> issuers = new ArrayList<>();
      for (X509ExtendedTrustManager tm : all) {
        issuers.addAll(List.of(tm.getAcceptedIssuers()));
      }
      return issuers.toArray(X509Certificate[]::new);
    }
  }
}
