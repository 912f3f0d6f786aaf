package io.drover.actors.deploy;

import io.drover.actors.deploy.DeployEntity.AbortedByForce;
import io.drover.actors.deploy.DeployEntity.BakeStarted;
import io.drover.actors.deploy.DeployEntity.Ended;
import io.drover.actors.deploy.DeployEntity.Event;
import io.drover.actors.deploy.DeployEntity.HostDone;
import io.drover.actors.deploy.DeployEntity.HostFailed;
import io.drover.actors.deploy.DeployEntity.HostProgressed;
import io.drover.actors.deploy.DeployEntity.HostSkipped;
import io.drover.actors.deploy.DeployEntity.HostStarted;
import io.drover.actors.deploy.DeployEntity.Paused;
import io.drover.actors.deploy.DeployEntity.Requested;
import io.drover.actors.deploy.DeployEntity.Resumed;
import io.drover.actors.deploy.DeployEntity.RevertLinked;
import io.drover.actors.deploy.DeployEntity.Settled;
import io.drover.actors.deploy.DeployEntity.Started;
import io.drover.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The persisted state of one deploy and how each event changes it (pure, also run on recovery).
 *
 * @param spec the request; null before the first event
 * @param status where the deploy is
 * @param previous each site's revision before the deploy (known once started)
 * @param hosts every host in deploy order, canaries first
 * @param hostSites which of the deploy's sites run on each host
 * @param startedAt epoch ms when it started running; 0 while queued
 * @param endedAt epoch ms when it ended; 0 before
 * @param endReason why it ended (for failed, aborted and reverted: what happened)
 * @param endedBy who ended it ({@code drover} when the deploy itself decided, the forcing deploy's
 *     id when one started with {@code force} aborted it)
 * @param pausedAt epoch ms of the pause now in force; 0 when not paused
 * @param pausedMillis time spent paused before, not counted against the deploy deadline
 * @param bakeUntil epoch ms until which the canaries bake; 0 before the bake started
 * @param revertedBy the deploy that reverts this one; null for none
 * @param settled every site and the queue were told the deploy ended
 * @param steps every step so far, in order: what the event streams replay
 * @param aborted the deploys this one aborted because it was started with {@code force}
 */
public record DeployState(
    DeploySpec spec,
    DeployStatus status,
    Map<String, String> previous,
    List<HostRow> hosts,
    Map<String, List<String>> hostSites,
    long startedAt,
    long endedAt,
    String endReason,
    String endedBy,
    long pausedAt,
    long pausedMillis,
    long bakeUntil,
    String revertedBy,
    boolean settled,
    List<Step> steps,
    List<String> aborted)
    implements CborSerializable {

  public DeployState {
    aborted = aborted == null ? List.of() : List.copyOf(aborted);
  }

  /** The most steps a deploy keeps for replay; older ones are dropped (the first is kept). */
  public static final int MAX_STEPS = 20_000;

  /**
   * One host of the deploy.
   *
   * @param replaced instances of the deploy's sites on it that run the target and are ready
   */
  public record HostRow(
      String host,
      String pool,
      boolean canary,
      HostState state,
      String reason,
      int replaced,
      long startedAt,
      long endedAt)
      implements CborSerializable {

    HostRow with(HostState s, String why, int n, long start, long end) {
      return new HostRow(host, pool, canary, s, why, n, start, end);
    }
  }

  static DeployState empty() {
    return new DeployState(
        null,
        DeployStatus.QUEUED,
        Map.of(),
        List.of(),
        Map.of(),
        0,
        0,
        null,
        null,
        0,
        0,
        0,
        null,
        false,
        List.of(),
        List.of());
  }

  /**
   * Who aborted the deploy: the caller of {@code POST /deploys/{id}/abort}, or the id of the deploy
   * started with {@code force} that took its sites; null unless it was aborted. Read from the
   * {@code Ended} event's {@code by}, so old journals show it too.
   */
  public String abortedBy() {
    return status == DeployStatus.ABORTED ? endedBy : null;
  }

  public boolean exists() {
    return spec != null;
  }

  public HostRow host(String name) {
    for (HostRow h : hosts) {
      if (h.host().equals(name)) {
        return h;
      }
    }
    return null;
  }

  /** The sequence number the next step gets (1 for the first). */
  long nextSeq() {
    return steps.isEmpty() ? 1 : steps.get(steps.size() - 1).seq() + 1;
  }

  DeployState apply(Event event) {
    long seq = nextSeq();
    String id = spec == null ? null : spec.id();
    Copy c = new Copy(this);
    if (event instanceof Requested e) {
      c.spec = e.spec();
      c.status = DeployStatus.QUEUED;
      return c.step(
          new Step(
              e.spec().id(),
              seq,
              e.spec().requestedAt(),
              "deploy-queued",
              null,
              null,
              "queued",
              e.spec().reason()));
    } else if (event instanceof Started e) {
      c.status = DeployStatus.RUNNING;
      c.previous = Map.copyOf(e.previous());
      c.hosts = List.copyOf(e.hosts());
      c.hostSites = Map.copyOf(e.hostSites());
      c.startedAt = e.at();
      c.pausedAt = 0;
      return c.step(
          new Step(
              id,
              seq,
              e.at(),
              "deploy-started",
              null,
              null,
              "running",
              e.hosts().size() + " hosts"));
    } else if (event instanceof HostStarted e) {
      c.host(e.host(), HostState.REPLACING, null, -1, e.at(), 0);
      return c.step(new Step(id, seq, e.at(), "host-started", e.host(), null, "replacing", null));
    } else if (event instanceof HostProgressed e) {
      HostRow h = host(e.host());
      boolean replacedMore = h != null && e.replaced() > h.replaced();
      c.host(e.host(), e.state(), null, e.replaced(), 0, 0);
      return c.step(
          new Step(
              id,
              seq,
              e.at(),
              replacedMore ? "instance-replaced" : "host-progress",
              e.host(),
              e.site(),
              e.state().json(),
              replacedMore ? e.replaced() + " replaced" : null));
    } else if (event instanceof HostDone e) {
      c.host(e.host(), HostState.DONE, null, -1, 0, e.at());
      return c.step(new Step(id, seq, e.at(), "host-done", e.host(), null, "done", null));
    } else if (event instanceof HostFailed e) {
      c.host(e.host(), HostState.FAILED, e.reason(), -1, 0, e.at());
      return c.step(new Step(id, seq, e.at(), "host-failed", e.host(), null, "failed", e.reason()));
    } else if (event instanceof HostSkipped e) {
      c.host(e.host(), e.state(), e.reason(), -1, 0, e.at());
      String type = "host-" + e.state().json();
      return c.step(new Step(id, seq, e.at(), type, e.host(), null, e.state().json(), e.reason()));
    } else if (event instanceof BakeStarted e) {
      c.bakeUntil = e.until();
      String until = "until " + java.time.Instant.ofEpochMilli(e.until());
      return c.step(new Step(id, seq, e.at(), "canary-baking", null, null, "running", until));
    } else if (event instanceof Paused e) {
      c.status = DeployStatus.PAUSED;
      c.pausedAt = e.at();
      return c.step(new Step(id, seq, e.at(), "deploy-paused", null, null, "paused", e.reason()));
    } else if (event instanceof Resumed e) {
      long paused = pausedAt == 0 ? 0 : Math.max(0, e.at() - pausedAt);
      c.status = startedAt == 0 ? DeployStatus.QUEUED : DeployStatus.RUNNING;
      c.pausedAt = 0;
      c.pausedMillis = pausedMillis + paused;
      c.bakeUntil = bakeUntil == 0 ? 0 : bakeUntil + paused;
      return c.step(new Step(id, seq, e.at(), "deploy-resumed", null, null, "running", null));
    } else if (event instanceof Ended e) {
      List<HostRow> rows = new ArrayList<>();
      for (HostRow h : hosts) {
        if (h.state() == HostState.PENDING) {
          rows.add(h.with(HostState.SKIPPED, "the deploy ended first", h.replaced(), 0, e.at()));
        } else if (!h.state().terminal()) {
          // progress is no longer heard once the deploy ended: a host in flight would show
          // fetching/building/replacing for ever; its site goes back to the previous revision
          rows.add(
              h.with(
                  HostState.SKIPPED,
                  "the deploy ended ("
                      + e.status().json()
                      + ") while the host was "
                      + h.state().json()
                      + ": its instances go back to the previous revision",
                  h.replaced(),
                  h.startedAt(),
                  e.at()));
        } else {
          rows.add(h);
        }
      }
      c.status = e.status();
      c.hosts = rows;
      c.endedAt = e.at();
      c.endReason = e.reason();
      c.endedBy = e.by();
      c.pausedAt = 0;
      if (e.revertId() != null) {
        c.revertedBy = e.revertId();
      }
      return c.step(
          new Step(id, seq, e.at(), "deploy-ended", null, null, e.status().json(), e.reason()));
    } else if (event instanceof RevertLinked e) {
      c.revertedBy = e.revertId();
      return c.build();
    } else if (event instanceof AbortedByForce e) {
      List<String> a = new ArrayList<>(aborted);
      a.add(e.aborted());
      c.aborted = a;
      return c.step(
          new Step(
              id,
              seq,
              e.at(),
              "forced-abort",
              null,
              null,
              status.json(),
              "aborted deploy " + e.aborted() + " (force)"));
    } else if (event instanceof Settled) {
      c.settled = true;
      return c.build();
    }
    return this;
  }

  /** A mutable copy of a state, so each transition names only what it changes. */
  private static final class Copy {
    DeploySpec spec;
    DeployStatus status;
    Map<String, String> previous;
    List<HostRow> hosts;
    Map<String, List<String>> hostSites;
    long startedAt;
    long endedAt;
    String endReason;
    String endedBy;
    long pausedAt;
    long pausedMillis;
    long bakeUntil;
    String revertedBy;
    boolean settled;
    List<Step> steps;
    List<String> aborted;

    Copy(DeployState s) {
      spec = s.spec;
      status = s.status;
      previous = s.previous;
      hosts = s.hosts;
      hostSites = s.hostSites;
      startedAt = s.startedAt;
      endedAt = s.endedAt;
      endReason = s.endReason;
      endedBy = s.endedBy;
      pausedAt = s.pausedAt;
      pausedMillis = s.pausedMillis;
      bakeUntil = s.bakeUntil;
      revertedBy = s.revertedBy;
      settled = s.settled;
      steps = s.steps;
      aborted = s.aborted;
    }

    /** {@code -1} for {@code replaced} keeps the count, 0 for the times keeps them. */
    void host(String name, HostState state, String reason, int replaced, long start, long end) {
      List<HostRow> rows = new ArrayList<>(hosts.size());
      for (HostRow h : hosts) {
        rows.add(
            !h.host().equals(name)
                ? h
                : h.with(
                    state,
                    reason,
                    replaced < 0 ? h.replaced() : replaced,
                    start == 0 ? h.startedAt() : start,
                    end == 0 ? h.endedAt() : end));
      }
      hosts = rows;
    }

    /** The state with {@code s} appended to the steps (the oldest dropped past the cap). */
    DeployState step(Step s) {
      List<Step> next = new ArrayList<>(steps.size() + 1);
      if (steps.size() >= MAX_STEPS) {
        next.add(steps.get(0));
        next.addAll(steps.subList(steps.size() - MAX_STEPS + 2, steps.size()));
      } else {
        next.addAll(steps);
      }
      next.add(s);
      steps = next;
      return build();
    }

    DeployState build() {
      return new DeployState(
          spec,
          status,
          previous,
          hosts,
          hostSites,
          startedAt,
          endedAt,
          endReason,
          endedBy,
          pausedAt,
          pausedMillis,
          bakeUntil,
          revertedBy,
          settled,
          steps,
          aborted);
    }
  }
}
