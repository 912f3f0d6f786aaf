package io.drover.actors.audit;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;

/**
 * The audit trail as the HTTP API uses it: {@link #append} a record to its day's {@link AuditDay},
 * {@link #read} newest first across the days of the retention.
 */
public final class AuditLog {

  /** The entity of each day. */
  @FunctionalInterface
  public interface Days {
    RecipientRef<AuditDay.Command> of(LocalDate day);
  }

  /**
   * What to read.
   *
   * @param since records from this time on (see {@link AuditPaging#since})
   * @param limit at most this many, newest first
   * @param target only records matching this filter ({@link AuditPaging#matches}); null for all
   */
  public record Query(Instant since, int limit, String target) {}

  private final Days days;
  private final AuditSettings settings;
  private final Scheduler scheduler;
  private final Clock clock;

  public AuditLog(Days days, AuditSettings settings, Scheduler scheduler, Clock clock) {
    this.days = days;
    this.settings = settings;
    this.scheduler = scheduler;
    this.clock = clock;
  }

  /**
   * Starts the day entities (Cluster Sharding) and the sweeper that deletes days past the
   * retention, and returns the trail.
   */
  public static AuditLog init(ActorSystem<?> system, AuditSettings settings) {
    AuditDay.init(system, settings.maxPerDay());
    system.systemActorOf(
        AuditSweeper.create(
            settings.retention(), Clock.systemUTC(), AuditSweeper.FIRST, AuditSweeper.EVERY),
        "audit-sweeper",
        Props.empty());
    ClusterSharding sharding = ClusterSharding.get(system);
    return new AuditLog(
        day -> sharding.entityRefFor(AuditDay.ENTITY_TYPE_KEY, AuditPaging.entityId(day)),
        settings,
        system.scheduler(),
        Clock.systemUTC());
  }

  public AuditSettings settings() {
    return settings;
  }

  /** The node's clock (record times, {@code since} durations). */
  public Instant now() {
    return clock.instant();
  }

  /**
   * Keeps {@code record} in the day of its time; fails when the day's entity does not answer within
   * {@code drover.audit.write-timeout}.
   */
  public CompletionStage<AuditDay.Appended> append(AuditRecord record) {
    return AskPattern.ask(
        days.of(AuditPaging.day(record.time())),
        r -> new AuditDay.Append(record, r),
        settings.writeTimeout(),
        scheduler);
  }

  /** The newest records matching {@code query}, newest first, asking one day page at a time. */
  public CompletionStage<List<AuditRecord>> read(Query query, Duration askTimeout) {
    List<LocalDate> span = AuditPaging.days(query.since(), now());
    List<AuditRecord> out = new ArrayList<>();
    if (span.isEmpty() || query.limit() <= 0) {
      return CompletableFuture.completedFuture(out);
    }
    return readFrom(AuditPaging.Cursor.start(), span, query, askTimeout, out);
  }

  private CompletionStage<List<AuditRecord>> readFrom(
      AuditPaging.Cursor at,
      List<LocalDate> span,
      Query query,
      Duration askTimeout,
      List<AuditRecord> out) {
    int remaining = query.limit() - out.size();
    return AskPattern.<AuditDay.Command, AuditDay.Page>ask(
            days.of(span.get(at.day())),
            r -> new AuditDay.Read(query.since(), query.target(), at.before(), remaining, r),
            askTimeout,
            scheduler)
        .thenCompose(
            page -> {
              out.addAll(page.records());
              Optional<AuditPaging.Cursor> next =
                  AuditPaging.next(
                      at, page.more(), page.next(), query.limit() - out.size(), span.size());
              return next.isEmpty()
                  ? CompletableFuture.completedFuture(out)
                  : readFrom(next.get(), span, query, askTimeout, out);
            });
  }
}
