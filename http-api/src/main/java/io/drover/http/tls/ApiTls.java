package io.drover.http.tls;

import com.typesafe.config.Config;
import io.drover.cluster.tls.TlsDir;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;

/**
 * The TLS context of the HTTPS API: from a PEM certificate chain and PKCS#8 key ({@code
 * drover.http.https.cert/key}), or the node certificate of {@code drover.tls.dir} ({@code
 * drover.http.https.node-cert}).
 */
public final class ApiTls {

  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END \\1-----");

  private ApiTls() {}

  /** What the operator has to fix; the message names the flag. */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    public Invalid(String message) {
      super(message);
    }
  }

  /** The server context the configuration asks for; empty for plain HTTP. */
  public static Optional<SSLContext> fromConfig(Config config) throws Invalid {
    String cert = config.getString("drover.http.https.cert");
    if (!cert.isEmpty()) {
      return Optional.of(
          fromPem(Path.of(cert), Path.of(config.getString("drover.http.https.key"))));
    }
    if (config.getBoolean("drover.http.https.node-cert")) {
      String dir = config.getString("drover.tls.dir");
      if (dir.isEmpty()) {
        throw new Invalid("--https serves the node certificate: it needs --tls-dir");
      }
      try {
        return Optional.of(TlsDir.load(Path.of(dir), "--tls-dir").serverContext());
      } catch (TlsDir.Invalid e) {
        throw new Invalid(e.getMessage());
      }
    }
    return Optional.empty();
  }

  /**
   * A client context that trusts exactly the certificate this node's API serves (and nothing else),
   * whatever address it is reached at: for the node calling its own API (the example site). Empty
   * for plain HTTP.
   */
  public static Optional<SSLContext> selfClient(Config config) throws Invalid {
    X509Certificate own;
    String cert = config.getString("drover.http.https.cert");
    if (!cert.isEmpty()) {
      own = certificates(Path.of(cert)).get(0);
    } else if (config.getBoolean("drover.http.https.node-cert")) {
      try {
        own = TlsDir.load(Path.of(config.getString("drover.tls.dir")), "--tls-dir").certificate();
      } catch (TlsDir.Invalid e) {
        throw new Invalid(e.getMessage());
      }
    } else {
      return Optional.empty();
    }
    // Extended, so the JDK adds no host name check of its own: the certificate is pinned.
    javax.net.ssl.X509ExtendedTrustManager pinned = new Pinned(own);
    try {
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new javax.net.ssl.TrustManager[] {pinned}, null);
      return Optional.of(ctx);
    } catch (GeneralSecurityException e) {
      throw new Invalid("cannot build a TLS client context: " + e.getMessage());
    }
  }

  /** A server context from a PEM certificate chain (leaf first) and a PKCS#8 PEM key. */
  public static SSLContext fromPem(Path certFile, Path keyFile) throws Invalid {
    List<X509Certificate> chain = certificates(certFile);
    PrivateKey key = privateKey(keyFile);
    checkPair(key, chain.get(0), certFile, keyFile);
    try {
      char[] pw = new char[0];
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(null, null);
      ks.setKeyEntry("api", key, pw, chain.toArray(Certificate[]::new));
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(ks, pw);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException | IOException e) {
      throw new Invalid("--https-cert/--https-key: cannot build a TLS context: " + e.getMessage());
    }
  }

  static List<X509Certificate> certificates(Path file) throws Invalid {
    try (InputStream in = Files.newInputStream(file)) {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      if (out.isEmpty()) {
        throw new Invalid("--https-cert " + file + " holds no PEM certificate");
      }
      out.get(0).checkValidity();
      return out;
    } catch (java.security.cert.CertificateExpiredException e) {
      throw new Invalid("--https-cert " + file + ": the certificate has expired");
    } catch (IOException e) {
      throw new Invalid("--https-cert " + file + " cannot be read: " + e);
    } catch (GeneralSecurityException e) {
      throw new Invalid(
          "--https-cert " + file + " is not a PEM certificate chain: " + e.getMessage());
    }
  }

  static PrivateKey privateKey(Path file) throws Invalid {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (IOException e) {
      throw new Invalid("--https-key " + file + " cannot be read: " + e);
    }
    Matcher m = PEM.matcher(text);
    String convert =
        ": convert it to an unencrypted PKCS#8 key with: openssl pkcs8 -topk8 -nocrypt -in "
            + file
            + " -out key.pem";
    while (m.find()) {
      String type = m.group(1);
      if (type.equals("PRIVATE KEY")) {
        byte[] der;
        try {
          der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
          throw new Invalid("--https-key " + file + ": the PEM block is not base64");
        }
        for (String alg : List.of("RSA", "EC")) {
          try {
            return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
          } catch (GeneralSecurityException e) {
            // try the next algorithm
          }
        }
        throw new Invalid(
            "--https-key " + file + " is a PKCS#8 key that is neither RSA nor EC: use RSA or EC");
      }
      if (type.equals("ENCRYPTED PRIVATE KEY")
          || type.equals("RSA PRIVATE KEY")
          || type.equals("EC PRIVATE KEY")) {
        throw new Invalid("--https-key " + file + " is a " + type + convert);
      }
    }
    throw new Invalid("--https-key " + file + " holds no PEM private key" + convert);
  }

  private static void checkPair(PrivateKey key, X509Certificate cert, Path certFile, Path keyFile)
      throws Invalid {
    String alg = key.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
    try {
      byte[] probe = "drover".getBytes(StandardCharsets.US_ASCII);
      Signature s = Signature.getInstance(alg);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = Signature.getInstance(alg);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      if (v.verify(sig)) {
        return;
      }
    } catch (GeneralSecurityException e) {
      // not a pair
    }
    throw new Invalid(
        "--https-key "
            + keyFile
            + " does not belong to the first certificate in --https-cert "
            + certFile);
  }

  /** Trusts one server certificate, by equality, at any address. */
  private static final class Pinned extends javax.net.ssl.X509ExtendedTrustManager {
    private final X509Certificate own;

    Pinned(X509Certificate own) {
      this.own = own;
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType)
        throws java.security.cert.CertificateException {
      if (chain.length == 0 || !chain[0].equals(own)) {
        throw new java.security.cert.CertificateException("not this node's own API certificate");
      }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
        throws java.security.cert.CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(
        X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
        throws java.security.cert.CertificateException {
      checkServerTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType)
        throws java.security.cert.CertificateException {
      throw new java.security.cert.CertificateException("client use only");
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, java.net.Socket socket)
        throws java.security.cert.CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public void checkClientTrusted(
        X509Certificate[] chain, String authType, javax.net.ssl.SSLEngine engine)
        throws java.security.cert.CertificateException {
      checkClientTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
