package io.drover.http.events;

import io.drover.actors.common.SingletonInfo;
import io.drover.actors.common.Singletons;
import io.drover.actors.deploy.DeployTopic;
import io.drover.actors.deploy.Step;
import io.drover.http.Json;
import io.drover.persistence.CborSerializable;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.SingletonActor;

/**
 * Deploy webhooks ({@code drover.deploy.webhooks}): a JSON POST to each URL on {@code
 * deploy-started}, {@code host-failed} and {@code deploy-ended}, from a cluster singleton
 * subscribed to {@link DeployTopic}.
 *
 * <p>Why a singleton: every node receives every step, so a subscriber on each node would POST each
 * event once per node; the singleton POSTs it once. Its cost: a step published while the singleton
 * moves (its node left or crashed) is not sent, and POSTs still waiting on the old node are lost;
 * both are rare and the deploy itself never waits on a webhook. Each URL has its own {@link
 * WebhookSender}: POSTs to one URL go in order, one at a time, and a slow URL delays no other.
 */
public final class Webhooks {

  /** The steps that are POSTed. */
  public static final Set<String> EVENTS = Set.of("deploy-started", "host-failed", "deploy-ended");

  /** Its name in {@code GET /api/v1/singletons}. */
  public static final String SINGLETON = "webhooks";

  /** The state listed on a node with no webhook configured: no singleton runs from there. */
  public static final String OFF = "off";

  private Webhooks() {}

  public sealed interface Command {}

  /** A deploy step from the topic (local only). */
  record StepPublished(Step step) implements Command {}

  /** Answers where the sender runs, since when, and {@code {"targets": URLs}}. */
  public record Describe(ActorRef<SingletonInfo> replyTo) implements Command, CborSerializable {}

  /**
   * What a webhook receives: the step, with {@code at} as an ISO-8601 instant.
   *
   * @param event the step's type
   * @param state the deploy's state (host-failed: the host's)
   * @param reason why, where there is more to say; null otherwise
   * @param host the host, for host-failed; null otherwise
   * @param site the site concerned, if one; null otherwise
   */
  public record Payload(
      String deploy,
      String event,
      String state,
      String reason,
      String host,
      String site,
      String at) {

    static Payload of(Step s) {
      return new Payload(
          s.deploy(),
          s.type(),
          s.state(),
          s.reason(),
          s.host(),
          s.site(),
          Instant.ofEpochMilli(s.at()).toString());
    }
  }

  /**
   * Runs the sender as a cluster singleton; nothing runs when no webhook is configured, and the
   * singleton is then listed as {@value #OFF} with 0 targets.
   */
  public static void start(ActorSystem<?> system, EventSettings settings) {
    if (settings.webhooks().isEmpty()) {
      Singletons.get(system).registerOff(SINGLETON, OFF, Singletons.details().put("targets", 0));
      return;
    }
    Singletons.get(system)
        .init(SINGLETON, SingletonActor.of(create(settings), "deploy-webhooks"), Describe::new);
  }

  /** Subscribes to the topic and hands each chosen step to one sender per URL. */
  public static Behavior<Command> create(EventSettings settings) {
    return Behaviors.setup(
        ctx -> {
          HttpClient client =
              HttpClient.newBuilder()
                  .connectTimeout(settings.webhookTimeout())
                  .followRedirects(HttpClient.Redirect.NEVER)
                  .build();
          List<ActorRef<WebhookSender.Command>> senders = new ArrayList<>();
          int i = 0;
          for (URI url : settings.webhooks()) {
            senders.add(ctx.spawn(WebhookSender.create(url, client, settings), "webhook-" + i++));
          }
          DeployTopic.get(ctx.getSystem())
              .subscribe(ctx.messageAdapter(Step.class, StepPublished::new));
          ctx.getLog()
              .info("deploy webhooks: sending to {}", WebhookSender.safe(settings.webhooks()));
          return Behaviors.receiveMessage(
              command -> {
                if (command instanceof Describe d) {
                  d.replyTo()
                      .tell(
                          Singletons.get(ctx.getSystem())
                              .describe(
                                  SINGLETON,
                                  SingletonInfo.RUNNING,
                                  Singletons.details().put("targets", senders.size())));
                  return Behaviors.same();
                }
                Step step = ((StepPublished) command).step();
                if (EVENTS.contains(step.type())) {
                  byte[] body = Json.bytes(Payload.of(step));
                  String what = step.type() + " of deploy " + step.deploy();
                  for (ActorRef<WebhookSender.Command> s : senders) {
                    s.tell(new WebhookSender.Post(body, what));
                  }
                }
                return Behaviors.same();
              });
        });
  }
}
