package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.actors.agent.RunOrder;
import io.drover.actors.cron.CronSpec;
import io.drover.actors.cron.CronView;
import io.drover.actors.site.SiteSpec;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Every JSON the API writes masks secret values and keeps their keys; PUT bodies read them. */
class SecretMasksTest {

  private static final String REV = "ab".repeat(32);
  private static final String SECRET = "hunter2-secret";

  private static String json(Object value) {
    return new String(Json.bytes(value), StandardCharsets.UTF_8);
  }

  @Test
  void aSiteSpecIsWrittenMaskedAndReadInTheClear() throws Exception {
    String body =
        "{\"revision\":\""
            + REV
            + "\",\"command\":[\"run\"],\"instances\":2,\"env\":{\"A\":\"1\"},"
            + "\"secretEnv\":{\"KEY\":\""
            + SECRET
            + "\"},\"user\":\"web\"}";
    SiteSpec spec = Json.read(body, SiteSpec.class);
    assertEquals(Map.of("KEY", SECRET), spec.secretEnv(), "a PUT body keeps the value");
    assertEquals("web", spec.user());

    String out = json(spec);
    assertFalse(out.contains(SECRET), out);
    JsonNode tree = Json.MAPPER.readTree(out);
    assertEquals("***", tree.get("secretEnv").get("KEY").asText());
    assertEquals("1", tree.get("env").get("A").asText(), "env stays visible");
    assertEquals("web", tree.get("user").asText());
  }

  @Test
  void specsNestedInViewsCronjobsAndRunOrdersAreMaskedToo() {
    SiteSpec site =
        new SiteSpec(
            REV,
            List.of("run"),
            2,
            "p",
            Map.of(),
            null,
            null,
            null,
            null,
            Map.of("K", SECRET),
            null);
    String nested = json(Map.of("site", Map.of("spec", site), "list", List.of(site)));
    assertFalse(nested.contains(SECRET), nested);
    assertTrue(nested.contains("\"K\":\"***\""), nested);

    CronSpec job =
        new CronSpec(
            "@every 1m",
            "UTC",
            REV,
            List.of("run"),
            Map.of(),
            "p",
            "1m",
            "forbid",
            "60s",
            "latest",
            0,
            false,
            Map.of("K", SECRET),
            null);
    String view = json(new CronView("nightly", job, List.of(), List.of(), 0, List.of(), 0));
    assertFalse(view.contains(SECRET), view);
    assertTrue(view.contains("\"K\":\"***\""), view);

    RunOrder order =
        new RunOrder(
            "r1", "nightly", "t", REV, List.of("run"), Map.of(), "1m", Map.of("K", SECRET), null);
    assertFalse(json(order).contains(SECRET));
  }

  @Test
  void noSecretsNoField() {
    SiteSpec site = new SiteSpec(REV, List.of("run"), 2, "p", Map.of(), null, null);
    assertFalse(json(site).contains("secretEnv"), json(site));
  }
}
