package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.event.Logging;
import org.junit.jupiter.api.Test;

class JoinTroubleTest {

  private static final String PKIX =
      "SSLHandshakeException: PKIX path validation failed:"
          + " java.security.cert.CertPathValidatorException: signature check failed";

  @Test
  void theTlsErrorIsTakenFromPekkosConnectionWarnings() {
    assertEquals(
        Optional.of(PKIX),
        JoinTrouble.tlsError(
            "[outbound connection to [pekko://drover@127.0.0.1:12761], message stream] Upstream"
                + " failed, cause: "
                + PKIX));
    assertEquals(
        Optional.of(PKIX),
        JoinTrouble.tlsError(
            "Outbound message stream to [pekko://drover@127.0.0.1:12761] failed. Restarting it."
                + " javax.net.ssl."
                + PKIX));
    assertEquals(
        Optional.of("SSLException: Received fatal alert: certificate_unknown"),
        JoinTrouble.tlsError(
            "cause: javax.net.ssl.SSLException: Received fatal alert: certificate_unknown\n\tat x"));
  }

  @Test
  void otherWarningsAreNoTlsError() {
    assertEquals(
        Optional.empty(),
        JoinTrouble.tlsError(
            "Upstream failed, cause: StreamTcpException: Tcp command [Connect(127.0.0.1:12751)]"
                + " failed because of java.net.ConnectException: Connection refused"));
    assertEquals(
        Optional.empty(),
        JoinTrouble.tlsError(
            "Couldn't join seed nodes after [2] attempts, will try again. seed-nodes=[...]"));
    assertEquals(Optional.empty(), JoinTrouble.tlsError(null));
  }

  @Test
  void aLongErrorIsCut() {
    String error = JoinTrouble.tlsError("SSLHandshakeException: " + "x".repeat(1000)).orElseThrow();
    assertEquals(JoinTrouble.MAX_ERROR_CHARS + 3, error.length());
    assertTrue(error.endsWith("..."));
  }

  @Test
  void theTimeoutNamesTheTlsErrorOrWhatToCheck() {
    String tls =
        JoinTrouble.notUp(Duration.ofMinutes(2), ClusterSettings.Mode.SEEDS, Optional.of(PKIX));
    assertEquals(
        "could not join the cluster within 2m: TLS handshakes with the other nodes failed (last: "
            + PKIX
            + "); is this node's certificate (--tls-dir) from the same cluster CA as theirs?",
        tls);
    assertEquals(
        "could not join the cluster within 30s: are the --join nodes running and reachable?",
        JoinTrouble.notUp(Duration.ofSeconds(30), ClusterSettings.Mode.SEEDS, Optional.empty()));
    assertTrue(
        JoinTrouble.notUp(Duration.ofSeconds(30), ClusterSettings.Mode.DISCOVERY, Optional.empty())
            .endsWith("contact points up and reachable?"));
  }

  @Test
  void theRecorderKeepsTheLastTlsErrorLogged() {
    ActorTestKit kit = ActorTestKit.create("JoinTroubleTest");
    try {
      JoinTrouble.Recorder recorder = JoinTrouble.Recorder.start(kit.system());
      org.apache.pekko.event.LoggingAdapter log =
          Logging.getLogger(kit.system().classicSystem(), "JoinTroubleTest");
      kit.createTestProbe()
          .awaitAssert(
              Duration.ofSeconds(10),
              () -> {
                log.warning("Upstream failed, cause: {}", PKIX);
                log.warning("Couldn't join seed nodes after [2] attempts, will try again.");
                assertEquals(Optional.of(PKIX), recorder.lastTlsError());
                return null;
              });
      recorder.stop();
    } finally {
      kit.shutdownTestKit();
    }
  }
}
