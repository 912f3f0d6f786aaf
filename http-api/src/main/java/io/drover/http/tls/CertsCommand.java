package io.drover.http.tls;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code drover certs}: a cluster CA and node certificates for mutual TLS ({@code up --tls-dir}).
 * Bad arguments exit 2 with what to fix, keytool failures exit 1.
 */
@Command(
    name = "certs",
    mixinStandardHelpOptions = true,
    description = {
      "Certificates for mutual TLS between nodes (EC P-256; CA valid 10 years, nodes 2 years).",
      "  drover certs init --dir DIR          create the cluster CA in DIR",
      "  drover certs node NAME --dir DIR     issue node NAME's certificate into DIR/NAME",
      "Then start the node with: drover up --tls-dir DIR/NAME"
    },
    subcommands = {CertsCommand.Init.class, CertsCommand.Node.class})
public final class CertsCommand implements Runnable {

  @Spec CommandSpec spec;

  @Override
  public void run() {
    throw new ParameterException(
        spec.commandLine(),
        "say what to do: drover certs init --dir DIR, or drover certs node NAME --dir DIR");
  }

  /** {@code drover certs init --dir DIR}. */
  @Command(
      name = "init",
      mixinStandardHelpOptions = true,
      description =
          "Create the cluster CA in DIR: ca.p12 (its private key; keep it there, off the nodes),"
              + " ca.pass, ca.crt. Valid 10 years.")
  static final class Init implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        required = true,
        description = "Where the CA lives.")
    Path dir;

    @Option(names = "--force", description = "Replace an existing CA.")
    boolean force;

    @Override
    public Integer call() {
      return CertsCommand.run(
          spec,
          () -> {
            List<Path> written = new ClusterCa(dir).init(force);
            PrintWriter out = spec.commandLine().getOut();
            out.println(
                "cluster CA created (EC P-256, valid "
                    + ClusterCa.CA_VALIDITY_DAYS / 365
                    + " years): "
                    + written);
            out.println(
                "its private key stays in "
                    + dir.toAbsolutePath().resolve(ClusterCa.CA_KEYSTORE)
                    + "; next: drover certs node NAME --dir "
                    + dir);
            out.flush();
          });
    }
  }

  /** {@code drover certs node NAME --dir DIR}. */
  @Command(
      name = "node",
      mixinStandardHelpOptions = true,
      description =
          "Issue node NAME's certificate (SAN dns:NAME, dns:localhost, ip:127.0.0.1; server and"
              + " client auth, valid 2 years),"
              + " signed by the CA in DIR, into DIR/NAME: node.p12, truststore.p12, password,"
              + " node.crt, ca.crt. Copy DIR/NAME to the node and start it with --tls-dir.")
  static final class Node implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", paramLabel = "NAME", description = "The node's DNS name.")
    String name;

    @Option(
        names = "--dir",
        paramLabel = "DIR",
        required = true,
        description = "The CA's directory (drover certs init).")
    Path dir;

    @Option(
        names = "--san",
        paramLabel = "dns:NAME|ip:ADDR",
        split = ",",
        description =
            "Further names the certificate is valid for, e.g. ip:10.0.0.5 when clients reach the"
                + " node's HTTPS API by address; repeatable.")
    List<String> sans;

    @Option(names = "--force", description = "Replace certificates issued before.")
    boolean force;

    @Override
    public Integer call() {
      return CertsCommand.run(
          spec,
          () -> {
            List<Path> written =
                new ClusterCa(dir).issue(name, sans == null ? List.of() : sans, force);
            PrintWriter out = spec.commandLine().getOut();
            out.println(
                "node certificate for "
                    + name
                    + " issued (EC P-256, valid "
                    + ClusterCa.NODE_VALIDITY_DAYS / 365
                    + " years): "
                    + written);
            out.println("start the node with: drover up --tls-dir " + dir.resolve(name));
            out.flush();
          });
    }
  }

  private interface Action {
    void run() throws ClusterCa.BadInput, IOException;
  }

  private static int run(CommandSpec spec, Action action) {
    PrintWriter err = spec.commandLine().getErr();
    try {
      action.run();
      return 0;
    } catch (ClusterCa.BadInput e) {
      err.println("drover certs: " + e.getMessage());
      err.flush();
      return 2;
    } catch (IOException e) {
      err.println("drover certs: " + e.getMessage());
      err.flush();
      return 1;
    }
  }
}
