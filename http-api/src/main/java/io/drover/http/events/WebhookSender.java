package io.drover.http.events;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * POSTs to one webhook URL, one at a time and in order. A POST answered 2xx is done; a network
 * error, a timeout, 408, 429 or 5xx is tried again after {@link EventSettings#backoff(int)} (1 s, 2
 * s, 4 s, ... up to the max), at most {@code webhookAttempts} times; any other answer (a 4xx: the
 * URL or the receiver is wrong, trying again will not help) drops it at once. At most {@code
 * webhookQueue} POSTs wait; beyond that the oldest is dropped. Every drop is logged. Logs show the
 * URL's scheme, host and port only: webhook paths often hold a secret token.
 */
final class WebhookSender {

  sealed interface Command {}

  /**
   * @param body the JSON to POST
   * @param what for logs, e.g. {@code deploy-ended of deploy d-1}
   */
  record Post(byte[] body, String what) implements Command {}

  private record Answered(int status, Throwable error) implements Command {}

  private enum Retry implements Command {
    INSTANCE
  }

  private final URI url;
  private final String where;
  private final HttpClient client;
  private final EventSettings settings;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final ArrayDeque<Post> waiting = new ArrayDeque<>();
  private Post current;
  private int attempt;

  private WebhookSender(
      URI url,
      HttpClient client,
      EventSettings settings,
      ActorContext<Command> ctx,
      TimerScheduler<Command> timers) {
    this.url = url;
    this.where = safe(url);
    this.client = client;
    this.settings = settings;
    this.ctx = ctx;
    this.timers = timers;
  }

  static Behavior<Command> create(URI url, HttpClient client, EventSettings settings) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new WebhookSender(url, client, settings, ctx, timers).behavior()));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Post.class, this::onPost)
        .onMessage(Answered.class, this::onAnswered)
        .onMessageEquals(Retry.INSTANCE, this::onRetry)
        .build();
  }

  private Behavior<Command> onPost(Post p) {
    if (waiting.size() >= settings.webhookQueue()) {
      Post dropped = waiting.pollFirst();
      ctx.getLog()
          .warn(
              "webhook {}: {} dropped: {} POSTs already wait (drover.deploy.webhook-queue)",
              where,
              dropped.what(),
              settings.webhookQueue());
    }
    waiting.addLast(p);
    if (current == null) {
      next();
    }
    return Behaviors.same();
  }

  private void next() {
    current = waiting.pollFirst();
    attempt = 0;
    if (current != null) {
      send();
    }
  }

  private void send() {
    attempt++;
    HttpRequest req =
        HttpRequest.newBuilder(url)
            .timeout(settings.webhookTimeout())
            .header("Content-Type", "application/json")
            .header("User-Agent", "drover-webhook")
            .POST(HttpRequest.BodyPublishers.ofByteArray(current.body()))
            .build();
    ctx.pipeToSelf(
        client.sendAsync(req, HttpResponse.BodyHandlers.discarding()),
        (resp, err) -> new Answered(resp == null ? 0 : resp.statusCode(), err));
  }

  private Behavior<Command> onAnswered(Answered a) {
    if (current == null) {
      return Behaviors.same();
    }
    if (a.error() == null && a.status() / 100 == 2) {
      ctx.getLog().debug("webhook {}: {} delivered (attempt {})", where, current.what(), attempt);
      next();
      return Behaviors.same();
    }
    String why = a.error() != null ? a.error().toString() : "HTTP " + a.status();
    if (a.error() == null && !retriable(a.status())) {
      ctx.getLog()
          .warn("webhook {}: {} dropped: answered {} (not retried)", where, current.what(), why);
      next();
    } else if (attempt >= settings.webhookAttempts()) {
      ctx.getLog()
          .warn(
              "webhook {}: {} dropped after {} attempts, the last: {}",
              where,
              current.what(),
              attempt,
              why);
      next();
    } else {
      Duration delay = settings.backoff(attempt);
      ctx.getLog()
          .info(
              "webhook {}: {} failed (attempt {}/{}: {}); trying again in {} ms",
              where,
              current.what(),
              attempt,
              settings.webhookAttempts(),
              why,
              delay.toMillis());
      timers.startSingleTimer(Retry.INSTANCE, delay);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onRetry() {
    if (current != null) {
      send();
    }
    return Behaviors.same();
  }

  /** 408, 429 and 5xx may succeed later; other answers will not. */
  static boolean retriable(int status) {
    return status == 408 || status == 429 || status >= 500 || status < 100;
  }

  /** The URL without path, query or user info, for logs. */
  static String safe(URI url) {
    return url.getScheme() + "://" + url.getHost() + (url.getPort() < 0 ? "" : ":" + url.getPort());
  }

  static String safe(List<URI> urls) {
    return urls.stream().map(WebhookSender::safe).collect(Collectors.joining(", "));
  }
}
