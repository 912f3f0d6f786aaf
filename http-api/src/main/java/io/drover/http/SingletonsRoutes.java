package io.drover.http;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.actors.common.SingletonInfo;
import io.drover.actors.common.Singletons;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;

/**
 * {@code GET /api/v1/singletons}: every cluster singleton this node knows ({@link
 * Singletons#registered()}), each asked through its proxy in parallel, so the answer comes from
 * wherever it runs now. A singleton that does not answer within the timeout (it is being handed
 * over, its node is unreachable) is listed as {@value #UNAVAILABLE} with a reason; the list always
 * answers 200.
 */
final class SingletonsRoutes extends AllDirectives {

  /** The state of a singleton that did not answer. */
  static final String UNAVAILABLE = "unavailable";

  /** The response. */
  record Listing(List<View> singletons) {}

  /**
   * One singleton as listed.
   *
   * @param address the member it runs on; null when unavailable or off
   * @param host that member's Drover host; null when unavailable or off
   * @param since when it started there, ISO-8601; null when unavailable, off or unknown
   * @param state {@code running}, {@value #UNAVAILABLE}, {@code off}, or the singleton's own
   * @param reason why it is {@value #UNAVAILABLE}; null otherwise
   * @param details what the singleton says about itself; {@code {}} when unavailable
   */
  record View(
      String name,
      String address,
      String host,
      String since,
      String state,
      String reason,
      JsonNode details) {

    static View of(SingletonInfo i) {
      return new View(
          i.name(),
          i.address(),
          i.host(),
          i.since(),
          i.state(),
          null,
          i.details() == null ? Singletons.details() : i.details());
    }

    static View unavailable(String name, String reason) {
      return new View(name, null, null, null, UNAVAILABLE, reason, Singletons.details());
    }
  }

  private final Singletons singletons;
  private final Scheduler scheduler;
  private final Duration timeout;

  /**
   * @param timeout how long each singleton has to answer
   */
  SingletonsRoutes(Singletons singletons, Scheduler scheduler, Duration timeout) {
    this.singletons = singletons;
    this.scheduler = scheduler;
    this.timeout = timeout;
  }

  Route route() {
    return path(
        "singletons",
        () -> get(() -> onSuccess(listing(), l -> complete(Json.response(StatusCodes.OK, l)))));
  }

  /** Asks every registered singleton at once; never fails. */
  CompletionStage<Listing> listing() {
    List<CompletableFuture<View>> asks = new ArrayList<>();
    for (Singletons.Registration r : singletons.registered()) {
      CompletionStage<SingletonInfo> answer;
      try {
        answer = r.describer().describe(timeout, scheduler);
      } catch (RuntimeException e) {
        answer = CompletableFuture.failedFuture(e);
      }
      asks.add(
          answer
              .handle(
                  (info, err) ->
                      err == null ? View.of(info) : View.unavailable(r.name(), reason(err)))
              .toCompletableFuture());
    }
    return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
        .thenApply(
            done -> {
              List<View> views = new ArrayList<>();
              asks.forEach(a -> views.add(a.join()));
              views.sort(Comparator.comparing(View::name));
              return new Listing(views);
            });
  }

  private String reason(Throwable err) {
    Throwable e =
        err instanceof CompletionException && err.getCause() != null ? err.getCause() : err;
    if (e instanceof TimeoutException) {
      return "no answer within "
          + io.drover.actors.common.Durations.format(timeout)
          + ": it may be moving to another node, or its node is unreachable";
    }
    return "asking it failed: " + e.getMessage();
  }
}
