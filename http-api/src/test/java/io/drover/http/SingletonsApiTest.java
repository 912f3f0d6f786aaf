package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.actors.common.SingletonInfo;
import io.drover.actors.common.Singletons;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.Cluster;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code GET /api/v1/singletons} and the singleton gauges on a real one-node cluster: the site
 * directory, deploy directory and webhooks each answer with this node's address and host; a
 * singleton that does not answer is listed as unavailable and the list still answers 200.
 */
class SingletonsApiTest {

  private static final List<String> NAMES =
      List.of("cron-scheduler", "deploy-directory", "site-directory", "tokens", "webhooks");

  @TempDir Path tmp;
  private TestNode node;

  @AfterEach
  void stop() throws Exception {
    if (node != null) {
      node.close();
    }
  }

  private TestNode start() throws Exception {
    // a webhook URL nobody listens on: no deploy runs here, so nothing is POSTed
    return TestNode.start(
        tmp.resolve("node"),
        Map.of(
            "drover.deploy.webhooks",
            List.of("http://127.0.0.1:9/hooks"),
            "drover.http.singleton-ask-timeout",
            "2s"));
  }

  private JsonNode singletons() throws Exception {
    TestNode.Reply r = node.call("GET", "/api/v1/singletons", null);
    assertEquals(200, r.status(), r.body());
    return Json.MAPPER.readTree(r.body()).get("singletons");
  }

  /** The listing once every one of {@code names} runs (they start when the member is Up). */
  private JsonNode awaitRunning(List<String> names) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      JsonNode list = singletons();
      long running = 0;
      for (JsonNode s : list) {
        if (names.contains(s.get("name").asText()) && "running".equals(s.get("state").asText())) {
          running++;
        }
      }
      if (running == names.size()) {
        return list;
      }
      assertTrue(System.nanoTime() < deadline, "all of " + names + " running within 60 s: " + list);
      TimeUnit.MILLISECONDS.sleep(200);
    }
  }

  @Test
  void listsEverySingletonWithThisNodesAddressAndHost() throws Exception {
    node = start();
    JsonNode list = awaitRunning(NAMES);
    List<String> names = new ArrayList<>();
    list.forEach(s -> names.add(s.get("name").asText()));
    assertEquals(NAMES, names, "sorted by name");
    String self = Cluster.get(node.node.system()).selfMember().address().toString();
    for (JsonNode s : list) {
      assertEquals(self, s.get("address").asText(), s.toString());
      assertEquals("test-host", s.get("host").asText(), s.toString());
      Instant since = Instant.parse(s.get("since").asText());
      assertTrue(since.isBefore(Instant.now().plusSeconds(1)), s.toString());
      assertTrue(s.get("reason").isNull(), s.toString());
    }
    assertEquals(1, list.get(0).at("/details/fencingToken").asInt(), list.toString());
    assertEquals(0, list.get(0).at("/details/jobs").asInt(), list.toString());
    assertEquals(0, list.get(2).at("/details/sites").asInt(), list.toString());
    assertEquals(0, list.get(1).at("/details/deploys").asInt(), list.toString());
    assertEquals(0, list.get(1).at("/details/queued").asInt(), list.toString());
    assertTrue(list.get(1).at("/details/running").isArray(), list.toString());
    assertEquals(0, list.get(3).at("/details/tokens").asInt(), list.toString());
    assertEquals(1, list.get(4).at("/details/targets").asInt(), list.toString());
  }

  @Test
  void aSingletonThatDoesNotAnswerIsUnavailableAndTheListStillAnswers() throws Exception {
    node = start();
    awaitRunning(NAMES);
    ActorRef<Object> silent =
        node.node.system().systemActorOf(Behaviors.ignore(), "silent-singleton", Props.empty());
    Singletons.get(node.node.system())
        .register("aa-silent", silent, (ActorRef<SingletonInfo> replyTo) -> (Object) replyTo);
    JsonNode list = singletons();
    assertEquals(NAMES.size() + 1, list.size(), list.toString());
    JsonNode s = list.get(0);
    assertEquals("aa-silent", s.get("name").asText());
    assertEquals("unavailable", s.get("state").asText());
    assertTrue(s.get("reason").asText().contains("no answer within 2s"), s.toString());
    assertTrue(s.get("address").isNull(), s.toString());
    assertEquals("running", list.get(1).get("state").asText(), "the others still answer");
  }

  @Test
  void gaugesShowTheSingletonsRunningHere() throws Exception {
    node = start();
    awaitRunning(NAMES);
    String metrics = node.call("GET", "/metrics", null).body();
    for (String name : NAMES) {
      assertEquals(1.0, gauge(metrics, "drover_singleton_running", name), 0.0, metrics);
      double since = gauge(metrics, "drover_singleton_since_seconds", name);
      assertTrue(
          since > Instant.now().minusSeconds(600).getEpochSecond()
              && since <= Instant.now().getEpochSecond(),
          name + " since " + since);
    }
  }

  private static double gauge(String metrics, String metric, String singleton) {
    Matcher m =
        Pattern.compile(
                "(?m)^"
                    + metric
                    + "\\{singleton=\""
                    + Pattern.quote(singleton)
                    + "\"\\} ([0-9.eE+-]+)$")
            .matcher(metrics);
    assertTrue(m.find(), metric + " of " + singleton + " in:\n" + metrics);
    return Double.parseDouble(m.group(1));
  }
}
