package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A node with {@code drover.simulated.hosts = 20} shows them as hosts, labelled simulated. */
class SimulatedHostsApiTest {

  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path tmp;
  private TestNode node;

  @BeforeEach
  void start() throws Exception {
    node = TestNode.start(tmp.resolve("node"), Map.of("drover.simulated.hosts", 20));
  }

  @AfterEach
  void stop() throws Exception {
    node.close();
  }

  @Test
  void twentySimulatedHostsAreListedWithTheDriverLabelAndRegistered() throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    List<JsonNode> simulated = List.of();
    String last = "";
    while (System.nanoTime() < deadline) {
      TestNode.Reply r = node.call("GET", "/api/v1/hosts", null);
      assertEquals(200, r.status(), r.body());
      last = r.body();
      simulated = new ArrayList<>();
      for (JsonNode h : JSON.readTree(r.body())) {
        if ("simulated".equals(h.path("labels").path("drover.io/driver").asText())) {
          simulated.add(h);
        }
      }
      if (simulated.size() == 20 && simulated.stream().allMatch(h -> h.hasNonNull("address"))) {
        break;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    assertEquals(20, simulated.size(), last);
    assertEquals("test-host-sim-0000", simulated.get(0).get("name").asText());
    assertEquals("sim-0", simulated.get(0).get("pool").asText());
    assertEquals("test-host-sim-0019", simulated.get(19).get("name").asText());
    assertEquals("sim-3", simulated.get(19).get("pool").asText());
    assertTrue(simulated.stream().allMatch(h -> h.hasNonNull("address")), last);
    assertTrue(simulated.stream().allMatch(h -> h.get("reachable").asBoolean()), last);
    assertTrue(last.contains("\"test-host\""), "the real host is listed too: " + last);
  }
}
