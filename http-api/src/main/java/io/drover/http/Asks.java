package io.drover.http;

import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/** Asks with the configured timeout; a timeout surfaces as 503 through {@link ApiErrors}. */
final class Asks {

  private final Scheduler scheduler;
  private final Duration timeout;

  Asks(Scheduler scheduler, Duration timeout) {
    this.scheduler = scheduler;
    this.timeout = timeout;
  }

  <Req, Res> CompletionStage<Res> ask(
      RecipientRef<Req> target, Function<ActorRef<Res>, Req> message) {
    return AskPattern.ask(target, message::apply, timeout, scheduler);
  }

  /** As {@link #ask(RecipientRef, Function)} with a shorter {@code timeout}. */
  <Req, Res> CompletionStage<Res> ask(
      RecipientRef<Req> target, Function<ActorRef<Res>, Req> message, Duration timeout) {
    return AskPattern.ask(target, message::apply, timeout, scheduler);
  }

  Duration timeout() {
    return timeout;
  }
}
