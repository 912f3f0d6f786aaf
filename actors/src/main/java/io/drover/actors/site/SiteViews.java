package io.drover.actors.site;

import io.drover.actors.agent.InstanceState;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.common.Durations;
import io.drover.actors.host.HostInfo;
import io.drover.actors.site.SiteEntity.Placed;
import io.drover.actors.site.SiteEntity.SiteStatus;
import io.drover.actors.site.SiteEntity.SiteView;
import io.drover.actors.site.SiteEntity.State;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * A site as the API shows it, a pure function of its state and what it observes: every placed
 * instance with what its host last reported, and a status with one line per problem.
 */
final class SiteViews {

  private SiteViews() {}

  /**
   * @param name the site name
   * @param state an existing site
   * @param seen what the site observes
   * @param now the current time (epoch ms)
   * @param grace how long an instance may stay missing before it is replaced
   */
  static SiteView view(String name, State state, SiteObservations seen, long now, Duration grace) {
    SiteSpec spec = state.spec();
    List<HostInfo> hosts = seen.hosts();
    boolean hostsReceived = seen.hostsReceived();
    List<InstanceStatus> instances = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    Set<String> readyHosts = new TreeSet<>();
    int ready = 0;
    long eligible =
        hosts.stream().filter(h -> spec.pool().equals(h.pool())).map(HostInfo::name).count();
    if (hostsReceived && eligible == 0) {
      problems.add(
          "no host in pool " + spec.pool() + ": add hosts to pool " + spec.pool() + " to run it");
    } else if (hostsReceived && eligible < 2) {
      problems.add(
          "runs on 1 distinct host: add hosts to pool "
              + spec.pool()
              + " to survive a host failure");
    }
    List<String> schedulable =
        hosts.stream()
            .filter(h -> spec.pool().equals(h.pool()) && seen.directory().schedulable(h.name()))
            .map(HostInfo::name)
            .toList();
    if (hostsReceived && eligible > 0 && schedulable.isEmpty()) {
      problems.add(
          "no schedulable host in pool "
              + spec.pool()
              + ": every host is cordoned, draining or unreachable, so no instance can be"
              + " placed or moved (uncordon a host or add one)");
    }
    SiteRollout.Hold hold = state.hold();
    if (hold != null && hold.why() != null && state.rollout() == null) {
      problems.add(
          "hosts "
              + String.join(", ", new TreeSet<>(hold.hosts()))
              + " keep another revision than "
              + spec.revision()
              + " ("
              + hold.why()
              + "): deploy again or revert");
    }
    for (Placed p : state.sortedPlacements()) {
      if (!p.lost() && seen.directory().draining().contains(p.host())) {
        problems.add(
            "instance "
                + p.instanceId()
                + " on host "
                + p.host()
                + ": the host is draining; "
                + (schedulable.isEmpty()
                    ? "no other host of pool "
                        + spec.pool()
                        + " can take it, so it keeps running there (add a host or uncordon "
                        + p.host()
                        + ")"
                    : "it stops once its replacement on another host is ready"));
      }
    }
    for (Placed p : state.sortedPlacements()) {
      InstanceStatus st = seen.observed(p);
      boolean missing = hostsReceived && st == null && seen.lastReported(p) != null;
      missing |= hostsReceived && (seen.hostInfo(p.host()) == null || p.lost());
      if (st == null || p.lost()) {
        SiteSpec s = state.specs().get(p.generation());
        InstanceStatus last = seen.lastReported(p);
        st =
            new InstanceStatus(
                p.instanceId(),
                name,
                p.host(),
                last == null ? 0 : last.pid(),
                last == null ? 0 : last.port(),
                missing ? InstanceState.UNKNOWN : InstanceState.STARTING,
                s == null ? null : s.revision(),
                p.epoch(),
                last == null ? 0 : last.restarts(),
                last == null ? null : last.lastExit(),
                missing ? seen.missingReason(p, now) : null,
                last == null ? 0 : last.sinceMillis());
      }
      instances.add(st);
      if (st.isReady()) {
        ready++;
        readyHosts.add(p.host());
      } else if (missing) {
        problems.add(
            "instance "
                + p.instanceId()
                + " on host "
                + p.host()
                + ": "
                + seen.missingReason(p, now)
                + (p.lost() ? ", being replaced" : ", replaced after " + Durations.format(grace)));
      } else if (st.pid() != 0 || st.lastExit() != null || st.message() != null) {
        StringBuilder line =
            new StringBuilder("instance ")
                .append(p.instanceId())
                .append(" on host ")
                .append(p.host())
                .append(": ")
                .append(st.state().json());
        if (st.lastExit() != null) {
          line.append(", last exit ").append(st.lastExit());
        }
        if (st.message() != null) {
          line.append(": ").append(st.message());
        }
        problems.add(line.toString());
      }
    }
    int desired = spec.instances();
    boolean degraded = ready < desired || readyHosts.size() < 2;
    return new SiteView(
        name,
        spec,
        new SiteStatus(desired, ready, readyHosts.size(), degraded, List.copyOf(problems)),
        List.copyOf(instances),
        deployHold(state));
  }

  private static SiteEntity.DeployHold deployHold(State state) {
    SiteRollout.Active r = state.rollout();
    List<String> held = List.copyOf(new TreeSet<>(state.heldHosts()));
    if (r != null) {
      return new SiteEntity.DeployHold(
          r.deployId(),
          true,
          r.previous().revision(),
          List.copyOf(new TreeSet<>(r.released())),
          held);
    }
    if (state.hold() != null) {
      return new SiteEntity.DeployHold(state.hold().deployId(), false, null, List.of(), held);
    }
    return null;
  }
}
