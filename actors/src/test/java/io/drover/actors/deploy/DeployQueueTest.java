package io.drover.actors.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.actors.deploy.DeployQueue.Entry;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeployQueueTest {

  private long seq;

  private Entry entry(
      String id, DeployStatus state, boolean front, boolean admitted, String... sites) {
    DeployDirectory.Summary s =
        new DeployDirectory.Summary(
            id, state, List.of(sites), "rev", "why", "me", seq, 0, 0, front ? "x" : null);
    return new Entry(s, front, admitted, seq++);
  }

  private Entry waiting(String id, String... sites) {
    return entry(id, DeployStatus.QUEUED, false, false, sites);
  }

  private Entry running(String id, String... sites) {
    return entry(id, DeployStatus.RUNNING, false, true, sites);
  }

  private Entry revert(String id, String... sites) {
    return entry(id, DeployStatus.QUEUED, true, false, sites);
  }

  @Test
  void firstComeFirstServedAmongOverlappingDeploys() {
    List<Entry> q = List.of(waiting("d1", "web"), waiting("d2", "web"), waiting("d3", "web"));
    assertEquals(List.of("d1"), DeployQueue.admissible(q));
    assertEquals(1, DeployQueue.position(q, "d1"));
    assertEquals(2, DeployQueue.position(q, "d2"));
    assertEquals(3, DeployQueue.position(q, "d3"));
  }

  @Test
  void aRunningDeployBlocksEveryWaitingOneOfItsSites() {
    List<Entry> q =
        List.of(running("d1", "web", "api"), waiting("d2", "api"), waiting("d3", "web"));
    assertEquals(List.of(), DeployQueue.admissible(q));
    assertEquals(0, DeployQueue.position(q, "d1"), "a running deploy is not waiting");
    assertEquals(1, DeployQueue.position(q, "d2"));
  }

  @Test
  void nonOverlappingDeploysStartTogether() {
    List<Entry> q =
        List.of(
            running("d0", "db"), waiting("d1", "web"), waiting("d2", "api"), waiting("d3", "db"));
    assertEquals(List.of("d1", "d2"), DeployQueue.admissible(q));
  }

  @Test
  void aLaterDeployNeverOvertakesAnEarlierOneOfASharedSite() {
    // d2 (web, api) waits for d1 on web; d3 (api) is free of running deploys but d2 is ahead of it
    List<Entry> q =
        List.of(running("d1", "web"), waiting("d2", "web", "api"), waiting("d3", "api"));
    assertEquals(List.of(), DeployQueue.admissible(q));
    // and a deploy of an unrelated site still goes
    List<Entry> more = new ArrayList<>(q);
    more.add(waiting("d4", "db"));
    assertEquals(List.of("d4"), DeployQueue.admissible(more));
  }

  @Test
  void endedDeploysFreeTheirSites() {
    List<Entry> q =
        List.of(
            entry("d1", DeployStatus.SUCCEEDED, false, true, "web"),
            entry("d2", DeployStatus.ABORTED, false, false, "web"),
            waiting("d3", "web"));
    assertEquals(List.of("d3"), DeployQueue.admissible(q));
    assertEquals(0, DeployQueue.position(q, "d2"), "an ended deploy never waits");
    assertEquals(1, DeployQueue.position(q, "d3"));
  }

  @Test
  void revertsGoAheadOfPlainDeploys() {
    List<Entry> q =
        List.of(
            running("d1", "web"),
            waiting("d2", "web"),
            waiting("d3", "web"),
            revert("d1-revert", "web"));
    assertEquals(1, DeployQueue.position(q, "d1-revert"));
    assertEquals(2, DeployQueue.position(q, "d2"));
    assertEquals(3, DeployQueue.position(q, "d3"));

    List<Entry> freed =
        List.of(
            entry("d1", DeployStatus.FAILED, false, true, "web"),
            waiting("d2", "web"),
            revert("d1-revert", "web"));
    assertEquals(List.of("d1-revert"), DeployQueue.admissible(freed));
  }

  @Test
  void anAdmittedDeployThatHasNotEndedHoldsItsSitesWhileStillQueued() {
    // told to start, not running yet (the sites have not answered): still holds them
    List<Entry> q =
        List.of(entry("d1", DeployStatus.QUEUED, false, true, "web"), waiting("d2", "web"));
    assertEquals(List.of(), DeployQueue.admissible(q));
    assertEquals(List.of("d1"), DeployQueue.overlapping(q, List.of("web"), "d2"));
  }

  @Test
  void overlappingListsActiveDeploysSharingASiteExceptTheGivenOne() {
    List<Entry> q =
        List.of(
            running("d1", "web"),
            running("d2", "api", "db"),
            running("d3", "cache"),
            waiting("d4", "web"),
            entry("d5", DeployStatus.SUCCEEDED, false, true, "web"));
    assertEquals(List.of("d1", "d2"), DeployQueue.overlapping(q, List.of("web", "db"), "none"));
    assertEquals(List.of("d2"), DeployQueue.overlapping(q, List.of("web", "db"), "d1"));
    assertEquals(List.of(), DeployQueue.overlapping(q, List.of("other"), "none"));
  }

  @Test
  void positionIsZeroForAnUnknownDeploy() {
    assertEquals(0, DeployQueue.position(List.of(waiting("d1", "web")), "nope"));
  }
}
