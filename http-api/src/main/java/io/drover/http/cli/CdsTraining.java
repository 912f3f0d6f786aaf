package io.drover.http.cli;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * A hidden command the launcher runs once per client jar to make its class data sharing archive
 * (the JVM records the classes it loads): it runs the read commands ({@code sites}, {@code site},
 * {@code hosts}, {@code status}, as tables and as JSON, and one against nothing) in-process against
 * a throwaway HTTP server on a free loopback port that answers canned JSON, so the archive holds
 * what an ordinary command loads: picocli, the streaming JSON reader, the HTTP client's success and
 * failure paths, the tables. Needs no node; prints nothing.
 */
@Command(name = "cds-training", hidden = true)
final class CdsTraining extends Cmd {

  static final String SITE =
      "{\"name\":\"a\",\"spec\":{\"revision\":\"0123456789abcdef\",\"command\":[\"x\"],"
          + "\"instances\":2,\"pool\":\"default\",\"env\":{\"K\":\"V\"},\"labels\":{\"l\":1}},"
          + "\"status\":{\"desired\":2,\"ready\":1,\"distinctHosts\":1,\"degraded\":true,"
          + "\"problems\":[\"p\"]},\"instances\":[{\"id\":\"a-1\",\"host\":\"h\","
          + "\"state\":\"ready\",\"port\":1,\"pid\":2,\"restarts\":0,\"ok\":true,\"x\":null,"
          + "\"f\":1.5,\"big\":12345678901,\"huge\":123456789012345678901234567890}]}";

  static final Map<String, String> ANSWERS =
      Map.of(
          "/api/v1/sites", "[" + SITE + "]",
          "/api/v1/sites/a", SITE,
          "/api/v1/hosts",
              "[{\"name\":\"h\",\"pool\":\"default\",\"state\":\"ok\",\"reachable\":true,"
                  + "\"cordoned\":false,\"draining\":false,\"instances\":1,\"load\":0.5}]",
          "/api/v1/cluster/members",
              "[{\"address\":\"pekko://drover@127.0.0.1:1\",\"status\":\"Up\","
                  + "\"reachable\":true,\"roles\":[\"dc-default\"],\"host\":\"h\"}]");

  @Override
  public Integer call() throws Exception {
    HttpServer server =
        HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        x -> {
          String body = ANSWERS.get(x.getRequestURI().getPath());
          int status = body == null ? 404 : 200;
          if (body == null) {
            body = "{\"title\":\"Not Found\",\"status\":404,\"detail\":\"no such thing\"}";
          }
          byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
          x.getResponseHeaders()
              .set("Content-Type", status == 200 ? "application/json" : "application/problem+json");
          x.sendResponseHeaders(status, bytes.length);
          try (OutputStream o = x.getResponseBody()) {
            o.write(bytes);
          }
        });
    server.start();
    PrintStream none =
        new PrintStream(OutputStream.nullOutputStream(), false, StandardCharsets.UTF_8);
    String url = "http://127.0.0.1:" + server.getAddress().getPort();
    try {
      for (String[] args :
          new String[][] {
            {url, "sites"},
            {url, "-o", "json", "sites"},
            {url, "site", "a"},
            {url, "site", "b"},
            {url, "hosts"},
            {url, "status"},
            {url, "deploys"},
            {"http://127.0.0.1:9", "sites"},
          }) {
        String[] all = new String[args.length + 2];
        all[0] = "--server";
        all[1] = args[0];
        all[2] = "--token=training";
        System.arraycopy(args, 1, all, 3, args.length - 1);
        try {
          new Cli(
                  none,
                  cli().env.containsKey("DROVER_CDS_TRAINING_DEBUG") ? err() : none,
                  Map.of(),
                  false)
              .execute(all);
        } catch (RuntimeException e) {
          // a training run only loads classes: whatever fails, the archive is still useful
        }
      }
    } finally {
      server.stop(0);
    }
    return ExitCodes.OK;
  }
}
