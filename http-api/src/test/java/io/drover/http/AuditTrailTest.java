package io.drover.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.drover.actors.audit.AuditDay;
import io.drover.actors.audit.AuditLog;
import io.drover.actors.audit.AuditSettings;
import io.drover.http.auth.Caller;
import io.drover.http.auth.Role;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/**
 * The audit directive against a probe in place of the day entities: the record is written before
 * the response is sent, with the status the client gets; a failed write is logged in full and the
 * response still sent.
 */
class AuditTrailTest extends AllDirectives {

  private static final ActorTestKit testKit = ActorTestKit.create("AuditTrailTest");
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");
  private static final Caller CALLER = new Caller("ci", Role.DEPLOYER);

  private final HttpClient client =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
  private TestProbe<AuditDay.Command> days;
  private ServerBinding binding;
  private int port;
  private ListAppender<ILoggingEvent> logs;
  private ch.qos.logback.classic.Logger logger;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() throws Exception {
    days = testKit.createTestProbe();
    AuditLog trail =
        new AuditLog(
            day -> days.ref(),
            new AuditSettings(Duration.ofDays(90), 100, Duration.ofMillis(500)),
            testKit.system().scheduler(),
            Clock.fixed(NOW, ZoneOffset.UTC));
    AuditTrail audit =
        new AuditTrail(
            trail, "h1", ApiErrors.exceptions(Duration.ofSeconds(1)), ApiErrors.rejections());
    Route inner =
        concat(
            path("ok", () -> post(() -> complete(StatusCodes.CREATED, "made"))),
            path("read", () -> get(() -> complete("read"))),
            path(
                segment("api").slash("v1").slash("tokens"),
                () ->
                    post(
                        () ->
                            complete(
                                Json.response(
                                    StatusCodes.CREATED,
                                    java.util.Map.of("name", "ci", "token", "drv_secret"))))),
            path(
                "boom",
                () ->
                    post(
                        () -> {
                          throw new IllegalStateException("boom");
                        })),
            path(
                "echo",
                () ->
                    put(
                        () ->
                            entity(
                                org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller
                                    .entityToString(),
                                body -> complete(body)))));
    port = TestNode.freePort();
    binding =
        Http.get(testKit.system())
            .newServerAt("127.0.0.1", port)
            .bind(audit.audited(CALLER, () -> inner))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    logger = (ch.qos.logback.classic.Logger) LoggerFactory.getLogger(AuditTrail.class);
    logs = new ListAppender<>();
    logs.start();
    logger.addAppender(logs);
  }

  @AfterEach
  void tearDown() throws Exception {
    logger.detachAppender(logs);
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private CompletableFuture<HttpResponse<String>> send(String method, String path, String body) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .timeout(Duration.ofSeconds(30));
    if (body == null) {
      b.method(method, HttpRequest.BodyPublishers.noBody());
    } else {
      b.header("Content-Type", "application/json")
          .method(method, HttpRequest.BodyPublishers.ofString(body));
    }
    return client.sendAsync(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private AuditDay.Append expectAppend() {
    return days.expectMessageClass(AuditDay.Append.class, Duration.ofSeconds(10));
  }

  @Test
  void theRecordIsWrittenBeforeTheResponseIsSent() throws Exception {
    CompletableFuture<HttpResponse<String>> response = send("POST", "/ok?reason=why", null);
    AuditDay.Append append = expectAppend();
    assertEquals(201, append.record().status());
    assertEquals("ok", append.record().outcome());
    assertEquals("why", append.record().reason());
    assertEquals("ci", append.record().caller());
    assertEquals("deployer", append.record().role());
    assertEquals(NOW, append.record().time());
    assertEquals("h1", append.record().node());
    // not answered while the record is not written
    TimeUnit.MILLISECONDS.sleep(200);
    assertFalse(response.isDone());
    append.replyTo().tell(AuditDay.Appended.KEPT);
    assertEquals(201, response.get(10, TimeUnit.SECONDS).statusCode());
    assertTrue(logs.list.isEmpty(), logs.list.toString());
  }

  @Test
  void aFailedWriteIsLoggedInFullAndTheResponseStillSent() throws Exception {
    CompletableFuture<HttpResponse<String>> response =
        send("POST", "/ok", "{\"reason\":\"hotfix\",\"token\":\"drv_secret\"}");
    expectAppend(); // never answered: the write times out
    HttpResponse<String> r = response.get(10, TimeUnit.SECONDS);
    assertEquals(201, r.statusCode());
    assertEquals("made", r.body());
    assertEquals(1, logs.list.size());
    ILoggingEvent e = logs.list.get(0);
    assertEquals(Level.ERROR, e.getLevel());
    String line = e.getFormattedMessage();
    assertTrue(line.contains("NOT written") && line.contains("hotfix"), line);
    assertTrue(line.contains("caller=ci") && line.contains("status=201"), line);
    assertFalse(line.contains("drv_secret"), line);
  }

  @Test
  void overTheDaysCapTheRecordIsLoggedAtWarn() throws Exception {
    CompletableFuture<HttpResponse<String>> response = send("POST", "/ok", null);
    expectAppend().replyTo().tell(AuditDay.Appended.FULL);
    assertEquals(201, response.get(10, TimeUnit.SECONDS).statusCode());
    assertEquals(Level.WARN, logs.list.get(0).getLevel());
    assertTrue(logs.list.get(0).getFormattedMessage().contains("full"));
  }

  @Test
  void aPostToACollectionIsTargetedAtWhatItCreated() throws Exception {
    CompletableFuture<HttpResponse<String>> created =
        send("POST", "/api/v1/tokens", "{\"role\":\"admin\",\"name\":\"other\"}");
    AuditDay.Append a = expectAppend();
    a.replyTo().tell(AuditDay.Appended.KEPT);
    assertEquals(201, created.get(10, TimeUnit.SECONDS).statusCode());
    assertEquals("token ci", a.record().target());
    assertFalse(a.record().toString().contains("drv_secret"));
  }

  @Test
  void rejectionsAndFailuresAreRecordedWithTheStatusTheClientGets() throws Exception {
    CompletableFuture<HttpResponse<String>> missing = send("DELETE", "/nothing-here", null);
    AuditDay.Append a = expectAppend();
    a.replyTo().tell(AuditDay.Appended.KEPT);
    assertEquals(404, missing.get(10, TimeUnit.SECONDS).statusCode());
    assertEquals(404, a.record().status());
    assertEquals("refused", a.record().outcome());

    CompletableFuture<HttpResponse<String>> wrongMethod = send("POST", "/read", null);
    a = expectAppend();
    a.replyTo().tell(AuditDay.Appended.KEPT);
    assertEquals(405, wrongMethod.get(10, TimeUnit.SECONDS).statusCode());
    assertEquals(405, a.record().status());

    CompletableFuture<HttpResponse<String>> boom = send("POST", "/boom", null);
    a = expectAppend();
    a.replyTo().tell(AuditDay.Appended.KEPT);
    assertEquals(500, boom.get(10, TimeUnit.SECONDS).statusCode());
    assertEquals(500, a.record().status());
    assertEquals("failed", a.record().outcome());
  }

  @Test
  void readsAreNotRecordedAndABufferedBodyStillReachesTheRoute() throws Exception {
    assertEquals(200, send("GET", "/read", null).get(10, TimeUnit.SECONDS).statusCode());
    days.expectNoMessage(Duration.ofMillis(200));

    String body = "{\"reason\":\"tidy\",\"x\":[1,2,3]}";
    CompletableFuture<HttpResponse<String>> echo = send("PUT", "/echo", body);
    AuditDay.Append a = expectAppend();
    a.replyTo().tell(AuditDay.Appended.KEPT);
    assertEquals(body, echo.get(10, TimeUnit.SECONDS).body());
    assertEquals("tidy", a.record().reason());
    assertEquals("echo", a.record().target());
  }
}
