package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.http.auth.Caller;
import io.drover.http.auth.Credentials;
import io.drover.http.auth.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The dashboard's files are served from the jar without a token, with a content security policy
 * that forbids inline scripts (and the files have none); {@code GET /api/v1/whoami} names the
 * caller and refuses node credentials.
 */
class DashboardRoutesTest {

  private static final Map<String, Caller> TOKENS =
      Map.of(
          "viewer-token-0123456789", new Caller("ci-viewer", Role.VIEWER),
          "deployer-token-0123456789", new Caller("ci-deployer", Role.DEPLOYER),
          "node-token-0123456789", new Caller("node:other-host", Role.ADMIN));
  private static final Credentials FIXED = t -> Optional.ofNullable(TOKENS.get(t));

  @TempDir Path tmp;
  private TestNode node;
  private final HttpClient client =
      HttpClient.newBuilder()
          .connectTimeout(Duration.ofSeconds(5))
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private HttpResponse<String> get(String path, String token) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.httpPort + path))
            .timeout(Duration.ofSeconds(30));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return client.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse("");
  }

  @Test
  void servesTheDashboardWithoutATokenAndNamesTheCaller() throws Exception {
    node = TestNode.start(tmp.resolve("node"), Map.of(), FIXED);

    HttpResponse<String> bare = get("/ui", null);
    assertEquals(301, bare.statusCode(), bare.body());
    assertEquals("/ui/", header(bare, "Location"));

    HttpResponse<String> index = get("/ui/", null);
    assertEquals(200, index.statusCode(), index.body());
    assertTrue(
        header(index, "Content-Type").startsWith("text/html"), header(index, "Content-Type"));
    assertTrue(
        header(index, "Content-Security-Policy").startsWith("default-src 'self'"),
        header(index, "Content-Security-Policy"));
    assertEquals("no-cache", header(index, "Cache-Control"));
    assertEquals("nosniff", header(index, "X-Content-Type-Options"));
    assertTrue(index.body().contains("id=\"token\""), "the login form");
    assertTrue(index.body().contains("src=\"app.js\""), "the script is a file");
    assertFalse(
        Pattern.compile("<script(?![^>]*\\bsrc=)[^>]*>").matcher(index.body()).find(),
        "no inline script");
    assertFalse(
        Pattern.compile("\\son[a-z]+=|\\sstyle=").matcher(index.body()).find(),
        "no inline handlers or styles (the policy would block them)");

    java.util.regex.Matcher scripts =
        Pattern.compile("<script src=\"([a-z]+\\.js)\"").matcher(index.body());
    StringBuilder allJs = new StringBuilder();
    while (scripts.find()) {
      HttpResponse<String> js = get("/ui/" + scripts.group(1), null);
      assertEquals(200, js.statusCode(), scripts.group(1));
      assertTrue(header(js, "Content-Type").contains("javascript"), header(js, "Content-Type"));
      allJs.append(js.body());
    }
    assertTrue(allJs.toString().contains("openStream"), "every part of the page is served");
    assertTrue(allJs.toString().contains("Authorization"), "the page sends the token as a header");
    assertFalse(allJs.toString().contains("document.cookie"), "never a cookie");
    assertFalse(allJs.toString().contains("localStorage"), "session storage only");
    HttpResponse<String> css = get("/ui/app.css", null);
    assertEquals(200, css.statusCode());
    assertTrue(header(css, "Content-Type").startsWith("text/css"), header(css, "Content-Type"));
    assertEquals(
        "default-src 'self'; frame-ancestors 'none'", header(css, "Content-Security-Policy"));

    HttpResponse<String> missing = get("/ui/nope.js", null);
    assertEquals(404, missing.statusCode());
    assertTrue(header(missing, "Content-Type").startsWith("application/problem+json"));
    HttpResponse<String> escape = get("/ui/..%2Fapplication.conf", null);
    assertFalse(escape.body().contains("drover"), "no way out of ui/: " + escape.body());
    assertEquals(401, get("/uix", null).statusCode(), "only /ui itself is open");
    assertEquals(401, get("/api/v1/sites", null).statusCode(), "the API is not");

    HttpResponse<String> anonymous = get("/api/v1/whoami", null);
    assertEquals(401, anonymous.statusCode());
    JsonNode admin = Json.MAPPER.readTree(get("/api/v1/whoami", node.adminToken).body());
    assertEquals("admin", admin.path("name").asText(), admin.toString());
    assertEquals("admin", admin.path("role").asText(), admin.toString());
    HttpResponse<String> viewer = get("/api/v1/whoami", "viewer-token-0123456789");
    assertEquals(200, viewer.statusCode(), viewer.body());
    assertEquals(
        Json.MAPPER.readTree("{\"name\":\"ci-viewer\",\"role\":\"viewer\"}"),
        Json.MAPPER.readTree(viewer.body()));
    JsonNode deployer =
        Json.MAPPER.readTree(get("/api/v1/whoami", "deployer-token-0123456789").body());
    assertEquals("deployer", deployer.path("role").asText(), deployer.toString());
    HttpResponse<String> nodeCredential = get("/api/v1/whoami", "node-token-0123456789");
    assertEquals(403, nodeCredential.statusCode(), nodeCredential.body());
    assertTrue(nodeCredential.body().contains("node credential"), nodeCredential.body());
  }
}
