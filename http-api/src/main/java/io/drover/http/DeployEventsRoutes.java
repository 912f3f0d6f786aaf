package io.drover.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.drover.actors.deploy.DeployEntity;
import io.drover.actors.deploy.Step;
import io.drover.http.events.EventSettings;
import io.drover.http.events.ResumePoint;
import io.drover.http.events.SseFrames;
import io.drover.http.events.StepStreams;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.MediaTypes;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.model.headers.RawHeader;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code GET /api/v1/deploys/{id}/events} and {@code GET /api/v1/events}: the steps of deploys as
 * Server-Sent Events ({@code event:} the step's type, {@code data:} the step as JSON), resumable
 * with {@code Last-Event-ID}.
 *
 * <p>A deploy's stream ({@code id: <seq>}) replays the deploy's steps after {@code Last-Event-ID}
 * (or {@code ?after=N}), follows with its live steps and ends after {@code deploy-ended}. The
 * global stream ({@code id: <deploy>:<seq>}) carries the live steps of every deploy; resumed, it
 * replays only the steps of the deploy named in {@code Last-Event-ID} (a node keeps no history
 * across deploys; {@code GET /deploys} and each deploy's stream fill in the rest). A node serves at
 * most {@code drover.deploy.events.max-streams} streams at once (more: 503), and ends a stream
 * whose client falls {@code buffer} steps behind with a comment (the client reconnects and
 * resumes).
 */
final class DeployEventsRoutes extends AllDirectives {

  private static final Logger log = LoggerFactory.getLogger(DeployEventsRoutes.class);

  private static final String LAST_EVENT_ID = "Last-Event-ID";

  private final ActorSystem<?> system;
  private final Function<String, RecipientRef<DeployEntity.Command>> deploys;
  private final Asks asks;
  private final EventSettings settings;
  private final AtomicInteger open;

  /**
   * @param open the node's count of open streams, shared by every instance of these routes
   */
  DeployEventsRoutes(
      ActorSystem<?> system,
      Function<String, RecipientRef<DeployEntity.Command>> deploys,
      Asks asks,
      EventSettings settings,
      AtomicInteger open) {
    this.system = system;
    this.deploys = deploys;
    this.asks = asks;
    this.settings = settings;
    this.open = open;
  }

  Route route() {
    return concat(
        path(
            segment("deploys").slash(segment()).slash("events"),
            id ->
                get(
                    () ->
                        optionalHeaderValueByName(
                            LAST_EVENT_ID,
                            header ->
                                parameterOptional(
                                    "after", after -> deployStream(id, header, after))))),
        path(
            "events",
            () -> get(() -> optionalHeaderValueByName(LAST_EVENT_ID, this::globalStream))));
  }

  private Route deployStream(String id, Optional<String> header, Optional<String> after) {
    ResumePoint from;
    try {
      from = ResumePoint.forDeploy(id, header, after);
    } catch (ResumePoint.Invalid e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    Runnable release = acquire();
    if (release == null) {
      return complete(tooMany());
    }
    StepStreams.Live live = StepStreams.subscribe(system, settings.streamBuffer());
    StepStreams.Pager pager = pager(id);
    CompletionStage<HttpResponse> response =
        pager
            .page(from.after(), StepStreams.PAGE)
            .thenApply(
                first -> {
                  if (first.status() == null) {
                    live.close(system);
                    release.run();
                    return Problem.response(
                        StatusCodes.NOT_FOUND,
                        "no deploy '" + id + "': GET /api/v1/deploys lists them");
                  }
                  log.debug("events of deploy {}: stream opened after step {}", id, from.after());
                  Source<Step, NotUsed> steps =
                      StepStreams.deploySteps(id, from.after(), first, pager, live);
                  return stream(steps, SseFrames::deployId, "steps of deploy " + id, live, release);
                });
    return completeWithFuture(failed(response, live, release));
  }

  private Route globalStream(Optional<String> header) {
    Optional<ResumePoint> from;
    try {
      from = ResumePoint.forAll(header);
    } catch (ResumePoint.Invalid e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    Runnable release = acquire();
    if (release == null) {
      return complete(tooMany());
    }
    StepStreams.Live live = StepStreams.subscribe(system, settings.streamBuffer());
    if (from.isEmpty()) {
      return complete(
          stream(live.source(), SseFrames::globalId, "steps of every deploy", live, release));
    }
    ResumePoint r = from.get();
    StepStreams.Pager pager = pager(r.deploy());
    CompletionStage<HttpResponse> response =
        pager
            .page(r.after(), StepStreams.PAGE)
            .thenApply(
                first ->
                    stream(
                        StepStreams.allSteps(r, first, pager, live),
                        SseFrames::globalId,
                        first.status() == null
                            ? "steps of every deploy (deploy "
                                + r.deploy()
                                + " is unknown: no replay)"
                            : "steps of every deploy, after step "
                                + r.after()
                                + " of "
                                + r.deploy(),
                        live,
                        release));
    return completeWithFuture(failed(response, live, release));
  }

  private StepStreams.Pager pager(String id) {
    RecipientRef<DeployEntity.Command> deploy = deploys.apply(id);
    return (after, limit) ->
        asks.<DeployEntity.Command, DeployEntity.Steps>ask(
            deploy, replyTo -> new DeployEntity.GetSteps(after, limit, replyTo));
  }

  /** A failed first ask ends the subscription and frees the slot; the failure answers (503). */
  private CompletionStage<HttpResponse> failed(
      CompletionStage<HttpResponse> response, StepStreams.Live live, Runnable release) {
    return response.whenComplete(
        (r, err) -> {
          if (err != null) {
            live.close(system);
            release.run();
          }
        });
  }

  private HttpResponse stream(
      Source<Step, NotUsed> steps,
      Function<Step, String> id,
      String opening,
      StepStreams.Live live,
      Runnable release) {
    AtomicBoolean started = new AtomicBoolean();
    // the slot is freed when the stream ends, or when the subscription ends without the stream
    // ever being consumed (the client went away before the response was sent)
    live.done()
        .whenComplete(
            (d, e) -> {
              if (!started.get()) {
                release.run();
              }
            });
    Source<ByteString, NotUsed> frames =
        StepStreams.frames(steps, id::apply, opening, settings.keepAlive(), settings.streamBuffer())
            .watchTermination(
                (mat, done) -> {
                  started.set(true);
                  done.whenComplete(
                      (d, e) -> {
                        live.close(system);
                        release.run();
                      });
                  return mat;
                });
    return HttpResponse.create()
        .withEntity(HttpEntities.create(ContentTypes.create(MediaTypes.TEXT_EVENT_STREAM), frames))
        .addHeader(RawHeader.create("Cache-Control", "no-cache"))
        .addHeader(RawHeader.create("X-Accel-Buffering", "no"));
  }

  /** Takes a stream slot; null when the node serves as many as allowed. */
  private Runnable acquire() {
    if (open.incrementAndGet() > settings.maxStreams()) {
      open.decrementAndGet();
      return null;
    }
    AtomicBoolean released = new AtomicBoolean();
    return () -> {
      if (released.compareAndSet(false, true)) {
        open.decrementAndGet();
      }
    };
  }

  private HttpResponse tooMany() {
    log.warn(
        "event stream refused: this node already serves {} (drover.deploy.events.max-streams)",
        settings.maxStreams());
    return Problem.response(
            StatusCodes.SERVICE_UNAVAILABLE,
            "this node already serves "
                + settings.maxStreams()
                + " event streams (drover.deploy.events.max-streams): retry later or on another"
                + " node")
        .addHeader(RawHeader.create("Retry-After", "5"));
  }
}
