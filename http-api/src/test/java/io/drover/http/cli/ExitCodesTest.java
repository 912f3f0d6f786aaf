package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.ConnectException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.Test;

class ExitCodesTest {

  @Test
  void statusesMapToTheContract() {
    assertEquals(0, ExitCodes.forStatus(200));
    assertEquals(0, ExitCodes.forStatus(201));
    assertEquals(0, ExitCodes.forStatus(204));
    assertEquals(4, ExitCodes.forStatus(401));
    assertEquals(4, ExitCodes.forStatus(403));
    assertEquals(1, ExitCodes.forStatus(400));
    assertEquals(1, ExitCodes.forStatus(404));
    assertEquals(1, ExitCodes.forStatus(409));
    assertEquals(1, ExitCodes.forStatus(503));
  }

  @Test
  void noAnswerIsUnreachableAndTheMessageNamesTheUrl() {
    assertEquals(3, ExitCodes.forFailure(new ConnectException()));
    assertEquals(3, ExitCodes.forFailure(new HttpConnectTimeoutException("t")));
    assertEquals(3, ExitCodes.forFailure(new HttpTimeoutException("t")));
    assertEquals(3, ExitCodes.forFailure(new SSLHandshakeException("bad cert")));
    assertEquals(1, ExitCodes.forFailure(new IllegalStateException()));
    String m = ExitCodes.unreachableMessage("http://h1:8080/api/v1/sites", new ConnectException());
    assertTrue(m.contains("http://h1:8080/api/v1/sites") && m.contains("refused"), m);
    String tls = ExitCodes.unreachableMessage("https://h1", new SSLHandshakeException("PKIX"));
    assertTrue(tls.contains("--cacert"), tls);
  }

  @Test
  void theProblemDetailIsWhatTheOperatorSees() {
    Api.Reply problem =
        new Api.Reply(
            404,
            "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"site x does not exist\"}",
            "application/problem+json");
    assertEquals("site x does not exist", Api.detail(problem));
    assertEquals("plain text", Api.detail(new Api.Reply(500, "plain text", "text/plain")));
    assertTrue(Api.detail(new Api.Reply(502, "", "")).contains("502"));
  }
}
