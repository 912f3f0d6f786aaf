package io.drover.http;

import static org.apache.pekko.http.javadsl.server.PathMatchers.segment;

import io.drover.actors.cron.CronScheduler;
import io.drover.actors.cron.CronSpecs;
import io.drover.http.CronJson.CronRequest;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Predicate;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;
import org.apache.pekko.pattern.StatusReply;

/**
 * {@code /api/v1/cronjobs}: create or change a job, list, show, delete it, its runs and their logs,
 * and trigger a manual run. Each write is one command to the cron scheduler.
 */
final class CronRoutes extends AllDirectives {

  static final int DEFAULT_RUNS = 100;
  static final int DEFAULT_TAIL = 100;

  private final ActorRef<CronScheduler.Command> scheduler;
  private final Predicate<String> revisionKnown;
  private final Executor blocking;
  private final Asks asks;

  /**
   * @param revisionKnown true when the revision was uploaded (may fetch it from a peer; runs on
   *     {@code blocking} and is given half the ask timeout)
   */
  CronRoutes(
      ActorRef<CronScheduler.Command> scheduler,
      Predicate<String> revisionKnown,
      Executor blocking,
      Asks asks) {
    this.scheduler = scheduler;
    this.revisionKnown = revisionKnown;
    this.blocking = blocking;
    this.asks = asks;
  }

  Route route() {
    return pathPrefix(
        "cronjobs",
        () ->
            concat(
                pathEnd(() -> get(() -> ask(CronScheduler.ListJobs::new))),
                pathPrefix(
                    segment(),
                    name ->
                        concat(
                            pathEnd(
                                () ->
                                    concat(
                                        put(
                                            () ->
                                                entity(
                                                    Unmarshaller.entityToString(),
                                                    body -> put(name, body))),
                                        get(() -> ask(r -> new CronScheduler.Get(name, r))),
                                        delete(() -> ask(r -> new CronScheduler.Delete(name, r))))),
                            path(
                                "trigger",
                                () -> post(() -> ask(r -> new CronScheduler.Trigger(name, r)))),
                            pathPrefix(
                                "runs",
                                () ->
                                    concat(
                                        pathEnd(
                                            () ->
                                                get(
                                                    () ->
                                                        parameterOptional(
                                                            "limit", l -> runs(name, l)))),
                                        path(
                                            segment().slash("logs"),
                                            run ->
                                                get(
                                                    () ->
                                                        parameterOptional(
                                                            "tail",
                                                            t -> logs(name, run, t))))))))));
  }

  private Route put(String name, String body) {
    CronRequest req;
    try {
      req = Json.read(body, CronRequest.class);
    } catch (Json.BadBody e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    List<String> problems = CronSpecs.validate(name, req == null ? null : req.spec());
    if (!problems.isEmpty()) {
      return complete(Problem.invalid(problems));
    }
    Duration timeout = asks.timeout().dividedBy(2);
    CompletionStage<HttpResponse> response =
        RevisionCheck.check(req.revision(), revisionKnown, blocking, timeout)
            .thenCompose(
                known -> {
                  if (known.isEmpty()) {
                    return CompletableFuture.completedFuture(
                        Problem.response(
                            StatusCodes.SERVICE_UNAVAILABLE,
                            RevisionCheck.stillFetching(
                                req.revision(), timeout, "Cronjob " + name)));
                  }
                  if (!known.get()) {
                    return CompletableFuture.completedFuture(
                        Problem.invalid(List.of(RevisionCheck.notUploaded(req.revision()))));
                  }
                  return asks.<CronScheduler.Command, CronScheduler.Reply>ask(
                          scheduler, r -> new CronScheduler.Put(name, req.spec(), r))
                      .thenApply(CronRoutes::response);
                });
    return completeWithFuture(response);
  }

  private Route runs(String name, Optional<String> limitText) {
    Params.Bounded limit = Params.bounded("limit", limitText, DEFAULT_RUNS, 1, 1000);
    if (limit.problem() != null) {
      return complete(limit.problem());
    }
    return ask(r -> new CronScheduler.GetRuns(name, limit.value(), r));
  }

  private Route logs(String name, String run, Optional<String> tailText) {
    Params.Bounded tail = Params.bounded("tail", tailText, DEFAULT_TAIL, 1, 10_000);
    if (tail.problem() != null) {
      return complete(tail.problem());
    }
    return completeWithFuture(
        asks.<CronScheduler.Command, StatusReply<String>>ask(
                scheduler, r -> new CronScheduler.RunLogs(name, run, tail.value(), r))
            .thenApply(
                sr ->
                    sr.isSuccess()
                        ? HttpResponse.create()
                            .withEntity(
                                HttpEntities.create(ContentTypes.TEXT_PLAIN_UTF8, sr.getValue()))
                        : Problem.response(StatusCodes.NOT_FOUND, sr.getError().getMessage())));
  }

  private Route ask(Function<ActorRef<CronScheduler.Reply>, CronScheduler.Command> command) {
    return completeWithFuture(
        asks.<CronScheduler.Command, CronScheduler.Reply>ask(scheduler, command)
            .thenApply(CronRoutes::response));
  }

  /** Every reply of the scheduler as HTTP: the one place its outcomes become status codes. */
  static HttpResponse response(CronScheduler.Reply reply) {
    if (reply instanceof CronScheduler.Saved s) {
      return Json.response(
          s.created() ? StatusCodes.CREATED : StatusCodes.OK, CronJson.Job.of(s.job()));
    }
    if (reply instanceof CronScheduler.Job j) {
      return Json.response(StatusCodes.OK, CronJson.Job.of(j.job()));
    }
    if (reply instanceof CronScheduler.Jobs j) {
      return Json.response(
          StatusCodes.OK, new CronJson.Jobs(j.jobs().stream().map(CronJson.Job::of).toList()));
    }
    if (reply instanceof CronScheduler.Runs r) {
      return Json.response(
          StatusCodes.OK, new CronJson.Runs(r.runs().stream().map(CronJson.Run::of).toList()));
    }
    if (reply instanceof CronScheduler.Triggered t) {
      return Json.response(StatusCodes.CREATED, CronJson.Run.of(t.run()));
    }
    if (reply instanceof CronScheduler.NotFound n) {
      return Problem.response(StatusCodes.NOT_FOUND, n.message());
    }
    CronScheduler.Rejected r = (CronScheduler.Rejected) reply;
    return Problem.response(
        r.conflict() ? StatusCodes.CONFLICT : StatusCodes.SERVICE_UNAVAILABLE, r.message());
  }
}
