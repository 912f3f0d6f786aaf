package io.drover.cluster.tls;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * What one node needs for mutual TLS, as {@code drover certs node NAME --dir DIR} leaves it in
 * {@code DIR/NAME}: a PKCS12 keystore with the node's key and certificate chain ({@link
 * #KEYSTORE}), a PKCS12 truststore holding only the cluster CA's certificate ({@link #TRUSTSTORE})
 * and the password of both in a file readable by the node's user only ({@link #PASSWORD}). {@link
 * #load} opens and checks all three, so a node with a broken directory refuses to start and says
 * what to fix.
 */
public final class TlsDir {

  public static final String KEYSTORE = "node.p12";
  public static final String TRUSTSTORE = "truststore.p12";
  public static final String PASSWORD = "password";

  /** The node's certificate and the CA's, in PEM, for operators and clients (curl --cacert). */
  public static final String NODE_CERT = "node.crt";

  public static final String CA_CERT = "ca.crt";

  /** The TLS 1.3 cipher suites the cluster transport allows. */
  public static final List<String> CIPHER_SUITES =
      List.of("TLS_AES_256_GCM_SHA384", "TLS_AES_128_GCM_SHA256", "TLS_CHACHA20_POLY1305_SHA256");

  private final Path dir;
  private final char[] password;
  private final KeyStore keyStore;
  private final KeyStore trustStore;
  private final String alias;

  private TlsDir(Path dir, char[] password, KeyStore keyStore, KeyStore trustStore, String alias) {
    this.dir = dir;
    this.password = password;
    this.keyStore = keyStore;
    this.trustStore = trustStore;
    this.alias = alias;
  }

  /** A directory that cannot be used; the message says what to fix. */
  public static final class Invalid extends Exception {
    private static final long serialVersionUID = 1L;

    Invalid(String message) {
      super(message);
    }
  }

  /**
   * Opens {@code dir}: the password file, the keystore (exactly one private key with its chain) and
   * the truststore (at least one trusted certificate, no private key).
   *
   * @param flag how the operator named the directory, for messages ({@code --tls-dir})
   */
  public static TlsDir load(Path dir, String flag) throws Invalid {
    String hint =
        " (create it with: drover certs node NAME --dir DIR, then pass " + flag + " DIR/NAME)";
    if (!Files.isDirectory(dir)) {
      throw new Invalid(flag + " " + dir + " is not a directory" + hint);
    }
    if (Files.exists(dir.resolve("ca.p12"))) {
      throw new Invalid(
          flag
              + " "
              + dir
              + " is the cluster CA's directory (its private key must not go to a node): pass"
              + " the node's directory "
              + dir.resolve("NAME")
              + " made by drover certs node NAME --dir "
              + dir);
    }
    Path pw = dir.resolve(PASSWORD);
    char[] password;
    try {
      String text = Files.readString(pw, StandardCharsets.UTF_8).strip();
      if (text.isEmpty()) {
        throw new Invalid(flag + ": " + pw + " is empty" + hint);
      }
      password = text.toCharArray();
    } catch (IOException e) {
      throw new Invalid(flag + ": cannot read the password file " + pw + ": " + e + hint);
    }
    KeyStore keys = open(dir.resolve(KEYSTORE), password, flag, hint);
    KeyStore trust = open(dir.resolve(TRUSTSTORE), password, flag, hint);
    String alias = null;
    try {
      for (String a : Collections.list(keys.aliases())) {
        if (keys.isKeyEntry(a)) {
          if (alias != null) {
            throw new Invalid(
                flag + ": " + dir.resolve(KEYSTORE) + " holds more than one private key" + hint);
          }
          alias = a;
        }
      }
      if (alias == null) {
        throw new Invalid(flag + ": " + dir.resolve(KEYSTORE) + " holds no private key" + hint);
      }
      keys.getKey(alias, password);
      Certificate[] chain = keys.getCertificateChain(alias);
      if (chain == null || chain.length == 0 || !(chain[0] instanceof X509Certificate)) {
        throw new Invalid(
            flag + ": the key in " + dir.resolve(KEYSTORE) + " has no certificate" + hint);
      }
      ((X509Certificate) chain[0]).checkValidity();
      int trusted = 0;
      for (String a : Collections.list(trust.aliases())) {
        if (trust.isKeyEntry(a)) {
          throw new Invalid(
              flag
                  + ": "
                  + dir.resolve(TRUSTSTORE)
                  + " holds a private key; it must hold only the cluster CA's certificate"
                  + hint);
        }
        if (trust.isCertificateEntry(a)) {
          trusted++;
        }
      }
      if (trusted == 0) {
        throw new Invalid(
            flag + ": " + dir.resolve(TRUSTSTORE) + " trusts no certificate authority" + hint);
      }
    } catch (java.security.cert.CertificateExpiredException e) {
      throw new Invalid(
          flag
              + ": the node certificate in "
              + dir.resolve(KEYSTORE)
              + " has expired: issue a new one with drover certs node NAME --dir DIR --force");
    } catch (java.security.cert.CertificateNotYetValidException e) {
      throw new Invalid(
          flag + ": the node certificate in " + dir.resolve(KEYSTORE) + " is not valid yet");
    } catch (GeneralSecurityException e) {
      throw new Invalid(
          flag
              + ": cannot read the key in "
              + dir.resolve(KEYSTORE)
              + ": "
              + e.getMessage()
              + hint);
    }
    return new TlsDir(dir.toAbsolutePath(), password, keys, trust, alias);
  }

  private static KeyStore open(Path file, char[] password, String flag, String hint)
      throws Invalid {
    if (!Files.isRegularFile(file) || !Files.isReadable(file)) {
      throw new Invalid(flag + ": " + file + " is missing or not readable" + hint);
    }
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, password);
      return ks;
    } catch (IOException | GeneralSecurityException e) {
      String why =
          e.getCause() instanceof java.security.UnrecoverableKeyException
                  || String.valueOf(e.getMessage()).contains("password")
              ? "the password in " + file.resolveSibling(PASSWORD) + " does not open it"
              : e.getMessage();
      throw new Invalid(flag + ": cannot open " + file + ": " + why + hint);
    }
  }

  public Path dir() {
    return dir;
  }

  /** The node certificate (first of its chain). */
  public X509Certificate certificate() {
    try {
      return (X509Certificate) keyStore.getCertificate(alias);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The trusted CA certificates. */
  public KeyStore trustStore() {
    return trustStore;
  }

  /**
   * Artery over TLS 1.3 with mutual authentication: a peer must present a certificate the cluster
   * CA signed, and is shown ours. Host names are not checked: the cluster CA is the trust boundary
   * (it only signs the cluster's nodes).
   */
  public Config arteryConfig() {
    String p = "pekko.remote.artery.ssl.config-ssl-engine.";
    Map<String, Object> c = new HashMap<>();
    c.put("pekko.remote.artery.transport", "tls-tcp");
    c.put(
        "pekko.remote.artery.ssl.ssl-engine-provider",
        "org.apache.pekko.remote.artery.tcp.ConfigSSLEngineProvider");
    c.put(p + "key-store", dir.resolve(KEYSTORE).toString());
    c.put(p + "trust-store", dir.resolve(TRUSTSTORE).toString());
    c.put(p + "key-store-password", new String(password));
    c.put(p + "key-password", new String(password));
    c.put(p + "trust-store-password", new String(password));
    c.put(p + "protocol", "TLSv1.3");
    c.put(p + "enabled-algorithms", CIPHER_SUITES);
    c.put(p + "require-mutual-authentication", "on");
    c.put(p + "hostname-verification", "off");
    return ConfigFactory.parseMap(c);
  }

  /** A server context with the node's key (HTTPS for the API with the node certificate). */
  public SSLContext serverContext() {
    try {
      KeyManagerFactory kmf =
          KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      kmf.init(keyStore, password);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(kmf.getKeyManagers(), null, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot build a TLS context from " + dir + ": " + e, e);
    }
  }

  /** Trust managers for the cluster CA alone. */
  public TrustManagerFactory trustManagers() {
    try {
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trustStore);
      return tmf;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
