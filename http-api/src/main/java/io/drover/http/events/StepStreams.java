package io.drover.http.events;

import io.drover.actors.deploy.DeployEntity;
import io.drover.actors.deploy.DeployTopic;
import io.drover.actors.deploy.Step;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.pf.PFBuilder;
import org.apache.pekko.stream.BufferOverflowException;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSource;
import org.apache.pekko.util.ByteString;

/**
 * The event streams as Pekko Streams: a replay of a deploy's steps (asked from the deploy, page by
 * page) followed by the live steps of {@link DeployTopic}, without duplicates, as SSE frames.
 *
 * <p>The live part is subscribed <em>before</em> the replay is asked for and buffers meanwhile, so
 * a step persisted between the two arrives on one path or the other (or both: duplicates are
 * dropped by {@code seq}). Topic delivery is at most once: on a deploy's stream a live step whose
 * {@code seq} skips numbers makes the stream ask the deploy for the ones in between.
 */
public final class StepStreams {

  /** Steps asked from a deploy at once. */
  public static final int PAGE = 1000;

  public static final String DEPLOY_ENDED = "deploy-ended";

  private StepStreams() {}

  /** Asks a deploy for its steps after {@code after}, at most {@code limit}. */
  @FunctionalInterface
  public interface Pager {
    CompletionStage<DeployEntity.Steps> page(long after, int limit);
  }

  /**
   * A subscription to {@link DeployTopic}, running from now on: steps queue in a buffer of {@code
   * buffer} until the stream is consumed; one more fails the source with {@link
   * BufferOverflowException} (the client is too far behind).
   *
   * @param source the steps; to be run once
   * @param done completes when the subscription ended (consumed, cancelled, or never consumed
   *     within the materializer's subscription timeout)
   */
  public record Live(
      Source<Step, NotUsed> source,
      ActorRef<Step> subscriber,
      UniqueKillSwitch kill,
      CompletionStage<Done> done) {

    /** Ends the subscription (idempotent). */
    public void close(ActorSystem<?> system) {
      DeployTopic.get(system).unsubscribe(subscriber);
      kill.shutdown();
    }
  }

  /**
   * Subscribes a new buffer to the topic. Choice: {@code ActorSource.actorRef} (pekko-stream-typed,
   * already on the classpath through pekko-persistence-typed) gives a typed {@code ActorRef<Step>}
   * the topic can deliver to, with a bounded buffer and an overflow strategy, and no adapter actor
   * of our own; pre-materialized so that the subscription exists before the replay is asked for.
   */
  public static Live subscribe(ActorSystem<?> system, int buffer) {
    Pair<Pair<Pair<ActorRef<Step>, UniqueKillSwitch>, CompletionStage<Done>>, Source<Step, NotUsed>>
        p =
            ActorSource.<Step>actorRef(
                    m -> false, m -> Optional.empty(), buffer, OverflowStrategy.fail())
                .viaMat(KillSwitches.single(), Keep.both())
                .watchTermination(Keep.both())
                .preMaterialize(system);
    ActorRef<Step> ref = p.first().first().first();
    DeployTopic.get(system).subscribe(ref);
    return new Live(p.second(), ref, p.first().first().second(), p.first().second());
  }

  /**
   * The steps of one deploy after {@code after}: the replay (starting with {@code first}, the
   * answer to the first page), then, unless the deploy had already ended, its live steps; the
   * stream ends after {@value #DEPLOY_ENDED}.
   */
  public static Source<Step, NotUsed> deploySteps(
      String deploy, long after, DeployEntity.Steps first, Pager pager, Live live) {
    AtomicLong last = new AtomicLong(after);
    Source<Step, NotUsed> replay = replay(first.steps(), pager).map(s -> seen(last, s));
    Source<Step, NotUsed> steps;
    if (first.status() != null && first.status().ended()) {
      steps = replay;
    } else {
      Source<Step, NotUsed> fresh =
          live.source()
              .filter(s -> deploy.equals(s.deploy()))
              .mapAsync(1, s -> withGap(last, s, pager))
              .mapConcat(l -> l);
      steps = replay.concat(fresh);
    }
    return steps.takeWhile(s -> !DEPLOY_ENDED.equals(s.type()), true);
  }

  /**
   * Every deploy's live steps; with {@code resume}, first the steps of {@code resume.deploy()}
   * after {@code resume.after()} (its first page is {@code first}), without duplicating them live.
   */
  public static Source<Step, NotUsed> allSteps(
      ResumePoint resume, DeployEntity.Steps first, Pager pager, Live live) {
    if (resume == null || first == null || first.status() == null) {
      return live.source();
    }
    AtomicLong last = new AtomicLong(resume.after());
    String deploy = resume.deploy();
    Source<Step, NotUsed> replay = replay(first.steps(), pager).map(s -> seen(last, s));
    return replay.concat(
        live.source().filter(s -> !deploy.equals(s.deploy()) || s.seq() > last.get()));
  }

  /** The SSE frames of {@code steps}, with keep-alive comments and a final comment on failure. */
  public static Source<ByteString, NotUsed> frames(
      Source<Step, NotUsed> steps,
      Function<Step, String> id,
      String opening,
      Duration keepAlive,
      int buffer) {
    return Source.single(SseFrames.comment(opening))
        .concat(
            steps
                .map(s -> SseFrames.event(id.apply(s), s))
                .recover(
                    new PFBuilder<Throwable, ByteString>()
                        .match(
                            BufferOverflowException.class,
                            e ->
                                SseFrames.comment(
                                    "dropped: this client fell more than "
                                        + buffer
                                        + " steps behind; reconnect with Last-Event-ID to resume"))
                        .matchAny(
                            e ->
                                SseFrames.comment(
                                    "stream failed: " + e + "; reconnect with Last-Event-ID"))
                        .build()))
        .keepAlive(keepAlive, () -> SseFrames.comment("keep-alive"));
  }

  private static Step seen(AtomicLong last, Step s) {
    last.accumulateAndGet(s.seq(), Math::max);
    return s;
  }

  /** The replay: {@code first}, then further pages while a page comes back full. */
  static Source<Step, NotUsed> replay(List<Step> first, Pager pager) {
    Source<Step, NotUsed> head = Source.from(first);
    if (first.size() < PAGE) {
      return head;
    }
    long from = first.get(first.size() - 1).seq();
    return head.concat(
        Source.<Long, List<Step>>unfoldAsync(
                from,
                after ->
                    after < 0
                        ? CompletableFuture.completedFuture(Optional.empty())
                        : pager
                            .page(after, PAGE)
                            .thenApply(
                                p ->
                                    p.steps().isEmpty()
                                        ? Optional.empty()
                                        : Optional.of(
                                            Pair.create(
                                                p.steps().size() < PAGE
                                                    ? -1L
                                                    : p.steps().get(p.steps().size() - 1).seq(),
                                                p.steps()))))
            .mapConcat(l -> l));
  }

  /**
   * A live step: nothing if already sent; else the steps the topic lost before it (asked from the
   * deploy; on failure they stay lost) and the step.
   */
  private static CompletionStage<List<Step>> withGap(AtomicLong last, Step s, Pager pager) {
    long before = last.get();
    if (s.seq() <= before) {
      return CompletableFuture.completedFuture(List.of());
    }
    if (s.seq() == before + 1) {
      last.set(s.seq());
      return CompletableFuture.completedFuture(List.of(s));
    }
    int missing = (int) Math.min(PAGE, s.seq() - before - 1);
    return pager
        .page(before, missing)
        .handle(
            (p, err) -> {
              List<Step> out = new ArrayList<>();
              if (p != null) {
                for (Step m : p.steps()) {
                  if (m.seq() > before && m.seq() < s.seq()) {
                    out.add(m);
                  }
                }
              }
              out.add(s);
              last.accumulateAndGet(s.seq(), Math::max);
              return out;
            });
  }
}
