package io.drover.http.cli.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.http.cli.ExitCodes;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * The two requests a watch makes (a JSON {@code GET} and an event stream), over {@code
 * java.net.http}, with every failure turned into what the operator should do and the CLI's exit
 * code.
 */
final class WatchClient {

  /** The CLI's exit codes ({@link ExitCodes}, the one place they are defined). */
  static final int FAILED = ExitCodes.FAILED;

  static final int UNREACHABLE = ExitCodes.UNREACHABLE;
  static final int NOT_AUTHORISED = ExitCodes.NOT_AUTHORISED;

  /**
   * A request that did not give what was asked.
   *
   * @param exitCode 1 the node refused (4xx), 3 unreachable or failing (5xx), 4 not authorised
   * @param retryable worth another try later (a dropped connection, a 5xx), not a refusal
   */
  static final class Failure extends Exception {
    private static final long serialVersionUID = 1L;

    final int exitCode;
    final boolean retryable;

    Failure(String message, int exitCode, boolean retryable) {
      super(message);
      this.exitCode = exitCode;
      this.retryable = retryable;
    }
  }

  static final ObjectMapper JSON = new ObjectMapper();

  private final WatchTarget target;
  private final WatchSettings settings;
  private final HttpClient http;
  private final String base;

  WatchClient(WatchTarget target, WatchSettings settings) {
    this.target = target;
    this.settings = settings;
    HttpClient.Builder b =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(settings.connectTimeout());
    if (target.sslContext() != null) {
      b.sslContext(target.sslContext());
    }
    this.http = b.build();
    String s = target.server().toString();
    this.base = s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  String server() {
    return base;
  }

  /** {@code GET path} as JSON. */
  JsonNode getJson(String path) throws Failure, InterruptedException {
    HttpResponse<byte[]> r = send(request(path, null, "application/json"), path);
    if (r.statusCode() != 200) {
      throw refused(r.statusCode(), new String(r.body(), StandardCharsets.UTF_8), path);
    }
    try {
      return JSON.readTree(r.body());
    } catch (IOException e) {
      throw new Failure(
          base + path + " did not answer JSON (" + e.getMessage() + "): is --server a Drover node?",
          FAILED,
          false);
    }
  }

  /** Opens the event stream at {@code path}, resumed after {@code lastEventId} when not empty. */
  InputStream openStream(String path, String lastEventId) throws Failure, InterruptedException {
    HttpRequest req = request(path, lastEventId, "text/event-stream");
    HttpResponse<InputStream> r;
    try {
      r = http.send(req, HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(e);
    }
    if (r.statusCode() != 200) {
      String body;
      try (InputStream in = r.body()) {
        body = new String(in.readNBytes(16 * 1024), StandardCharsets.UTF_8);
      } catch (IOException e) {
        body = "";
      }
      throw refused(r.statusCode(), body, path);
    }
    return r.body();
  }

  private HttpRequest request(String path, String lastEventId, String accept) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(base + path))
            .timeout(settings.requestTimeout())
            .header("Accept", accept)
            .GET();
    if (target.token() != null && !target.token().isBlank()) {
      b.header("Authorization", "Bearer " + target.token().strip());
    }
    if (lastEventId != null && !lastEventId.isEmpty()) {
      b.header("Last-Event-ID", lastEventId);
    }
    return b.build();
  }

  private HttpResponse<byte[]> send(HttpRequest req, String path)
      throws Failure, InterruptedException {
    try {
      return http.send(req, HttpResponse.BodyHandlers.ofByteArray());
    } catch (IOException e) {
      throw unreachable(e);
    }
  }

  Failure unreachable(IOException e) {
    String why = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    if (e instanceof java.net.ConnectException) {
      why = "connection refused";
    } else if (e instanceof javax.net.ssl.SSLException) {
      return new Failure(
          "TLS with "
              + base
              + " failed: "
              + why
              + " (trust the cluster's CA, e.g. ca/node-1/ca.crt, or check the address is in the"
              + " node certificate)",
          UNREACHABLE,
          false);
    }
    return new Failure(
        "cannot reach "
            + base
            + ": "
            + why
            + " (is a node running there? set --server or DROVER_SERVER)",
        UNREACHABLE,
        true);
  }

  private Failure refused(int status, String body, String path) {
    String detail = detail(body);
    if (status == 401 || status == 403) {
      return new Failure(
          "not authorised ("
              + status
              + (detail.isEmpty() ? "" : ": " + detail)
              + "): pass a token with at least the viewer role (--token or DROVER_TOKEN)",
          NOT_AUTHORISED,
          false);
    }
    String msg = base + path + " answered " + status + (detail.isEmpty() ? "" : ": " + detail);
    if (status >= 500) {
      return new Failure(msg, UNREACHABLE, true);
    }
    return new Failure(msg, FAILED, false);
  }

  /** The problem's {@code detail}, or the body's first line, cleaned. */
  static String detail(String body) {
    if (body == null || body.isBlank()) {
      return "";
    }
    try {
      JsonNode n = JSON.readTree(body);
      if (n != null && n.hasNonNull("detail")) {
        return ProgressRender.clean(n.get("detail").asText());
      }
    } catch (IOException notJson) {
      // the text itself below
    }
    String t = ProgressRender.clean(body);
    return t.length() > 300 ? t.substring(0, 300) + "..." : t;
  }
}
