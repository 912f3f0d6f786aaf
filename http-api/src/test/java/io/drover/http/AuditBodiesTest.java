package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.OptionalLong;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.junit.jupiter.api.Test;

class AuditBodiesTest {

  private static AuditBodies.Fields read(String json) {
    return AuditBodies.read(json.getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void onlyTheReasonAndTheNameAreRead() {
    AuditBodies.Fields f =
        read(
            "{\"token\":\"drv_secret\",\"secretEnv\":{\"K\":\"v\"},\"command\":[\"a\",{\"reason\":"
                + "\"inner\"}],\"name\":\"ci\",\"reason\":\"roll back the bad release\"}");
    assertEquals("roll back the bad release", f.reason());
    assertEquals("ci", f.name());
    assertEquals(new AuditBodies.Fields(null, "d-1"), read("{\"id\":\"d-1\",\"reason\":7}"));
    assertEquals(new AuditBodies.Fields("r", null), read("{\"reason\":\"r\"}"));
  }

  @Test
  void anythingButAJsonObjectHasNoFields() {
    assertEquals(AuditBodies.Fields.NONE, read(""));
    assertEquals(AuditBodies.Fields.NONE, read("[{\"reason\":\"r\"}]"));
    assertEquals(AuditBodies.Fields.NONE, read("reason=r&x=1"));
    assertEquals(AuditBodies.Fields.NONE, read("\"reason\""));
    // broken JSON: what was read before the break
    assertEquals(new AuditBodies.Fields("r", null), read("{\"reason\":\"r\", \"x\": }"));
    assertEquals(AuditBodies.Fields.NONE, AuditBodies.read(null));
  }

  @Test
  void longReasonsAreCut() {
    assertEquals(1000, read("{\"reason\":\"" + "x".repeat(5000) + "\"}").reason().length());
  }

  @Test
  void theBodysReasonWinsOverTheQuerys() {
    assertEquals(
        "body", AuditBodies.reason(new AuditBodies.Fields("body", null), Optional.of("q")));
    assertEquals("q", AuditBodies.reason(AuditBodies.Fields.NONE, Optional.of("q")));
    assertEquals("q", AuditBodies.reason(new AuditBodies.Fields(" ", null), Optional.of("q")));
    assertNull(AuditBodies.reason(AuditBodies.Fields.NONE, Optional.empty()));
    assertNull(AuditBodies.reason(AuditBodies.Fields.NONE, Optional.of("")));
  }

  @Test
  void onlySmallBodiesThatMayBeJsonAreBuffered() {
    OptionalLong small = OptionalLong.of(100);
    assertTrue(AuditBodies.worthReading(MediaTypes.APPLICATION_JSON, small));
    assertTrue(AuditBodies.worthReading(MediaTypes.APPLICATION_X_WWW_FORM_URLENCODED, small));
    assertTrue(AuditBodies.worthReading(MediaTypes.TEXT_PLAIN, small));
    assertTrue(AuditBodies.worthReading(MediaTypes.APPLICATION_JSON, OptionalLong.of(64 * 1024)));
    assertFalse(
        AuditBodies.worthReading(MediaTypes.APPLICATION_JSON, OptionalLong.of(64 * 1024 + 1)));
    assertFalse(AuditBodies.worthReading(MediaTypes.APPLICATION_JSON, OptionalLong.empty()));
    assertFalse(AuditBodies.worthReading(MediaTypes.APPLICATION_JSON, OptionalLong.of(0)));
    assertFalse(
        AuditBodies.worthReading(
            MediaTypes.applicationBinary("gzip", MediaTypes.NOT_COMPRESSIBLE), small));
    assertFalse(AuditBodies.worthReading(MediaTypes.APPLICATION_OCTET_STREAM, small));
  }
}
