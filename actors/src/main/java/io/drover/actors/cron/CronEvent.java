package io.drover.actors.cron;

import io.drover.persistence.CborSerializable;

/** What the cron scheduler persists. Journal types: change them only compatibly. */
public sealed interface CronEvent extends CborSerializable {

  /**
   * A job was created or changed.
   *
   * @param spec with defaults
   * @param at when (epoch ms)
   * @param resetCursor true for a new job, a changed schedule or time zone, or a resumed job: only
   *     ticks after {@code at} are considered
   */
  record JobPut(String job, CronSpec spec, long at, boolean resetCursor) implements CronEvent {}

  /** A job was deleted, with its history. */
  record JobDeleted(String job, long at) implements CronEvent {}

  /**
   * A scheduler incarnation took over: every dispatch from now on carries {@code fence}, and agents
   * refuse anything carrying a smaller one.
   */
  record Fenced(long fence, String address, long at) implements CronEvent {}

  /** A run was decided and is dispatched after this is persisted (never before). */
  record TickStarted(String job, RunRecord run) implements CronEvent {}

  /** A tick (or a range, see {@link RunRecord#count()}) that does not run: missed or skipped. */
  record TickRecorded(String job, RunRecord record) implements CronEvent {}

  /** A run ended: succeeded, failed or lost. */
  record RunEnded(
      String job,
      String run,
      String state,
      Integer exitCode,
      Long startedAt,
      long endedAt,
      String reason)
      implements CronEvent {}

  /** Something an operator should see about a job (many missed ticks at once, say). */
  record JobWarned(String job, long at, String message) implements CronEvent {}
}
