package io.drover.http.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import io.drover.http.cli.watch.ProgressRender;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The CLI's one client of a node's HTTP API, for its commands and its deploy watch, on the JDK
 * alone (no Pekko): {@link PlainHttp} for requests to an http node, {@link HttpURLConnection} for
 * https and uploads, {@code java.net.http} for event streams (made only when one is opened);
 * bounded timeouts (connect 5 s, no read waits over 30 s, uploads 10 min, streams unbounded once
 * connected), the server, bearer token and TLS trust of one place, and every failure as a {@link
 * CliError} worded in one place ({@link #refused}, {@link #unreachable}): the exit code of {@link
 * ExitCodes}, the server's problem detail and what to fix. JSON goes through {@link JsonTree} (no
 * {@code ObjectMapper}: it costs a short-lived JVM more than the request).
 */
public final class Api {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Uploads may carry up to 256 MiB: they get longer, still bounded. */
  static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(10);

  /** An answer: status, body and content type. */
  record Reply(int status, String body, String contentType) {}

  /** The most of a refused stream's body read (its problem detail is short). */
  static final int MAX_REFUSAL_BYTES = 16 * 1024;

  final Settings settings;
  final SSLContext sslContext;

  /** The client of event streams; null until {@link #openStream} first needs it. */
  private HttpClient streams;

  Api(Settings settings) {
    this(settings, settings.cacert() == null ? null : trusting(settings.cacert()));
  }

  private Api(Settings settings, SSLContext sslContext) {
    this.settings = settings;
    this.sslContext = sslContext;
  }

  /**
   * A client of the node at {@code server} (its API's base, e.g. {@code http://127.0.0.1:8080}),
   * sending {@code token} (null or blank: none) and trusting {@code trust} for https (null: the
   * JDK's default trust store).
   */
  public static Api of(URI server, String token, SSLContext trust) {
    String t = token == null || token.isBlank() ? null : token.strip();
    return new Api(
        new Settings(Settings.server(server.toString()), t, null, null, false, false), trust);
  }

  /** The node's base URL, e.g. {@code http://127.0.0.1:8080}. */
  public String server() {
    return settings.server().toString();
  }

  /** The full URL of an API path such as {@code /sites} (the {@code /api/v1} prefix is added). */
  URI uri(String path) {
    return URI.create(settings.server() + "/api/v1" + path);
  }

  static String enc(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** GET {@code path}; a JSON answer (null when empty), or a {@link CliError}. */
  public JsonNode get(String path) {
    return json(send("GET", path, null));
  }

  /** {@code method path} with a JSON body (null for none); the JSON answer (null when empty). */
  JsonNode call(String method, String path, JsonNode body) {
    return json(send(method, path, body));
  }

  /** GET {@code path} as text (logs), or a {@link CliError}. */
  String text(String path) {
    Reply r = send("GET", path, null);
    return check(r).body();
  }

  /** {@code method path} with a JSON body; the raw answer, whatever its status. */
  Reply send(String method, String path, JsonNode body) {
    byte[] bytes = body == null ? null : JsonTree.write(body).getBytes(StandardCharsets.UTF_8);
    return exchange(method, path, "application/json", REQUEST_TIMEOUT, bytes, null);
  }

  /** POSTs a tar.gz to {@code /revisions}; the raw answer. */
  Reply upload(Path archive) {
    if (!Files.isReadable(archive)) {
      throw new CliError(ExitCodes.USAGE, "cannot read " + archive);
    }
    return exchange("POST", "/revisions", "application/gzip", UPLOAD_TIMEOUT, null, archive);
  }

  /**
   * Opens the event stream at {@code path} ({@code Accept: text/event-stream}), resumed after
   * {@code lastEventId} when not empty; the body of its 200 answer, to read until the node ends it,
   * or a {@link CliError}. Closing the body ends a read that waits in another thread (the deploy
   * watch reads on a thread of its own and gives up on a silent stream from the caller's); the
   * answer's head is awaited at most {@link #REQUEST_TIMEOUT}, its body for as long as it lasts.
   *
   * @throws InterruptedException when interrupted while waiting for the answer's head
   */
  public InputStream openStream(String path, String lastEventId) throws InterruptedException {
    URI uri = uri(path);
    HttpRequest.Builder request =
        HttpRequest.newBuilder(uri)
            .timeout(REQUEST_TIMEOUT)
            .header("Accept", "text/event-stream")
            .header("User-Agent", "drover-cli")
            .GET();
    if (settings.token() != null) {
      request.header("Authorization", "Bearer " + settings.token());
    }
    if (lastEventId != null && !lastEventId.isEmpty()) {
      request.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<InputStream> answer;
    try {
      answer = streams().send(request.build(), HttpResponse.BodyHandlers.ofInputStream());
    } catch (IOException e) {
      throw unreachable(uri, e);
    }
    if (answer.statusCode() == 200) {
      return answer.body();
    }
    String text;
    try (InputStream in = answer.body()) {
      text = new String(in.readNBytes(MAX_REFUSAL_BYTES), StandardCharsets.UTF_8);
    } catch (IOException e) {
      text = "";
    }
    throw refused(answer.statusCode(), text);
  }

  /**
   * The client of event streams ({@code java.net.http}, HTTP/1.1, the {@code --cacert} trust), made
   * by the first {@link #openStream}: a command that opens none loads none of its classes.
   */
  private synchronized HttpClient streams() {
    if (streams == null) {
      HttpClient.Builder b =
          HttpClient.newBuilder()
              .version(HttpClient.Version.HTTP_1_1)
              .connectTimeout(CONNECT_TIMEOUT);
      if (sslContext != null) {
        b.sslContext(sslContext);
      }
      streams = b.build();
    }
    return streams;
  }

  /** {@code r} when it is a success, else a {@link CliError} with the server's detail. */
  Reply check(Reply r) {
    if (ExitCodes.forStatus(r.status()) == ExitCodes.OK) {
      return r;
    }
    throw refused(r.status(), r.body());
  }

  /**
   * The error of an answer that is not what was asked: 401/403 not authorised (with how to pass a
   * token), else failed with the server's problem detail, worth retrying when it is a 5xx.
   */
  CliError refused(int status, String body) {
    String detail = problem(body);
    if (status == 401 || status == 403) {
      String hint =
          settings.token() == null
              ? "no token given: use --token, DROVER_TOKEN, or run on the node's machine where"
                  + " <data-dir>/admin.token is read"
              : "pass a token whose role allows this with --token or DROVER_TOKEN"
                  + (settings.tokenSource() == null
                      ? ""
                      : " (the one sent is from " + settings.tokenSource() + ")");
      return new CliError(
          ExitCodes.NOT_AUTHORISED,
          "not authorised (" + status + (detail.isEmpty() ? "" : ": " + detail) + "): " + hint);
    }
    return new CliError(
        ExitCodes.FAILED,
        server() + " answered " + status + (detail.isEmpty() ? " without a reason" : ": " + detail),
        status >= 500);
  }

  /**
   * The error of a request to {@code uri} that got no answer: unreachable, worth retrying unless
   * TLS failed (that wants the operator's trust, not time).
   */
  static CliError unreachable(URI uri, IOException e) {
    return new CliError(
        ExitCodes.forFailure(e),
        ExitCodes.unreachableMessage(uri.toString(), e),
        !(e instanceof javax.net.ssl.SSLException));
  }

  /** The problem+json {@code detail} of an error answer, else its body (shortened). */
  static String detail(Reply r) {
    String p = problem(r.body());
    return p.isEmpty() ? "the server answered " + r.status() + " without a reason" : p;
  }

  /**
   * The problem+json {@code detail} (else {@code title}) of an error's body, else the body; on one
   * line without control characters, at most 500 characters; empty for none.
   */
  static String problem(String text) {
    String body = text == null ? "" : text.trim();
    if (body.startsWith("{")) {
      try {
        JsonNode n = JsonTree.read(body);
        if (n.hasNonNull("detail")) {
          return ProgressRender.clean(n.get("detail").asText());
        }
        if (n.hasNonNull("title")) {
          return ProgressRender.clean(n.get("title").asText());
        }
      } catch (JsonProcessingException e) {
        // not JSON after all: show the text
      }
    }
    String t = ProgressRender.clean(body);
    return t.length() > 500 ? t.substring(0, 500) + "..." : t;
  }

  private JsonNode json(Reply r) {
    check(r);
    if (r.body() == null || r.body().isBlank()) {
      return null;
    }
    try {
      return JsonTree.read(r.body());
    } catch (JsonProcessingException e) {
      throw new CliError(ExitCodes.FAILED, "the server's answer is not JSON: " + Api.detail(r));
    }
  }

  static String pretty(JsonNode n) {
    return JsonTree.pretty(n);
  }

  /**
   * One request with a bounded wait: connect {@link #CONNECT_TIMEOUT}, and no read may wait longer
   * than {@code timeout}.
   */
  private Reply exchange(
      String method, String path, String contentType, Duration timeout, byte[] body, Path file) {
    URI uri = uri(path);
    if (file == null && PlainHttp.applies(uri)) {
      try {
        return PlainHttp.exchange(
            uri,
            method,
            settings.token(),
            contentType,
            body,
            (int) CONNECT_TIMEOUT.toMillis(),
            (int) timeout.toMillis());
      } catch (IOException e) {
        throw unreachable(uri, e);
      }
    }
    HttpURLConnection c = null;
    try {
      c = (HttpURLConnection) uri.toURL().openConnection();
      if (c instanceof HttpsURLConnection https && sslContext != null) {
        https.setSSLSocketFactory(sslContext.getSocketFactory());
      }
      c.setConnectTimeout((int) CONNECT_TIMEOUT.toMillis());
      c.setReadTimeout((int) timeout.toMillis());
      c.setInstanceFollowRedirects(false);
      c.setUseCaches(false);
      c.setRequestMethod(method);
      c.setRequestProperty("Accept", "application/json, application/problem+json, text/plain");
      if (settings.token() != null) {
        c.setRequestProperty("Authorization", "Bearer " + settings.token());
      }
      if (body != null || file != null) {
        c.setDoOutput(true);
        c.setRequestProperty("Content-Type", contentType);
        if (file != null) {
          c.setFixedLengthStreamingMode(Files.size(file));
          try (OutputStream o = c.getOutputStream()) {
            Files.copy(file, o);
          }
        } else {
          c.setFixedLengthStreamingMode(body.length);
          try (OutputStream o = c.getOutputStream()) {
            o.write(body);
          }
        }
      }
      int status = c.getResponseCode();
      InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream();
      String text = "";
      if (in != null) {
        try (in) {
          text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
      }
      String type = c.getContentType();
      return new Reply(status, text, type == null ? "" : type);
    } catch (IOException e) {
      throw unreachable(uri, e);
    } finally {
      if (c != null) {
        c.disconnect();
      }
    }
  }

  /** An SSL context that trusts the CA certificates (PEM or DER) in {@code file}. */
  static SSLContext trusting(Path file) {
    try (InputStream in = Files.newInputStream(file)) {
      KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
      ks.load(null, null);
      int i = 0;
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        ks.setCertificateEntry("ca-" + i++, c);
      }
      if (i == 0) {
        throw new CliError(ExitCodes.USAGE, "--cacert " + file + " holds no certificate");
      }
      TrustManagerFactory tmf =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException e) {
      throw new CliError(
          ExitCodes.USAGE, "--cacert " + file + " cannot be read: " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new CliError(
          ExitCodes.USAGE,
          "--cacert " + file + " is not a CA certificate (PEM, e.g. ca.crt): " + e.getMessage());
    }
  }
}
