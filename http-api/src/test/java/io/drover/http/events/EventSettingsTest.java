package io.drover.http.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.drover.cluster.Node;
import io.drover.cluster.StartRefused;
import java.net.URI;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EventSettingsTest {

  @Test
  void defaultsComeFromTheDroverConf() {
    EventSettings s = EventSettings.fromConfig(Node.config(ConfigFactory.empty()));
    assertEquals(List.of(), s.webhooks());
    assertEquals(8, s.webhookAttempts());
    assertEquals(256, s.maxStreams());
    assertEquals(Duration.ofSeconds(15), s.keepAlive());
  }

  @Test
  void webhooksMustBeHttpUrlsAndAtMostTen() {
    assertEquals(
        List.of(URI.create("https://chat.example.com/h"), URI.create("http://10.0.0.1:8080/x")),
        EventSettings.webhooks(List.of("https://chat.example.com/h", " http://10.0.0.1:8080/x")));
    IllegalArgumentException bad =
        assertThrows(
            IllegalArgumentException.class,
            () -> EventSettings.webhooks(List.of("ftp://x/y", "chat.example.com", "https://ok/")));
    assertTrue(bad.getMessage().contains("'ftp://x/y', 'chat.example.com'"), bad.getMessage());
    IllegalArgumentException many =
        assertThrows(
            IllegalArgumentException.class,
            () -> EventSettings.webhooks(Collections.nCopies(11, "https://a/")));
    assertTrue(many.getMessage().contains("at most 10"), many.getMessage());
  }

  @Test
  void aBadWebhookRefusesTheStart() {
    StartRefused e =
        assertThrows(
            StartRefused.class,
            () ->
                EventSettings.fromConfig(
                    Node.config(
                        ConfigFactory.parseMap(
                            Map.of("drover.deploy.webhooks", List.of("mailto:ops@x"))))));
    assertTrue(e.getMessage().startsWith("drover.deploy: webhooks must be"), e.getMessage());
  }

  @Test
  void backoffDoublesUpToTheMax() {
    EventSettings s = EventSettings.defaults(List.of());
    assertEquals(Duration.ofSeconds(1), s.backoff(1));
    assertEquals(Duration.ofSeconds(2), s.backoff(2));
    assertEquals(Duration.ofSeconds(32), s.backoff(6));
    assertEquals(Duration.ofSeconds(60), s.backoff(7));
    assertEquals(Duration.ofSeconds(60), s.backoff(50));
  }
}
