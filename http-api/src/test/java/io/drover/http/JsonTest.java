package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.site.SiteSpec;
import org.junit.jupiter.api.Test;

/** Request bodies that cannot be read get an error that names what to fix. */
class JsonTest {

  @Test
  void unknownFieldIsNamedWithTheKnownOnes() {
    Json.BadBody e =
        assertThrows(
            Json.BadBody.class,
            () -> Json.read("{\"instnces\": 2, \"command\": [\"x\"]}", SiteSpec.class));
    assertTrue(e.getMessage().contains("unknown field 'instnces'"), e.getMessage());
    assertTrue(e.getMessage().contains("instances"), e.getMessage());
  }

  @Test
  void wrongTypeNamesTheField() {
    Json.BadBody e =
        assertThrows(
            Json.BadBody.class, () -> Json.read("{\"instances\": \"two\"}", SiteSpec.class));
    assertTrue(e.getMessage().contains("instances"), e.getMessage());
  }

  @Test
  void brokenAndEmptyBodies() {
    assertTrue(
        assertThrows(Json.BadBody.class, () -> Json.read("{\"revision\": ", SiteSpec.class))
            .getMessage()
            .contains("not valid JSON"));
    assertTrue(
        assertThrows(Json.BadBody.class, () -> Json.read("  ", SiteSpec.class))
            .getMessage()
            .contains("empty"));
    assertTrue(
        assertThrows(Json.BadBody.class, () -> Json.read("{} {}", SiteSpec.class))
            .getMessage()
            .toLowerCase(java.util.Locale.ROOT)
            .contains("trailing"));
  }

  @Test
  void missingCountReadsAsZeroForValidationToRefuse() throws Exception {
    assertEquals(0, Json.read("{\"command\": [\"x\"]}", SiteSpec.class).instances());
  }
}
