package io.drover.actors.host;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.actors.host.HostsView.Known;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The published host list, with plain strings standing for agents. */
class HostsViewTest {

  private static Known known(String host, String incarnation, long seq) {
    return new Known(new HostInfo(host, "default", Map.of(), incarnation, null), seq);
  }

  private static HostRecord record(String host, boolean cordoned, boolean draining) {
    return new HostRecord(
        host, "default", Map.of(), "1", "addr", cordoned, draining, Instant.EPOCH, 1);
  }

  @Test
  void ofTwoIncarnationsTheReachableOneWinsElseTheNewer() {
    Map<String, Known> known =
        Map.of(
            "a-old", known("a", "old", 1), "a-new", known("a", "new", 2), "b", known("b", "1", 3));
    HostDirectory.Hosts all = HostsView.of(known, agent -> true, List.of(), Set.of(), Map.of());
    assertEquals(List.of("a", "b"), all.hosts().stream().map(HostInfo::name).toList());
    assertEquals("new", all.hosts().get(0).incarnation());
    assertEquals(Set.of(), all.unreachable());

    HostDirectory.Hosts newUnreachable =
        HostsView.of(known, agent -> !agent.equals("a-new"), List.of(), Set.of(), Map.of());
    assertEquals("old", newUnreachable.hosts().get(0).incarnation());
    assertEquals(Set.of(), newUnreachable.unreachable());

    HostDirectory.Hosts bothUnreachable =
        HostsView.of(known, agent -> agent.equals("b"), List.of(), Set.of(), Map.of());
    assertEquals("new", bothUnreachable.hosts().get(0).incarnation());
    assertEquals(Set.of("a"), bothUnreachable.unreachable());
  }

  @Test
  void recordsDepartedAndLoadAreReportedForKnownHostsOnly() {
    Map<String, Known> known = Map.of("a", known("a", "1", 1));
    HostDirectory.Hosts hosts =
        HostsView.of(
            known,
            agent -> true,
            List.of(record("a", true, false), record("c", false, true)),
            Set.of("a", "gone"),
            Map.of("a", 3, "gone", 1));
    assertEquals(Set.of("a", "c"), hosts.unschedulable());
    assertEquals(Set.of("c"), hosts.draining());
    assertEquals(Set.of("gone"), hosts.departed(), "a host that is back has not departed");
    assertEquals(Map.of("a", 3), hosts.load());
    assertEquals(Set.of(), hosts.vanished(), "none vanished unless told");
  }

  @Test
  void vanishedHostsAreTheDepartedOnesThatDidNotLeaveCleanly() {
    Map<String, Known> known = Map.of("a", known("a", "1", 1));
    HostDirectory.Hosts hosts =
        HostsView.of(
            known,
            agent -> true,
            List.of(),
            Set.of("a", "killed", "left"),
            Set.of("a", "killed", "never-departed"),
            Map.of());
    assertEquals(Set.of("killed", "left"), hosts.departed());
    assertEquals(
        Set.of("killed"),
        hosts.vanished(),
        "a host that is back, or that never departed, has not vanished");
  }
}
