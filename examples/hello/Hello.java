import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;

/**
 * The example site: a tiny HTTP app for Drover. Run it with only a JDK 17: {@code PORT=8080 java
 * -Xmx32m Hello.java}. {@code GET /} says which instance and revision answered, {@code GET
 * /healthz} answers {@code ok}; every answer names the answering process in an {@code X-Pid}
 * header.
 */
public class Hello {

  public static void main(String[] args) throws IOException {
    String portText = System.getenv("PORT");
    if (portText == null || portText.isBlank()) {
      System.err.println(
          "Hello: the PORT environment variable is not set; run it as PORT=8080 java Hello.java");
      System.exit(2);
    }
    int port;
    try {
      port = Integer.parseInt(portText.trim());
    } catch (NumberFormatException e) {
      System.err.println("Hello: PORT must be a number, got '" + portText + "'");
      System.exit(2);
      return;
    }
    String instance = envOr("DROVER_INSTANCE", "unknown-instance");
    String revision = envOr("DROVER_REVISION", "unknown");
    String shortRevision = revision.length() > 12 ? revision.substring(0, 12) : revision;
    String host = hostname();
    String greeting =
        "hello from " + instance + " (revision " + shortRevision + ") on " + host + "\n";

    HttpServer server = HttpServer.create(new InetSocketAddress("0.0.0.0", port), 0);
    server.createContext("/healthz", exchange -> answer(exchange, "ok"));
    server.createContext(
        "/",
        exchange -> {
          if (!exchange.getRequestURI().getPath().equals("/")) {
            answer(exchange, 404, "not found\n");
          } else {
            answer(exchange, greeting);
          }
        });
    server.start();
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  // stop at once: Drover already stopped sending traffic, and stop(1) waits 1 s
                  server.stop(0);
                  System.out.println("stopped");
                }));
    System.out.println("listening on port " + port);
  }

  private static void answer(HttpExchange exchange, String body) throws IOException {
    answer(exchange, 200, body);
  }

  private static void answer(HttpExchange exchange, int status, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    try (exchange) {
      String method = exchange.getRequestMethod();
      if (!method.equals("GET") && !method.equals("HEAD")) {
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      exchange.getResponseHeaders().set("Content-Type", "text/plain; charset=utf-8");
      // which process answered: tells a restarted instance from the one it replaced
      exchange.getResponseHeaders().set("X-Pid", Long.toString(ProcessHandle.current().pid()));
      if (method.equals("HEAD")) {
        exchange.sendResponseHeaders(status, -1);
        return;
      }
      exchange.sendResponseHeaders(status, bytes.length);
      try (OutputStream out = exchange.getResponseBody()) {
        out.write(bytes);
      }
    }
  }

  private static String envOr(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  private static String hostname() {
    String fromEnv = System.getenv("HOSTNAME");
    if (fromEnv != null && !fromEnv.isBlank()) {
      return fromEnv;
    }
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (IOException e) {
      return "unknown-host";
    }
  }
}
