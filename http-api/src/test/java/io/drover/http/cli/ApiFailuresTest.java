package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.URI;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

/** The one wording of a failed request, for the CLI's commands and its deploy watch alike. */
class ApiFailuresTest {

  private static Api api(String token, String tokenSource) {
    return new Api(
        new Settings(URI.create("http://h1:8080"), token, tokenSource, null, false, false));
  }

  @Test
  void aRefusalHasItsExitCodeTheServersDetailAndWhetherToRetry() {
    CliError denied =
        api("t", "DROVER_TOKEN").refused(401, "{\"status\":401,\"detail\":\"unknown token\"}");
    assertEquals(ExitCodes.NOT_AUTHORISED, denied.exitCode);
    assertFalse(denied.retryable);
    assertTrue(
        denied.getMessage().startsWith("not authorised (401: unknown token): pass a token"),
        denied.getMessage());
    assertTrue(denied.getMessage().contains("from DROVER_TOKEN"), denied.getMessage());
    CliError none = api(null, "none").refused(403, "");
    assertTrue(
        none.getMessage().startsWith("not authorised (403): no token given"), none.getMessage());

    CliError unknown =
        api("t", "--token")
            .refused(404, "{\"title\":\"Not Found\",\"detail\":\"site x does not exist\"}");
    assertEquals(ExitCodes.FAILED, unknown.exitCode);
    assertFalse(unknown.retryable);
    assertEquals("http://h1:8080 answered 404: site x does not exist", unknown.getMessage());

    CliError failing = api("t", "--token").refused(503, "no leader\r\n\tyet\u001b[2J");
    assertEquals(ExitCodes.FAILED, failing.exitCode, "a command says the operation failed");
    assertTrue(failing.retryable, "a watch tries again");
    assertEquals("http://h1:8080 answered 503: no leader | yet [2J", failing.getMessage());
    assertEquals(
        "http://h1:8080 answered 502 without a reason",
        api("t", "--token").refused(502, " ").getMessage());
  }

  @Test
  void noAnswerIsUnreachableAndWorthRetryingUnlessTlsFailed() {
    URI u = URI.create("https://h1:8443/api/v1/deploys/d-1");
    CliError refused = Api.unreachable(u, new ConnectException("Connection refused"));
    assertEquals(ExitCodes.UNREACHABLE, refused.exitCode);
    assertTrue(refused.retryable);
    assertTrue(
        refused
            .getMessage()
            .startsWith(
                "cannot reach https://h1:8443: connection refused"
                    + " (https://h1:8443/api/v1/deploys/d-1)"),
        refused.getMessage());
    CliError tls = Api.unreachable(u, new SSLHandshakeException("PKIX path building failed"));
    assertEquals(ExitCodes.UNREACHABLE, tls.exitCode);
    assertFalse(tls.retryable, "an untrusted certificate wants --cacert, not time");
    assertTrue(
        tls.getMessage().startsWith("TLS with https://h1:8443 failed: PKIX path building failed"),
        tls.getMessage());
    assertTrue(tls.getMessage().contains("--cacert"), tls.getMessage());
  }

  @Test
  void aClientForAServerTakesItsBaseAndNoBlankToken() {
    Api a = Api.of(URI.create("http://127.0.0.1:8080/"), "  ", null);
    assertEquals("http://127.0.0.1:8080", a.server());
    assertNull(a.settings.token());
    assertEquals(URI.create("http://127.0.0.1:8080/api/v1/deploys/d"), a.uri("/deploys/d"));
    assertEquals("t0k", Api.of(URI.create("https://h1"), " t0k\n", null).settings.token());
  }
}
