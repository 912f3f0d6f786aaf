package io.drover.actors.deploy;

import io.drover.actors.common.Durations;
import io.drover.actors.deploy.DeployState.HostRow;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The decisions of a running deploy, pure functions of its state and the time: which hosts start
 * next, when the canaries bake, and when the deploy or a host has failed or the deploy succeeded.
 * The entity persists what these say and drives the sites.
 */
public final class DeployPlanner {

  private DeployPlanner() {}

  /** What should happen now. */
  public sealed interface Decision {}

  /** Start these hosts, in this order. */
  public record StartHosts(List<String> hosts) implements Decision {}

  /** Every canary is done: bake them until {@code until} (epoch ms). */
  public record Bake(long until) implements Decision {}

  /** A host missed its deadline. */
  public record FailHost(String host, String reason) implements Decision {}

  /** The deploy is over. */
  public record End(DeployStatus status, String reason) implements Decision {}

  /** Nothing to do until something changes. */
  public enum Wait implements Decision {
    INSTANCE
  }

  /** The next thing to do for a running deploy; {@link Wait} for any other status. */
  public static Decision next(DeployState s, long now) {
    if (s.status() != DeployStatus.RUNNING && s.status() != DeployStatus.PAUSED) {
      return Wait.INSTANCE;
    }
    DeploySpec spec = s.spec();
    for (HostRow h : s.hosts()) {
      if (h.state() == HostState.FAILED) {
        return new End(
            DeployStatus.FAILED,
            "host " + h.host() + " failed" + (h.reason() == null ? "" : ": " + h.reason()));
      }
    }
    long deadline = s.startedAt() + spec.deployDeadlineMillis() + pausedSoFar(s, now);
    if (now > deadline) {
      return new End(
          DeployStatus.FAILED,
          "missed the deploy deadline of "
              + Durations.format(Duration.ofMillis(spec.deployDeadlineMillis()))
              + " with "
              + count(s, HostState.DONE)
              + " of "
              + s.hosts().size()
              + " hosts done");
    }
    for (HostRow h : s.hosts()) {
      if (h.state().inProgress() && now > h.startedAt() + spec.hostDeadlineMillis()) {
        return new FailHost(
            h.host(),
            "missed the host deadline of "
                + Durations.format(Duration.ofMillis(spec.hostDeadlineMillis()))
                + " while "
                + h.state().json());
      }
    }
    if (s.hosts().stream().allMatch(h -> h.state().terminal())) {
      return new End(DeployStatus.SUCCEEDED, succeeded(s));
    }
    if (s.status() == DeployStatus.PAUSED) {
      return Wait.INSTANCE;
    }
    boolean canariesLeft = s.hosts().stream().anyMatch(h -> h.canary() && !h.state().terminal());
    boolean hasCanaries = s.hosts().stream().anyMatch(HostRow::canary);
    if (!canariesLeft && hasCanaries && spec.canaryBakeMillis() > 0) {
      if (s.bakeUntil() == 0) {
        return new Bake(now + spec.canaryBakeMillis());
      }
      if (now < s.bakeUntil()) {
        return Wait.INSTANCE;
      }
    }
    return startable(s, canariesLeft);
  }

  private static Decision startable(DeployState s, boolean canariesOnly) {
    DeploySpec spec = s.spec();
    int running = 0;
    Map<String, Integer> perPool = new HashMap<>();
    for (HostRow h : s.hosts()) {
      if (h.state().inProgress()) {
        running++;
        perPool.merge(h.pool(), 1, Integer::sum);
      }
    }
    List<String> start = new ArrayList<>();
    for (HostRow h : s.hosts()) {
      if (running >= spec.parallel()) {
        break;
      }
      if (h.state() != HostState.PENDING || (canariesOnly && !h.canary())) {
        continue;
      }
      if (perPool.getOrDefault(h.pool(), 0) >= spec.perPool()) {
        continue;
      }
      start.add(h.host());
      running++;
      perPool.merge(h.pool(), 1, Integer::sum);
    }
    return start.isEmpty() ? Wait.INSTANCE : new StartHosts(List.copyOf(start));
  }

  /** Time paused so far, the current pause included. */
  static long pausedSoFar(DeployState s, long now) {
    return s.pausedMillis() + (s.pausedAt() == 0 ? 0 : Math.max(0, now - s.pausedAt()));
  }

  private static long count(DeployState s, HostState state) {
    return s.hosts().stream().filter(h -> h.state() == state).count();
  }

  private static String succeeded(DeployState s) {
    long done = count(s, HostState.DONE);
    long skipped = count(s, HostState.SKIPPED);
    long vanished = count(s, HostState.VANISHED);
    StringBuilder b = new StringBuilder().append(done).append(" hosts done");
    if (skipped > 0) {
      b.append(", ").append(skipped).append(" skipped");
    }
    if (vanished > 0) {
      b.append(", ").append(vanished).append(" vanished");
    }
    return b.toString();
  }

  /**
   * The state a host is in from what each of its sites reported; FAILED when one failed, DONE when
   * all are done, else the least advanced step.
   *
   * @param steps the latest step each site of the host reported; a site that did not report yet
   *     counts as replacing
   * @param sites how many sites run on the host
   */
  public static HostState combine(List<io.drover.actors.site.SiteRollout.Step> steps, int sites) {
    boolean done = steps.size() >= sites;
    HostState least = HostState.DONE;
    for (io.drover.actors.site.SiteRollout.Step st : steps) {
      switch (st) {
        case FAILED:
          return HostState.FAILED;
        case DONE:
          break;
        case FETCHING:
          least = HostState.FETCHING;
          done = false;
          break;
        case BUILDING:
          if (least != HostState.FETCHING) {
            least = HostState.BUILDING;
          }
          done = false;
          break;
        default:
          if (least == HostState.DONE) {
            least = HostState.REPLACING;
          }
          done = false;
      }
    }
    if (done) {
      return HostState.DONE;
    }
    return least == HostState.DONE ? HostState.REPLACING : least;
  }

  /** Hosts the deploy finished, for the sites to keep on the target after an unsuccessful end. */
  public static List<String> doneHosts(DeployState s) {
    return s.hosts().stream().filter(h -> h.state() == HostState.DONE).map(HostRow::host).toList();
  }

  /** The id of the deploy that reverts {@code id}. */
  public static String revertId(String id) {
    return id.length() <= 57 ? id + "-revert" : id.substring(0, 57) + "-revert";
  }

  /** Optional helper for views: the first failed host's reason. */
  static Optional<String> firstFailure(DeployState s) {
    return s.hosts().stream()
        .filter(h -> h.state() == HostState.FAILED)
        .map(h -> h.host() + ": " + h.reason())
        .findFirst();
  }
}
