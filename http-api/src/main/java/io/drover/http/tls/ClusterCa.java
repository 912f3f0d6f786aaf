package io.drover.http.tls;

import io.drover.cluster.tls.TlsDir;
import java.io.IOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A cluster certificate authority in a directory, made and used with the JDK's keytool. EC P-256
 * keys (SHA256withECDSA); the CA is valid 10 years, node certificates 2 years.
 *
 * <pre>
 * DIR/ca.p12    the CA's key (0600; never copied anywhere)
 * DIR/ca.pass   its password (0600)
 * DIR/ca.crt    the CA certificate (PEM)
 * DIR/NAME/     what node NAME needs, see {@link TlsDir}: node.p12 (key + chain, 0600),
 *               truststore.p12 (the CA certificate only), password (0600), node.crt, ca.crt
 * </pre>
 */
public final class ClusterCa {

  public static final String CA_KEYSTORE = "ca.p12";
  public static final String CA_PASSWORD = "ca.pass";
  public static final String CA_CERT = "ca.crt";
  public static final int CA_VALIDITY_DAYS = 3650;
  public static final int NODE_VALIDITY_DAYS = 730;

  private static final Pattern NAME =
      Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?(\\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*");
  private static final Pattern IP = Pattern.compile("[0-9.]+|[0-9a-fA-F:]+");
  private static final Set<PosixFilePermission> PRIVATE =
      PosixFilePermissions.fromString("rw-------");
  private static final Set<PosixFilePermission> PUBLIC =
      PosixFilePermissions.fromString("rw-r--r--");
  private static final Set<PosixFilePermission> PRIVATE_DIR =
      PosixFilePermissions.fromString("rwx------");

  /** Input the operator has to fix (exit 2). */
  public static final class BadInput extends Exception {
    private static final long serialVersionUID = 1L;

    public BadInput(String message) {
      super(message);
    }
  }

  private final Path dir;
  private final Keytool keytool;

  public ClusterCa(Path dir) {
    this(dir, new Keytool());
  }

  ClusterCa(Path dir, Keytool keytool) {
    this.dir = dir.toAbsolutePath();
    this.keytool = keytool;
  }

  /** Creates the CA; refuses to replace one unless {@code force}. Returns what was written. */
  public List<Path> init(boolean force) throws BadInput, IOException {
    if (Files.exists(dir) && !Files.isDirectory(dir)) {
      throw new BadInput("--dir " + dir + " exists and is not a directory");
    }
    if (!force) {
      for (String f : List.of(CA_KEYSTORE, CA_PASSWORD, CA_CERT)) {
        if (Files.exists(dir.resolve(f))) {
          throw new BadInput(
              dir.resolve(f)
                  + " exists: there is a cluster CA in "
                  + dir
                  + " already. Pass --force to replace it (nodes with certificates from the old"
                  + " CA will no longer be trusted), or choose another --dir");
        }
      }
    }
    boolean fresh = !Files.exists(dir);
    Files.createDirectories(dir);
    if (fresh) {
      Files.setPosixFilePermissions(dir, PRIVATE_DIR);
    }
    Path tmp = staging(".ca");
    try {
      Path pass = writeSecret(tmp.resolve(CA_PASSWORD));
      Path ks = tmp.resolve(CA_KEYSTORE);
      keytool.run(
          "-genkeypair",
          "-alias",
          "ca",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-sigalg",
          "SHA256withECDSA",
          "-dname",
          "CN=Drover cluster CA",
          "-validity",
          Integer.toString(CA_VALIDITY_DAYS),
          "-ext",
          "bc:c=ca:true,pathlen:0",
          "-ext",
          "ku:c=keyCertSign,cRLSign",
          "-keystore",
          ks.toString(),
          "-storetype",
          "PKCS12",
          "-storepass:file",
          pass.toString());
      Files.setPosixFilePermissions(ks, PRIVATE);
      keytool.run(
          "-exportcert",
          "-rfc",
          "-alias",
          "ca",
          "-keystore",
          ks.toString(),
          "-storepass:file",
          pass.toString(),
          "-file",
          tmp.resolve(CA_CERT).toString());
      Files.setPosixFilePermissions(tmp.resolve(CA_CERT), PUBLIC);
      return moveAll(tmp, dir, List.of(CA_KEYSTORE, CA_PASSWORD, CA_CERT));
    } finally {
      deleteTree(tmp);
    }
  }

  /** Names every node certificate is valid for besides its own: its machine's loopback. */
  static final List<String> LOOPBACK_SANS = List.of("dns:localhost", "ip:127.0.0.1");

  /**
   * Issues a certificate for node {@code name} (SAN dns:NAME, dns:localhost and ip:127.0.0.1, so
   * that a client on the node's own machine reaches its HTTPS API by loopback, plus {@code
   * extraSans}; for server and client authentication) into {@code DIR/NAME}; refuses to replace one
   * unless {@code force}.
   *
   * @param extraSans further subject alternative names, {@code dns:NAME} or {@code ip:ADDRESS}
   */
  public List<Path> issue(String name, List<String> extraSans, boolean force)
      throws BadInput, IOException {
    if (!NAME.matcher(name).matches() || name.length() > 253) {
      throw new BadInput(
          "node name '"
              + name
              + "' is not a DNS name: use lowercase letters, digits, '-' and '.' (it becomes the"
              + " certificate's dns: name)");
    }
    List<String> sans = new ArrayList<>();
    sans.add("dns:" + name);
    sans.addAll(LOOPBACK_SANS);
    for (String s : extraSans) {
      String san = checkSan(s.trim());
      if (!sans.contains(san)) {
        sans.add(san);
      }
    }
    Path caKs = dir.resolve(CA_KEYSTORE);
    Path caPass = dir.resolve(CA_PASSWORD);
    Path caCert = dir.resolve(CA_CERT);
    for (Path p : List.of(caKs, caPass, caCert)) {
      if (!Files.isRegularFile(p)) {
        throw new BadInput(
            "no cluster CA in "
                + dir
                + " ("
                + p.getFileName()
                + " is missing): run drover certs"
                + " init --dir "
                + dir
                + " first");
      }
    }
    Path out = dir.resolve(name);
    if (Files.exists(out) && !force) {
      throw new BadInput(
          out
              + " exists: node "
              + name
              + " has certificates already. Pass --force to issue new ones (then restart the node)");
    }
    Path tmp = staging("." + name);
    try {
      Path pass = writeSecret(tmp.resolve(TlsDir.PASSWORD));
      Path ks = tmp.resolve(TlsDir.KEYSTORE);
      Path csr = tmp.resolve("node.csr");
      Path crt = tmp.resolve(TlsDir.NODE_CERT);
      keytool.run(
          "-genkeypair",
          "-alias",
          "node",
          "-keyalg",
          "EC",
          "-groupname",
          "secp256r1",
          "-sigalg",
          "SHA256withECDSA",
          "-dname",
          "CN=" + name,
          "-validity",
          Integer.toString(NODE_VALIDITY_DAYS),
          "-keystore",
          ks.toString(),
          "-storetype",
          "PKCS12",
          "-storepass:file",
          pass.toString());
      Files.setPosixFilePermissions(ks, PRIVATE);
      keytool.run(
          "-certreq",
          "-alias",
          "node",
          "-keystore",
          ks.toString(),
          "-storepass:file",
          pass.toString(),
          "-file",
          csr.toString());
      keytool.run(
          "-gencert",
          "-rfc",
          "-alias",
          "ca",
          "-keystore",
          caKs.toString(),
          "-storepass:file",
          caPass.toString(),
          "-infile",
          csr.toString(),
          "-outfile",
          crt.toString(),
          "-validity",
          Integer.toString(NODE_VALIDITY_DAYS),
          "-ext",
          "san=" + String.join(",", sans),
          "-ext",
          "ku:c=digitalSignature,keyEncipherment",
          "-ext",
          "eku=serverAuth,clientAuth",
          "-ext",
          "bc:c=ca:false");
      Files.setPosixFilePermissions(crt, PUBLIC);
      Path ca = Files.copy(caCert, tmp.resolve(TlsDir.CA_CERT));
      Files.setPosixFilePermissions(ca, PUBLIC);
      Path chain = tmp.resolve("chain.pem");
      Files.writeString(
          chain,
          Files.readString(crt, StandardCharsets.US_ASCII)
              + Files.readString(caCert, StandardCharsets.US_ASCII),
          StandardCharsets.US_ASCII);
      keytool.run(
          "-importcert",
          "-noprompt",
          "-alias",
          "node",
          "-keystore",
          ks.toString(),
          "-storepass:file",
          pass.toString(),
          "-file",
          chain.toString());
      Path trust = tmp.resolve(TlsDir.TRUSTSTORE);
      keytool.run(
          "-importcert",
          "-noprompt",
          "-alias",
          "drover-ca",
          "-keystore",
          trust.toString(),
          "-storetype",
          "PKCS12",
          "-storepass:file",
          pass.toString(),
          "-file",
          caCert.toString());
      Files.setPosixFilePermissions(trust, PUBLIC);
      Files.createDirectories(out);
      Files.setPosixFilePermissions(out, PRIVATE_DIR);
      return moveAll(
          tmp,
          out,
          List.of(
              TlsDir.KEYSTORE,
              TlsDir.TRUSTSTORE,
              TlsDir.PASSWORD,
              TlsDir.NODE_CERT,
              TlsDir.CA_CERT));
    } finally {
      deleteTree(tmp);
    }
  }

  private static String checkSan(String san) throws BadInput {
    int colon = san.indexOf(':');
    String kind = colon < 0 ? "" : san.substring(0, colon).toLowerCase(java.util.Locale.ROOT);
    String value = colon < 0 ? "" : san.substring(colon + 1);
    if (kind.equals("dns") && NAME.matcher(value).matches()) {
      return "dns:" + value;
    }
    if (kind.equals("ip") && IP.matcher(value).matches()) {
      try {
        return "ip:" + InetAddress.getByName(value).getHostAddress();
      } catch (IOException e) {
        // falls through to the message
      }
    }
    throw new BadInput(
        "--san '" + san + "' is not dns:NAME or ip:ADDRESS (e.g. --san ip:10.0.0.5)");
  }

  /** A fresh private directory inside DIR, so nothing is half-written in place. */
  private Path staging(String prefix) throws IOException {
    return Files.createTempDirectory(
        dir, prefix + ".tmp-", PosixFilePermissions.asFileAttribute(PRIVATE_DIR));
  }

  /** 32 random bytes, base64url, in a new 0600 file. */
  private static Path writeSecret(Path file) throws IOException {
    byte[] b = new byte[32];
    new SecureRandom().nextBytes(b);
    Files.createFile(file, PosixFilePermissions.asFileAttribute(PRIVATE));
    Files.writeString(
        file,
        Base64.getUrlEncoder().withoutPadding().encodeToString(b) + "\n",
        StandardCharsets.US_ASCII);
    return file;
  }

  private static List<Path> moveAll(Path from, Path to, List<String> names) throws IOException {
    List<Path> written = new ArrayList<>();
    for (String n : names) {
      Path target = to.resolve(n);
      try {
        Files.move(
            from.resolve(n),
            target,
            StandardCopyOption.REPLACE_EXISTING,
            StandardCopyOption.ATOMIC_MOVE);
      } catch (FileAlreadyExistsException e) {
        throw new IOException("cannot replace " + target, e);
      }
      written.add(target);
    }
    return written;
  }

  private static void deleteTree(Path p) throws IOException {
    if (!Files.exists(p)) {
      return;
    }
    if (Files.isDirectory(p)) {
      try (DirectoryStream<Path> ds = Files.newDirectoryStream(p)) {
        for (Path c : ds) {
          deleteTree(c);
        }
      }
    }
    Files.deleteIfExists(p);
  }
}
