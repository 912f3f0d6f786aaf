package io.drover.actors.common;

import java.time.Duration;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/** What every event-sourced actor of Drover shares: how it restarts and what it keeps. */
public final class EventSourcing {

  private EventSourcing() {}

  /**
   * A failed journal write or recovery restarts the actor after 200 ms, doubling up to 10 s (±20%
   * jitter), so a journal that is away for a while is not hammered.
   */
  public static BackoffSupervisorStrategy onJournalFailure() {
    return SupervisorStrategy.restartWithBackoff(
        Duration.ofMillis(200), Duration.ofSeconds(10), 0.2);
  }

  /** A snapshot every {@code events} events, keeping the last two. */
  public static RetentionCriteria snapshotEvery(int events) {
    return RetentionCriteria.snapshotEvery(events, 2);
  }
}
