package io.drover.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** What counts as a bearer token in an Authorization header. */
class AuthenticationTest {

  @Test
  void bearerTakesOneTokenOfBoundedLength() {
    assertEquals(Optional.of("drv_abc"), Authentication.bearer("Bearer drv_abc"));
    assertEquals(Optional.of("drv_abc"), Authentication.bearer("bearer drv_abc"));
    assertEquals(Optional.of("drv_abc"), Authentication.bearer("BEARER   drv_abc "));
    assertEquals(Optional.empty(), Authentication.bearer("Bearer"));
    assertEquals(Optional.empty(), Authentication.bearer("Bearer "));
    assertEquals(Optional.empty(), Authentication.bearer("Basic YWRtaW46YWRtaW4="));
    assertEquals(Optional.empty(), Authentication.bearer("Bearerdrv_abc"));
    assertEquals(Optional.empty(), Authentication.bearer("Bearer a b"));
    assertEquals(Optional.empty(), Authentication.bearer(""));
    assertEquals(
        Optional.empty(),
        Authentication.bearer("Bearer " + "x".repeat(1 + Authentication.MAX_TOKEN_CHARS)));
    assertEquals(
        Optional.of("x".repeat(Authentication.MAX_TOKEN_CHARS)),
        Authentication.bearer("Bearer " + "x".repeat(Authentication.MAX_TOKEN_CHARS)));
  }

  @Test
  void theRefusalNamesTheSchemeAndRealm() {
    var r = Authentication.unauthorized("no");
    assertEquals(401, r.status().intValue());
    assertEquals("Bearer realm=\"drover\"", r.getHeader("WWW-Authenticate").orElseThrow().value());
  }
}
