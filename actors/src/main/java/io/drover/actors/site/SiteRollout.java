package io.drover.actors.site;

import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.site.SiteEntity.Placed;
import io.drover.actors.site.SiteEntity.RolloutEnded;
import io.drover.actors.site.SiteEntity.RolloutStarted;
import io.drover.actors.site.SiteEntity.State;
import io.drover.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * The part of a site that a deploy drives, as pure functions: which hosts keep their revision until
 * the deploy releases them, and how far one released host is. The deploy decides the order; the
 * site only replaces the instances of the hosts it was given, start-new-then-stop-old.
 */
public final class SiteRollout {

  private SiteRollout() {}

  /**
   * The deploy that holds the site now.
   *
   * @param deployId the deploy
   * @param previous the spec before the deploy; restored when it does not succeed
   * @param released hosts the deploy released (their instances move to the target revision)
   */
  public record Active(String deployId, SiteSpec previous, Set<String> released)
      implements CborSerializable {
    public Active {
      released = Set.copyOf(released);
    }
  }

  /**
   * Hosts whose instances keep running what they run: during a deploy, the hosts it has not
   * released yet; after a deploy that did not succeed, the hosts that had finished (they keep the
   * target revision until the next deploy).
   *
   * @param hosts the held hosts
   * @param deployId the deploy that holds them
   * @param why for the site's problems when the deploy is over; null while it runs
   */
  public record Hold(Set<String> hosts, String deployId, String why) implements CborSerializable {
    public Hold {
      hosts = Set.copyOf(hosts);
    }
  }

  /** How far one released host is, for one site. */
  public enum Step {
    FETCHING,
    BUILDING,
    REPLACING,
    DONE,
    FAILED
  }

  /**
   * One host's progress.
   *
   * @param replaced instances of the site on the host that run the target revision and are ready
   * @param restarting instances of the target revision there that are not ready and were restarted
   *     at least once (crashed or failed their liveness check; fewer than {@code maxStartFailures}
   *     times, else the host is FAILED): a new one still starting is not counted
   * @param reason for FAILED: what failed, with the exit code and the log tail
   */
  public record Progress(String host, Step step, int replaced, int restarting, String reason) {}

  /** The event that starts deploy {@code deployId} of {@code revision} on an existing site. */
  static RolloutStarted start(State state, String deployId, String revision) {
    SiteSpec target = state.spec().withRevision(revision);
    long generation =
        state.spec().needsNewInstances(target) ? state.generation() + 1 : state.generation();
    return new RolloutStarted(
        deployId, target, generation, hostsToReplace(state, target), state.spec());
  }

  /** Hosts with a live instance that does not run {@code target}. */
  static Set<String> hostsToReplace(State state, SiteSpec target) {
    Set<String> hosts = new TreeSet<>();
    for (Placed p : state.placements().values()) {
      SiteSpec s = state.specs().get(p.generation());
      if (!p.lost() && (s == null || s.needsNewInstances(target))) {
        hosts.add(p.host());
      }
    }
    return hosts;
  }

  /**
   * The event that ends the deploy. A success keeps the target and holds nothing; otherwise the
   * previous spec comes back (at the current instance count) and the hosts that completed keep the
   * target revision, held, until the next deploy.
   *
   * @param done hosts the deploy saw finish
   */
  static RolloutEnded end(
      State state, String deployId, boolean succeeded, Set<String> done, String why) {
    if (succeeded || state.rollout() == null) {
      return new RolloutEnded(deployId, "succeeded", null, state.generation(), Set.of(), why);
    }
    SiteSpec back = state.rollout().previous().withInstances(state.spec().instances());
    long generation =
        state.spec().needsNewInstances(back) ? state.generation() + 1 : state.generation();
    Set<String> keep = new TreeSet<>();
    for (String host : done) {
      if (hostsToReplace(state, back).contains(host)) {
        keep.add(host);
      }
    }
    return new RolloutEnded(deployId, "ended", back, generation, keep, why);
  }

  /**
   * How far each of {@code hosts} is: DONE when every live instance of the site there runs the
   * current spec and is ready (or none is left there), FAILED when an instance of the current spec
   * there failed to become ready {@code maxStartFailures} times, else where it is.
   *
   * @param observed what the host last reported of a placement; null when nothing
   */
  static List<Progress> progress(
      State state,
      java.util.Collection<String> hosts,
      int maxStartFailures,
      Function<Placed, InstanceStatus> observed) {
    java.util.Map<String, List<Placed>> byHost = new java.util.HashMap<>();
    for (Placed p : state.sortedPlacements()) {
      byHost.computeIfAbsent(p.host(), h -> new ArrayList<>()).add(p);
    }
    List<Progress> all = new ArrayList<>();
    for (String host : new TreeSet<>(hosts)) {
      all.add(
          progress(state, host, byHost.getOrDefault(host, List.of()), maxStartFailures, observed));
    }
    return all;
  }

  private static Progress progress(
      State state,
      String host,
      List<Placed> onHost,
      int maxStartFailures,
      Function<Placed, InstanceStatus> observed) {
    int replaced = 0;
    int restarting = 0;
    boolean outgoing = false;
    boolean waiting = false;
    Step step = Step.REPLACING;
    for (Placed p : onHost) {
      if (p.lost()) {
        continue;
      }
      SiteSpec s = state.specs().get(p.generation());
      boolean current = s != null && !s.needsNewInstances(state.spec());
      InstanceStatus st = observed.apply(p);
      if (!current) {
        outgoing = true;
        continue;
      }
      if (st != null && st.isReady()) {
        replaced++;
        continue;
      }
      waiting = true;
      if (st != null && st.restarts() >= maxStartFailures) {
        return new Progress(host, Step.FAILED, replaced, restarting, failure(p, st));
      }
      if (st != null && st.restarts() > 0) {
        restarting++;
      }
      if (st != null && st.state().name().equals("FETCHING")) {
        step = Step.FETCHING;
      } else if (st != null && st.state().name().equals("BUILDING")) {
        step = Step.BUILDING;
      }
    }
    if (!outgoing && !waiting) {
      return new Progress(host, Step.DONE, replaced, 0, null);
    }
    return new Progress(host, step, replaced, restarting, null);
  }

  private static String failure(Placed p, InstanceStatus st) {
    List<String> parts = new ArrayList<>();
    parts.add(
        "instance "
            + p.instanceId()
            + " failed to become ready "
            + st.restarts()
            + (st.restarts() == 1 ? " time" : " times"));
    if (st.lastExit() != null) {
      parts.add("exit " + st.lastExit());
    }
    if (st.message() != null) {
      parts.add(st.message());
    }
    return String.join(": ", parts);
  }
}
