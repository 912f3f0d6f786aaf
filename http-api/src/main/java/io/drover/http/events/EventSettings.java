package io.drover.http.events;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.drover.cluster.StartRefused;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The settings of deploy events ({@code drover.deploy.webhooks}, {@code drover.deploy.events}),
 * read once and checked: a node with a bad webhook list refuses to start.
 *
 * @param webhooks http or https URLs that receive a JSON POST on deploy start, host failure and
 *     deploy end; at most {@link #MAX_WEBHOOKS}
 * @param webhookAttempts tries per POST before it is dropped (with a log line)
 * @param webhookBackoffMin delay before the second try; it doubles up to {@code webhookBackoffMax}
 * @param webhookBackoffMax the longest delay between two tries
 * @param webhookTimeout how long one POST may take
 * @param webhookQueue POSTs waiting per URL; beyond it the oldest is dropped (with a log line)
 * @param maxStreams event streams one node serves at once; more are answered 503
 * @param streamBuffer steps one stream holds for a slow client; beyond it the stream ends with a
 *     comment (the client resumes with Last-Event-ID)
 * @param keepAlive how often an idle stream sends a comment so proxies keep it open
 */
public record EventSettings(
    List<URI> webhooks,
    int webhookAttempts,
    Duration webhookBackoffMin,
    Duration webhookBackoffMax,
    Duration webhookTimeout,
    int webhookQueue,
    int maxStreams,
    int streamBuffer,
    Duration keepAlive) {

  public static final int MAX_WEBHOOKS = 10;

  public EventSettings {
    webhooks = List.copyOf(webhooks);
  }

  /** The defaults, with these webhooks. */
  public static EventSettings defaults(List<URI> webhooks) {
    return new EventSettings(
        webhooks,
        8,
        Duration.ofSeconds(1),
        Duration.ofSeconds(60),
        Duration.ofSeconds(10),
        1000,
        256,
        1000,
        Duration.ofSeconds(15));
  }

  /**
   * Reads {@code drover.deploy} from the node's whole configuration.
   *
   * @throws StartRefused when a setting is wrong; the message says which and how to fix it
   */
  public static EventSettings fromConfig(Config config) {
    try {
      Config d = config.getConfig("drover.deploy");
      Config e = d.getConfig("events");
      EventSettings s =
          new EventSettings(
              webhooks(d.getStringList("webhooks")),
              d.getInt("webhook-attempts"),
              d.getDuration("webhook-backoff.min"),
              d.getDuration("webhook-backoff.max"),
              d.getDuration("webhook-timeout"),
              d.getInt("webhook-queue"),
              e.getInt("max-streams"),
              e.getInt("buffer"),
              e.getDuration("keep-alive"));
      s.check();
      return s;
    } catch (ConfigException | IllegalArgumentException ex) {
      throw new StartRefused("drover.deploy: " + ex.getMessage(), ex);
    }
  }

  private void check() {
    if (webhookAttempts < 1 || webhookAttempts > 100) {
      throw new IllegalArgumentException(
          "webhook-attempts must be between 1 and 100, got " + webhookAttempts);
    }
    if (webhookBackoffMin.isNegative()
        || webhookBackoffMin.isZero()
        || webhookBackoffMax.compareTo(webhookBackoffMin) < 0) {
      throw new IllegalArgumentException(
          "webhook-backoff needs 0 < min <= max, got min "
              + webhookBackoffMin
              + " and max "
              + webhookBackoffMax);
    }
    positive("webhook-queue", webhookQueue);
    positive("events.max-streams", maxStreams);
    positive("events.buffer", streamBuffer);
    if (webhookTimeout.isNegative() || webhookTimeout.isZero()) {
      throw new IllegalArgumentException("webhook-timeout must be positive");
    }
    if (keepAlive.isNegative() || keepAlive.isZero()) {
      throw new IllegalArgumentException("events.keep-alive must be positive");
    }
  }

  private static void positive(String name, int value) {
    if (value < 1) {
      throw new IllegalArgumentException(name + " must be at least 1, got " + value);
    }
  }

  /**
   * Parses and checks the webhook list: each an absolute http or https URL with a host, at most
   * {@link #MAX_WEBHOOKS}.
   *
   * @throws IllegalArgumentException naming every bad entry
   */
  public static List<URI> webhooks(List<String> urls) {
    if (urls.size() > MAX_WEBHOOKS) {
      throw new IllegalArgumentException(
          "webhooks lists "
              + urls.size()
              + " URLs; at most "
              + MAX_WEBHOOKS
              + " are allowed (point them at one relay instead)");
    }
    List<URI> out = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    for (String url : urls) {
      try {
        URI uri = new URI(url.trim());
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if ((scheme.equals("http") || scheme.equals("https")) && uri.getHost() != null) {
          out.add(uri);
        } else {
          bad.add("'" + url + "'");
        }
      } catch (URISyntaxException ex) {
        bad.add("'" + url + "'");
      }
    }
    if (!bad.isEmpty()) {
      throw new IllegalArgumentException(
          "webhooks must be http:// or https:// URLs with a host, e.g."
              + " \"https://chat.example.com/hooks/deploys\"; not "
              + String.join(", ", bad));
    }
    return out;
  }

  /** The delay before try {@code attempt + 1} after {@code attempt} failed tries (from 1). */
  public Duration backoff(int attempt) {
    Duration d = webhookBackoffMin;
    for (int i = 1; i < attempt; i++) {
      d = d.multipliedBy(2);
      if (d.compareTo(webhookBackoffMax) >= 0) {
        return webhookBackoffMax;
      }
    }
    return d;
  }
}
