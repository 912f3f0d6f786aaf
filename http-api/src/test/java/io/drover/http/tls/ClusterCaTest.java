package io.drover.http.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.cluster.tls.TlsDir;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** drover certs with the real keytool: what lands where, with which permissions and extensions. */
class ClusterCaTest {

  @TempDir Path tmp;

  private record Run(int exit, String out, String err) {}

  static Run certs(String... args) {
    CommandLine cl = new CommandLine(new CertsCommand());
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    String[] all = args;
    return new Run(cl.execute(all), out.toString(), err.toString());
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  @Test
  void initThenNodeLeavesWhatTheNodeNeedsAndNoCaKey() throws Exception {
    Path dir = tmp.resolve("ca");
    Run init = certs("init", "--dir", dir.toString());
    assertEquals(0, init.exit(), init.err());
    assertTrue(init.out().contains("valid 10 years"), init.out());
    assertEquals("rw-------", mode(dir.resolve("ca.p12")));
    assertEquals("rw-------", mode(dir.resolve("ca.pass")));

    Run node = certs("node", "n1", "--dir", dir.toString(), "--san", "ip:10.0.0.5");
    assertEquals(0, node.exit(), node.err());
    assertTrue(node.out().contains("valid 2 years"), node.out());
    Path n1 = dir.resolve("n1");
    try (var files = Files.list(n1)) {
      assertEquals(
          List.of("ca.crt", "node.crt", "node.p12", "password", "truststore.p12"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    assertEquals("rw-------", mode(n1.resolve("node.p12")));
    assertEquals("rw-------", mode(n1.resolve("password")));
    assertEquals("rwx------", mode(n1));

    TlsDir tls = TlsDir.load(n1, "--tls-dir");
    X509Certificate cert = tls.certificate();
    assertEquals("CN=n1", cert.getSubjectX500Principal().getName());
    assertEquals("CN=Drover cluster CA", cert.getIssuerX500Principal().getName());
    assertTrue(
        cert.getExtendedKeyUsage().containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2")));
    assertTrue(cert.getSubjectAlternativeNames().contains(List.of(2, "n1")));
    assertTrue(cert.getSubjectAlternativeNames().contains(List.of(7, "10.0.0.5")));
    // valid on its own machine's loopback too, so a local curl or CLI reaches its HTTPS API
    assertTrue(cert.getSubjectAlternativeNames().contains(List.of(2, "localhost")));
    assertTrue(cert.getSubjectAlternativeNames().contains(List.of(7, "127.0.0.1")));
    assertEquals("EC", cert.getPublicKey().getAlgorithm());
    Instant notAfter = cert.getNotAfter().toInstant();
    assertTrue(notAfter.isAfter(Instant.now().plus(Duration.ofDays(729))));
    assertTrue(notAfter.isBefore(Instant.now().plus(Duration.ofDays(731))));
    KeyStore trust = tls.trustStore();
    List<String> aliases = Collections.list(trust.aliases());
    assertEquals(1, aliases.size());
    assertTrue(trust.isCertificateEntry(aliases.get(0)));
    // the CA's key stays in DIR: the node's keystore holds its own key only (TlsDir.load checks
    // there is exactly one), the truststore no key at all
    assertFalse(Files.exists(n1.resolve("ca.p12")));
    assertFalse(Files.exists(n1.resolve("ca.pass")));
    try (var left = Files.list(dir)) {
      assertEquals(
          List.of("ca.crt", "ca.p12", "ca.pass", "n1"),
          left.map(p -> p.getFileName().toString()).sorted().toList(),
          "no staging directories left behind");
    }
  }

  @Test
  void nothingIsOverwrittenWithoutForce() throws Exception {
    Path dir = tmp.resolve("ca");
    assertEquals(0, certs("init", "--dir", dir.toString()).exit());
    byte[] ca = Files.readAllBytes(dir.resolve("ca.p12"));
    Run again = certs("init", "--dir", dir.toString());
    assertEquals(2, again.exit());
    assertTrue(again.err().contains("--force"), again.err());
    assertTrue(java.util.Arrays.equals(ca, Files.readAllBytes(dir.resolve("ca.p12"))));

    assertEquals(0, certs("node", "web-1", "--dir", dir.toString()).exit());
    byte[] key = Files.readAllBytes(dir.resolve("web-1/node.p12"));
    Run node = certs("node", "web-1", "--dir", dir.toString());
    assertEquals(2, node.exit());
    assertTrue(node.err().contains("--force"), node.err());
    assertTrue(java.util.Arrays.equals(key, Files.readAllBytes(dir.resolve("web-1/node.p12"))));
    assertEquals(0, certs("node", "web-1", "--dir", dir.toString(), "--force").exit());
    assertFalse(java.util.Arrays.equals(key, Files.readAllBytes(dir.resolve("web-1/node.p12"))));
    TlsDir.load(dir.resolve("web-1"), "--tls-dir");
  }

  @Test
  void badArgumentsExitTwoWithWhatToFix() throws Exception {
    Path dir = tmp.resolve("ca");
    Run noCa = certs("node", "n1", "--dir", dir.toString());
    assertEquals(2, noCa.exit());
    assertTrue(noCa.err().contains("certs init"), noCa.err());
    assertEquals(0, certs("init", "--dir", dir.toString()).exit());
    Run badName = certs("node", "Bad_Name", "--dir", dir.toString());
    assertEquals(2, badName.exit());
    assertTrue(badName.err().contains("not a DNS name"), badName.err());
    Run badSan = certs("node", "n1", "--dir", dir.toString(), "--san", "url:x");
    assertEquals(2, badSan.exit());
    assertTrue(badSan.err().contains("ip:ADDRESS"), badSan.err());
    assertEquals(2, certs("node", "--dir", dir.toString()).exit());
    assertEquals(2, certs("init").exit());
    assertEquals(2, certs().exit());
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertEquals(2, certs("init", "--dir", file.toString()).exit());
  }

  @Test
  void aBrokenTlsDirIsRefusedWithWhatToFix() throws Exception {
    Path dir = tmp.resolve("ca");
    assertEquals(0, certs("init", "--dir", dir.toString()).exit());
    assertEquals(0, certs("node", "n1", "--dir", dir.toString()).exit());
    Path n1 = dir.resolve("n1");
    Files.writeString(n1.resolve("password"), "wrong\n");
    TlsDir.Invalid wrong = assertThrows(TlsDir.Invalid.class, () -> TlsDir.load(n1, "--tls-dir"));
    assertTrue(wrong.getMessage().contains("does not open it"), wrong.getMessage());
    Files.delete(n1.resolve("password"));
    TlsDir.Invalid missing = assertThrows(TlsDir.Invalid.class, () -> TlsDir.load(n1, "--tls-dir"));
    assertTrue(missing.getMessage().contains("password"), missing.getMessage());
    TlsDir.Invalid noDir =
        assertThrows(TlsDir.Invalid.class, () -> TlsDir.load(tmp.resolve("nope"), "--tls-dir"));
    assertTrue(noDir.getMessage().contains("drover certs node"), noDir.getMessage());
  }
}
