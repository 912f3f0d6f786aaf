package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.drover.http.tls.ApiTls;
import java.io.FileInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The TLS flags of drover up: refusals off loopback, bad directories and PEM files, exit 2. */
class TlsFlagsTest {

  @TempDir static Path tmp;
  static Path ca;

  private static final String PUBLIC = "10.123.45.67";

  private record Run(int exit, String err) {}

  private static List<String> withJournal(String... args) {
    List<String> all = new ArrayList<>(List.of("up", "--no-example"));
    all.addAll(List.of(args));
    all.addAll(
        List.of("--journal", "postgres", "--jdbc-url", "jdbc:postgresql://127.0.0.1:5432/d"));
    return all;
  }

  private static Run run(String... args) {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    cl.setOut(new PrintWriter(new StringWriter()));
    return new Run(cl.execute(withJournal(args).toArray(String[]::new)), err.toString());
  }

  private static Config overrides(String... args) {
    CommandLine.ParseResult parsed =
        Main.commandLine().parseArgs(withJournal(args).toArray(String[]::new));
    return ((Main.Up) parsed.subcommand().commandSpec().userObject()).validate();
  }

  @BeforeAll
  static void certificates() throws Exception {
    ca = tmp.resolve("ca");
    CommandLine cl = Main.commandLine();
    cl.setOut(new PrintWriter(new StringWriter()));
    assertEquals(0, cl.execute("certs", "init", "--dir", ca.toString()));
    assertEquals(0, cl.execute("certs", "node", "n1", "--dir", ca.toString()));
  }

  @Test
  void aPublicClusterPortWithoutTlsIsRefusedAndSaysWhy() {
    Run r = run("--bind", PUBLIC);
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("could join the cluster and run commands"), r.err());
    assertTrue(r.err().contains("--tls-dir"), r.err());
  }

  @Test
  void aPublicApiWithoutHttpsIsRefused() {
    Run r = run("--bind", PUBLIC, "--insecure-cluster");
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("without HTTPS"), r.err());
    r = run("--bind", "0.0.0.0", "--tls-dir", ca.resolve("n1").toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(r.err().contains("--insecure-http"), r.err());
  }

  @Test
  void insecureFlagsAllowPlaintextOnPurpose() {
    Config c = overrides("--bind", PUBLIC, "--insecure-cluster", "--insecure-http");
    assertEquals("", c.getString("drover.tls.dir"));
    assertTrue(c.getBoolean("drover.insecure-cluster"));
  }

  @Test
  void loopbackNeedsNothing() {
    Config c = overrides();
    assertEquals("", c.getString("drover.tls.dir"));
    assertEquals("", c.getString("drover.http.https.cert"));
  }

  @Test
  void tlsDirAndNodeCertificateForHttps() {
    Config c = overrides("--bind", PUBLIC, "--tls-dir", ca.resolve("n1").toString(), "--https");
    assertEquals(ca.resolve("n1").toAbsolutePath().toString(), c.getString("drover.tls.dir"));
    assertTrue(c.getBoolean("drover.http.https.node-cert"));
  }

  @Test
  void badTlsFlagsExitTwoWithWhatToFix() throws Exception {
    Run r = run("--tls-dir", tmp.resolve("nope").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("drover certs node"), r.err());
    r = run("--tls-dir", ca.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("the cluster CA's directory"), r.err());
    r = run("--https");
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("--tls-dir"), r.err());
    r = run("--https-cert", ca.resolve("ca.crt").toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("go together"), r.err());
  }

  /** A self-signed key pair from keytool, written as PEM certificate + PKCS#8 key. */
  private static Path[] pem(String name, String alg) throws Exception {
    Path dir = Files.createDirectories(tmp.resolve("pem-" + name));
    Path ks = dir.resolve("k.p12");
    Process p =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair",
                "-alias",
                "k",
                "-keyalg",
                alg,
                "-dname",
                "CN=" + name,
                "-validity",
                "2",
                "-keystore",
                ks.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                "changeit")
            .redirectErrorStream(true)
            .start();
    p.getInputStream().readAllBytes();
    assertEquals(0, p.waitFor());
    KeyStore store = KeyStore.getInstance("PKCS12");
    try (FileInputStream in = new FileInputStream(ks.toFile())) {
      store.load(in, "changeit".toCharArray());
    }
    PrivateKey key = (PrivateKey) store.getKey("k", "changeit".toCharArray());
    Certificate cert = store.getCertificate("k");
    Base64.Encoder b64 = Base64.getMimeEncoder(64, "\n".getBytes());
    Path crt =
        Files.writeString(
            dir.resolve("cert.pem"),
            "-----BEGIN CERTIFICATE-----\n"
                + b64.encodeToString(cert.getEncoded())
                + "\n-----END CERTIFICATE-----\n");
    Path k =
        Files.writeString(
            dir.resolve("key.pem"),
            "-----BEGIN PRIVATE KEY-----\n"
                + b64.encodeToString(key.getEncoded())
                + "\n-----END PRIVATE KEY-----\n");
    return new Path[] {crt, k};
  }

  @Test
  void pemCertificatesWithPkcs8RsaAndEcKeys() throws Exception {
    Path[] rsa = pem("rsa", "RSA");
    Path[] ec = pem("ec", "EC");
    ApiTls.fromPem(rsa[0], rsa[1]);
    ApiTls.fromPem(ec[0], ec[1]);
    Config c =
        overrides(
            "--bind",
            PUBLIC,
            "--insecure-cluster",
            "--https-cert",
            rsa[0].toString(),
            "--https-key",
            rsa[1].toString());
    assertEquals(rsa[0].toAbsolutePath().toString(), c.getString("drover.http.https.cert"));

    ApiTls.Invalid mismatch =
        assertThrows(ApiTls.Invalid.class, () -> ApiTls.fromPem(rsa[0], ec[1]));
    assertTrue(mismatch.getMessage().contains("does not belong"), mismatch.getMessage());

    Path pkcs1 =
        Files.writeString(
            tmp.resolve("pkcs1.pem"),
            "-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----\n");
    Run r = run("--https-cert", rsa[0].toString(), "--https-key", pkcs1.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("openssl pkcs8 -topk8 -nocrypt"), r.err());
    Run notCert = run("--https-cert", rsa[1].toString(), "--https-key", rsa[1].toString());
    assertEquals(2, notCert.exit());
    assertTrue(notCert.err().contains("--https-cert"), notCert.err());
  }
}
