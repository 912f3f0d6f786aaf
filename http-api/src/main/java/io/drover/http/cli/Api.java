package io.drover.http.cli;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URI;
import java.net.URLEncoder;
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
 * A small client of a node's HTTP API on the JDK alone (no Pekko): {@link PlainHttp} for requests
 * to an http node, {@link HttpURLConnection} for https and uploads, {@code java.net.http} for event
 * streams; bounded timeouts (connect 5 s, no read waits over 30 s, uploads 10 min, streams
 * unbounded once connected), the bearer token on every request, and errors as {@link CliError} with
 * the exit code of {@link ExitCodes} and the server's problem detail. JSON goes through {@link
 * JsonTree} (no {@code ObjectMapper}: it costs a short-lived JVM more than the request).
 */
final class Api {

  static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(5);
  static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(30);

  /** Uploads may carry up to 256 MiB: they get longer, still bounded. */
  static final Duration UPLOAD_TIMEOUT = Duration.ofMinutes(10);

  /** An answer: status, body and content type. */
  record Reply(int status, String body, String contentType) {}

  final Settings settings;
  final SSLContext sslContext;

  Api(Settings settings) {
    this.settings = settings;
    this.sslContext = settings.cacert() == null ? null : trusting(settings.cacert());
  }

  /** The full URL of an API path such as {@code /sites} (the {@code /api/v1} prefix is added). */
  URI uri(String path) {
    return URI.create(settings.server() + "/api/v1" + path);
  }

  static String enc(String segment) {
    return URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20");
  }

  /** GET {@code path}; a JSON answer, or a {@link CliError}. */
  JsonNode get(String path) {
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

  /** {@code r} when it is a success, else a {@link CliError} with the server's detail. */
  Reply check(Reply r) {
    int code = ExitCodes.forStatus(r.status());
    if (code == ExitCodes.OK) {
      return r;
    }
    String detail = detail(r);
    if (code == ExitCodes.NOT_AUTHORISED) {
      String hint =
          settings.token() == null
              ? "no token given: use --token, DROVER_TOKEN, or run on the node's machine where"
                  + " <data-dir>/admin.token is read"
              : "token from " + settings.tokenSource();
      throw new CliError(
          code, "not authorised (HTTP " + r.status() + "): " + detail + " [" + hint + "]");
    }
    throw new CliError(code, detail + " (HTTP " + r.status() + ")");
  }

  /** The problem+json {@code detail} of an error answer, else its body (shortened). */
  static String detail(Reply r) {
    String body = r.body() == null ? "" : r.body().trim();
    if (body.startsWith("{")) {
      try {
        JsonNode n = JsonTree.read(body);
        if (n.hasNonNull("detail")) {
          return n.get("detail").asText();
        }
        if (n.hasNonNull("title")) {
          return n.get("title").asText();
        }
      } catch (JsonProcessingException e) {
        // not JSON after all: show the text
      }
    }
    if (body.isEmpty()) {
      return "the server answered " + r.status() + " without a reason";
    }
    return body.length() > 500 ? body.substring(0, 500) + "..." : body;
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
        throw new CliError(
            ExitCodes.forFailure(e), ExitCodes.unreachableMessage(uri.toString(), e));
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
      throw new CliError(ExitCodes.forFailure(e), ExitCodes.unreachableMessage(uri.toString(), e));
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
