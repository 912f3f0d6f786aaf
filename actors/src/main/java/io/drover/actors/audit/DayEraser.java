package io.drover.actors.audit;

import org.apache.pekko.actor.Props;
import org.apache.pekko.persistence.AbstractPersistentActor;
import org.apache.pekko.persistence.DeleteMessagesFailure;
import org.apache.pekko.persistence.DeleteMessagesSuccess;
import org.apache.pekko.persistence.DeleteSnapshotsFailure;
import org.apache.pekko.persistence.DeleteSnapshotsSuccess;
import org.apache.pekko.persistence.Recovery;
import org.apache.pekko.persistence.RecoveryCompleted;
import org.apache.pekko.persistence.SnapshotSelectionCriteria;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Deletes the journal events and snapshots of one expired day ({@code audit|2026-08-01}), then
 * stops. A classic persistent actor because typed persistence offers no "delete everything": it
 * recovers nothing (only learns the highest sequence number), deletes up to it, and deletes every
 * snapshot. No one writes an expired day (records go to the day of their time, reads never start
 * days past the retention), so it never races the day's entity.
 */
final class DayEraser extends AbstractPersistentActor {

  private static final Logger log = LoggerFactory.getLogger(DayEraser.class);

  private final String day;
  private boolean eventsDone;
  private boolean snapshotsDone;

  private DayEraser(String day) {
    this.day = day;
  }

  static Props props(String day) {
    return Props.create(DayEraser.class, () -> new DayEraser(day));
  }

  @Override
  public String persistenceId() {
    return AuditDay.ENTITY_TYPE_KEY.name() + "|" + day;
  }

  @Override
  public Recovery recovery() {
    // replay nothing: only the highest sequence number is needed
    return Recovery.create(SnapshotSelectionCriteria.none(), Long.MAX_VALUE, 0L);
  }

  @Override
  public Receive createReceiveRecover() {
    return receiveBuilder()
        .match(
            RecoveryCompleted.class,
            done -> {
              if (lastSequenceNr() == 0) {
                eventsDone = true;
              } else {
                deleteMessages(lastSequenceNr());
              }
              deleteSnapshots(SnapshotSelectionCriteria.latest());
            })
        .build();
  }

  @Override
  public Receive createReceive() {
    return receiveBuilder()
        .match(
            DeleteMessagesSuccess.class,
            s -> {
              log.info(
                  "audit trail of {} deleted: {} records past drover.audit.retention",
                  day,
                  s.toSequenceNr());
              eventsDone = true;
              stopWhenDone();
            })
        .match(
            DeleteMessagesFailure.class,
            f -> {
              log.warn(
                  "audit trail of {} could not be deleted (tried again tomorrow): {}",
                  day,
                  f.cause().toString());
              getContext().stop(getSelf());
            })
        .match(
            DeleteSnapshotsSuccess.class,
            s -> {
              snapshotsDone = true;
              stopWhenDone();
            })
        .match(
            DeleteSnapshotsFailure.class,
            f -> {
              log.warn("audit snapshots of {} could not be deleted: {}", day, f.cause().toString());
              snapshotsDone = true;
              stopWhenDone();
            })
        .build();
  }

  private void stopWhenDone() {
    if (eventsDone && snapshotsDone) {
      getContext().stop(getSelf());
    }
  }
}
