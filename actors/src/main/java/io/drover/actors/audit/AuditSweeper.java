package io.drover.actors.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Deletes the days that fell out of the retention: a while after the node starts and then daily,
 * the {@link AuditPaging#expired} days are erased ({@link DayEraser}; idempotent, so every node may
 * do it).
 */
final class AuditSweeper {

  /** Days past the retention that each sweep erases (a cluster down longer leaves older ones). */
  static final int WINDOW = 7;

  /** The first sweep waits this long after start (not to add to a node's start). */
  static final Duration FIRST = Duration.ofMinutes(5);

  static final Duration EVERY = Duration.ofHours(24);

  enum Sweep {
    INSTANCE
  }

  private AuditSweeper() {}

  static Behavior<Sweep> create(Duration retention, Clock clock, Duration first, Duration every) {
    return Behaviors.<Sweep>setup(
        ctx ->
            Behaviors.withTimers(
                timers -> {
                  timers.startTimerWithFixedDelay(Sweep.INSTANCE, first, every);
                  return Behaviors.receiveMessage(
                      sweep -> {
                        for (LocalDate day :
                            AuditPaging.expired(clock.instant(), retention, WINDOW)) {
                          Adapter.actorOf(ctx, DayEraser.props(AuditPaging.entityId(day)));
                        }
                        return Behaviors.same();
                      });
                }));
  }
}
