package io.drover.actors.deploy;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.drover.actors.common.Durations;
import io.drover.actors.deploy.DeployState.HostRow;
import io.drover.persistence.CborSerializable;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * A deploy as the API shows it ({@code GET /api/v1/deploys/{id}}); built from its state, never
 * persisted.
 *
 * @param hosts every host in deploy order (canaries first)
 * @param abortedBy who aborted it (token name, or the deploy started with {@code force}); absent
 *     unless aborted
 * @param aborted the deploys this one aborted because it was started with {@code force}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DeployView(
    String id,
    String state,
    List<String> sites,
    String revision,
    Map<String, String> revisions,
    Map<String, String> previous,
    String seed,
    int parallel,
    int perPool,
    Canary canary,
    Deadlines deadlines,
    boolean autoRevert,
    int maxStartFailures,
    boolean force,
    String reason,
    String startedBy,
    String revertOf,
    String revertedBy,
    List<HostView> hosts,
    Counters counters,
    String createdAt,
    String startedAt,
    String endedAt,
    String endReason,
    String endedBy,
    String abortedBy,
    String bakeUntil,
    List<String> aborted)
    implements CborSerializable {

  public record Canary(int perPool, String bake) implements CborSerializable {}

  public record Deadlines(String host, String deploy) implements CborSerializable {}

  @JsonInclude(JsonInclude.Include.NON_NULL)
  public record HostView(
      String host,
      String pool,
      String state,
      String reason,
      boolean canary,
      int replaced,
      String startedAt,
      String endedAt)
      implements CborSerializable {}

  public record Counters(
      int total, int pending, int inProgress, int done, int failed, int skipped, int vanished)
      implements CborSerializable {}

  /** The view of an existing deploy. */
  public static DeployView of(DeployState s) {
    DeploySpec spec = s.spec();
    int pending = 0;
    int inProgress = 0;
    int done = 0;
    int failed = 0;
    int skipped = 0;
    int vanished = 0;
    List<HostView> hosts = new java.util.ArrayList<>(s.hosts().size());
    for (HostRow h : s.hosts()) {
      switch (h.state()) {
        case PENDING -> pending++;
        case DONE -> done++;
        case FAILED -> failed++;
        case SKIPPED -> skipped++;
        case VANISHED -> vanished++;
        default -> inProgress++;
      }
      hosts.add(
          new HostView(
              h.host(),
              h.pool(),
              h.state().json(),
              h.reason(),
              h.canary(),
              h.replaced(),
              time(h.startedAt()),
              time(h.endedAt())));
    }
    return new DeployView(
        spec.id(),
        s.status().json(),
        spec.sites(),
        spec.revision(),
        spec.revisions(),
        s.previous(),
        spec.seed(),
        spec.parallel(),
        spec.perPool(),
        new Canary(spec.canaryPerPool(), duration(spec.canaryBakeMillis())),
        new Deadlines(duration(spec.hostDeadlineMillis()), duration(spec.deployDeadlineMillis())),
        spec.autoRevert(),
        spec.maxStartFailures(),
        spec.force(),
        spec.reason(),
        spec.by(),
        spec.revertOf(),
        s.revertedBy(),
        hosts,
        new Counters(s.hosts().size(), pending, inProgress, done, failed, skipped, vanished),
        time(spec.requestedAt()),
        time(s.startedAt()),
        time(s.endedAt()),
        s.endReason(),
        s.endedBy(),
        s.abortedBy(),
        time(s.bakeUntil()),
        s.aborted());
  }

  private static String time(long millis) {
    return millis <= 0 ? null : Instant.ofEpochMilli(millis).toString();
  }

  private static String duration(long millis) {
    return Durations.format(Duration.ofMillis(millis));
  }
}
