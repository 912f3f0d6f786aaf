package io.drover.actors.site;

import static io.drover.actors.site.SiteTransitionsTest.spec;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.InstanceState;
import io.drover.actors.agent.InstanceStatus;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import io.drover.actors.site.SiteEntity.Event;
import io.drover.actors.site.SiteEntity.InstanceLost;
import io.drover.actors.site.SiteEntity.InstancePlaced;
import io.drover.actors.site.SiteEntity.SiteView;
import io.drover.actors.site.SiteEntity.SpecSet;
import io.drover.actors.site.SiteEntity.State;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The planner and the view, on observations built by hand (no actors). */
class SitePlannerTest {

  private static final Duration GRACE = Duration.ofSeconds(10);

  private static HostInfo host(String name) {
    return new HostInfo(name, "default", Map.of(), "1", null);
  }

  private static InstanceStatus ready(String host, String id) {
    return new InstanceStatus(
        id, "web", host, 42, 8080, InstanceState.READY, "r1", 1, 0, null, null, 0);
  }

  /** web-1 on a, web-2 on b, both placed and watched at time 0. */
  private static State twoPlaced(SiteObservations seen) {
    State s = State.empty().apply(new SpecSet(spec("r1", 2), 1));
    s = s.apply(new InstancePlaced("web-1", "a", 1, 1));
    s = s.apply(new InstancePlaced("web-2", "b", 2, 1));
    seen.watch("web-1", 0);
    seen.watch("web-2", 0);
    return s;
  }

  @Test
  void nothingChangesWithinTheGrace() {
    SiteObservations seen = new SiteObservations();
    seen.hosts(new HostDirectory.Hosts(List.of(host("a"), host("b")), Set.of(), Set.of()));
    State s = twoPlaced(seen);
    assertTrue(SitePlanner.plan("web", s, seen, 10_000, GRACE).isEmpty());
  }

  @Test
  void anInstanceMissingPastTheGraceIsLostAndReplaced() {
    SiteObservations seen = new SiteObservations();
    seen.hosts(
        new HostDirectory.Hosts(List.of(host("a"), host("b"), host("c")), Set.of(), Set.of()));
    State s = twoPlaced(seen);
    assertFalse(
        seen.report(s, new HostAgent.SiteReport("a", "web", List.of(ready("a", "web-1"))), 15_000));
    List<Event> events = SitePlanner.plan("web", s, seen, 15_000, GRACE);
    InstanceLost lost = assertInstanceOf(InstanceLost.class, events.get(0));
    assertEquals("web-2", lost.instanceId());
    assertEquals("not reported by host b for 15s", lost.reason());
    InstancePlaced placed = assertInstanceOf(InstancePlaced.class, events.get(events.size() - 1));
    assertEquals("web-3", placed.instanceId());
    assertEquals(3, placed.epoch());
  }

  @Test
  void anInstanceOfADepartedHostIsLostAtOnce() {
    SiteObservations seen = new SiteObservations();
    seen.hosts(
        new HostDirectory.Hosts(
            List.of(host("a"), host("b"), host("c")), Set.of(), Set.of(), Set.of(), Set.of("b")));
    State s = twoPlaced(seen);
    List<Event> events = SitePlanner.plan("web", s, seen, 1, GRACE);
    InstanceLost lost = assertInstanceOf(InstanceLost.class, events.get(0));
    assertEquals("host b left the cluster", lost.reason());
  }

  @Test
  void aReportOfAnInstanceNotPlacedThereIsAStray() {
    SiteObservations seen = new SiteObservations();
    State s = twoPlaced(seen);
    assertTrue(
        seen.report(s, new HostAgent.SiteReport("a", "web", List.of(ready("a", "web-2"))), 1));
  }

  @Test
  void assignmentsGoToEachHostInEpochOrder() {
    State s = twoPlaced(new SiteObservations());
    s = s.apply(new InstancePlaced("web-3", "a", 3, 1));
    Map<String, List<HostAgent.Assignment>> byHost = SitePlanner.assignments(s);
    assertEquals(List.of("a", "b"), List.copyOf(byHost.keySet()));
    assertEquals(
        List.of("web-1", "web-3"),
        byHost.get("a").stream().map(HostAgent.Assignment::instanceId).toList());
    assertEquals("r1", byHost.get("b").get(0).spec().revision());
  }

  @Test
  void theViewCountsReadyInstancesAndDistinctHosts() {
    SiteObservations seen = new SiteObservations();
    seen.hosts(new HostDirectory.Hosts(List.of(host("a"), host("b")), Set.of(), Set.of()));
    State s = twoPlaced(seen);
    seen.report(s, new HostAgent.SiteReport("a", "web", List.of(ready("a", "web-1"))), 1);
    SiteView view = SiteViews.view("web", s, seen, 1, GRACE);
    assertEquals(1, view.status().ready());
    assertEquals(1, view.status().distinctHosts());
    assertTrue(view.status().degraded());
    assertEquals(InstanceState.STARTING, view.instances().get(1).state());

    seen.report(s, new HostAgent.SiteReport("b", "web", List.of(ready("b", "web-2"))), 2);
    view = SiteViews.view("web", s, seen, 2, GRACE);
    assertEquals(2, view.status().distinctHosts());
    assertFalse(view.status().degraded());
    assertEquals(List.of(), view.status().problems());
  }

  @Test
  void theViewSaysWhenThePoolHasNoHost() {
    SiteObservations seen = new SiteObservations();
    seen.hosts(new HostDirectory.Hosts(List.of(), Set.of(), Set.of()));
    SiteView view = SiteViews.view("web", twoPlaced(seen), seen, 1, GRACE);
    assertTrue(view.status().problems().get(0).startsWith("no host in pool default"));
  }
}
