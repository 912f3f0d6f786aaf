package io.drover.chaos.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Requests without a valid token: how they are made, sent, and judged. */
class AuthMutationTest {

  private static final FuzzRequest GET_SITES =
      new FuzzRequest(
          "sites.list",
          "GET",
          "/api/v1/sites",
          List.of(new FuzzRequest.Header("Authorization", "Bearer old")),
          new byte[0]);

  @Test
  void everyMutationHasOneAuthorizationHeaderAndMustBeRefused() {
    Random rnd = new Random(1);
    for (int i = 0; i < 200; i++) {
      FuzzRequest m = AuthMutation.apply(GET_SITES, rnd);
      assertEquals(
          1,
          m.headers().stream().filter(h -> h.name().equalsIgnoreCase("Authorization")).count(),
          m.describe());
      assertTrue(AuthMutation.withoutValidToken(m));
      assertNotNull(m.mustRefuse());
      assertTrue(!m.note().isEmpty(), "the report says what was done");
    }
  }

  @Test
  void only401IsRightForAPlainRequestAndHealthIsPublic() {
    assertNull(AuthMutation.wrongAnswer(GET_SITES, 401));
    assertNotNull(AuthMutation.wrongAnswer(GET_SITES, 200));
    assertNotNull(AuthMutation.wrongAnswer(GET_SITES, 403));
    assertNotNull(AuthMutation.wrongAnswer(GET_SITES, 404));
    assertNotNull(AuthMutation.wrongAnswer(GET_SITES, 400), "a plain request reaches the API");
    FuzzRequest health =
        new FuzzRequest("health", "GET", "/api/v1/health", GET_SITES.headers(), new byte[0]);
    assertNull(AuthMutation.wrongAnswer(health, 200));
    FuzzRequest malformed =
        new FuzzRequest("raw", "GET", "/api/v1/sites/a b", GET_SITES.headers(), new byte[0]);
    assertNull(AuthMutation.wrongAnswer(malformed, 400), "the parser may refuse it first");
    assertNotNull(AuthMutation.wrongAnswer(malformed, 200));
    FuzzRequest headWithBody =
        new FuzzRequest("k", "HEAD", "/api/v1/sites", GET_SITES.headers(), new byte[] {'x'});
    assertNull(AuthMutation.wrongAnswer(headWithBody, 422), "the parser refuses it first");
    assertTrue(AuthMutation.plainTarget("/api/v1/sites/web?tail=5&x=%2F"));
    assertTrue(!AuthMutation.plainTarget("/a%zz") && !AuthMutation.plainTarget("/a%2"));
    assertTrue(!AuthMutation.plainTarget("/" + "a".repeat(100_000)), "long: no stack overflow");
  }

  @Test
  void theClientSendsItsTokenUnlessTheRequestHasItsOwnAndAnEmptyOneDropsIt() throws Exception {
    assertTrue(
        head(new FuzzRequest("k", "GET", "/x", List.of(), new byte[0]))
            .contains("Authorization: Bearer tok\r\n"));
    String own = head(GET_SITES);
    assertTrue(own.contains("Authorization: Bearer old\r\n") && !own.contains("tok"), own);
    String dropped =
        head(
            new FuzzRequest(
                "k",
                "GET",
                "/x",
                List.of(new FuzzRequest.Header("Authorization", "")),
                new byte[0]));
    assertTrue(!dropped.toLowerCase().contains("authorization"), dropped);
  }

  /** What {@link RawHttp} with token {@code tok} writes for {@code r}. */
  private static String head(FuzzRequest r) throws Exception {
    try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      CompletableFuture<String> got =
          CompletableFuture.supplyAsync(
              () -> {
                try (Socket s = server.accept()) {
                  InputStream in = s.getInputStream();
                  ByteArrayOutputStream b = new ByteArrayOutputStream();
                  while (!b.toString(StandardCharsets.ISO_8859_1).contains("\r\n\r\n")) {
                    int c = in.read();
                    if (c < 0) {
                      break;
                    }
                    b.write(c);
                  }
                  s.getOutputStream()
                      .write(
                          "HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\n"
                              .getBytes(StandardCharsets.ISO_8859_1));
                  return b.toString(StandardCharsets.ISO_8859_1);
                } catch (Exception e) {
                  throw new IllegalStateException(e);
                }
              });
      new RawHttp("127.0.0.1", server.getLocalPort(), Duration.ofSeconds(10), "tok").send(r);
      return got.get(10, TimeUnit.SECONDS);
    }
  }
}
