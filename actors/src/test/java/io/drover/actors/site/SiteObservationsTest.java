package io.drover.actors.site;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.actors.agent.HostAgent;
import io.drover.actors.host.HostDirectory.Hosts;
import io.drover.actors.host.HostInfo;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class SiteObservationsTest {

  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final ActorRef<HostAgent.Command> AGENT_1 =
      testKit.<HostAgent.Command>createTestProbe().ref();
  private static final ActorRef<HostAgent.Command> AGENT_2 =
      testKit.<HostAgent.Command>createTestProbe().ref();

  @AfterAll
  static void stop() {
    testKit.shutdownTestKit();
  }

  private static HostInfo host(String name, String incarnation, ActorRef<HostAgent.Command> a) {
    return new HostInfo(name, "p", Map.of(), incarnation, a);
  }

  private static Hosts hosts(
      List<HostInfo> list, Set<String> unreachable, Map<String, Integer> load) {
    return new Hosts(list, unreachable, Set.of(), Set.of(), Set.of(), load);
  }

  @Test
  void theFirstListMakesEveryHostNew() {
    Hosts first =
        hosts(List.of(host("a", "1", AGENT_1), host("b", "1", AGENT_2)), Set.of(), Map.of());
    assertEquals(Set.of("a", "b"), SiteObservations.changedHosts(null, first));
    SiteObservations seen = new SiteObservations();
    assertEquals(Set.of("a", "b"), seen.hosts(first));
    assertEquals(Set.of(), seen.hosts(first), "the same list again changes nothing");
  }

  @Test
  void aLoadOrCordonChangeResendsNothing() {
    List<HostInfo> list = List.of(host("a", "1", AGENT_1), host("b", "1", AGENT_2));
    Hosts before = hosts(list, Set.of(), Map.of("a", 1));
    Hosts after =
        new Hosts(list, Set.of(), Set.of("b"), Set.of("b"), Set.of(), Map.of("a", 2, "b", 5));
    assertEquals(Set.of(), SiteObservations.changedHosts(before, after));
  }

  @Test
  void newRestartedAndReachableAgainHostsAreResent() {
    Hosts before =
        hosts(
            List.of(host("a", "1", AGENT_1), host("b", "1", AGENT_2), host("c", "1", AGENT_1)),
            Set.of("c"),
            Map.of());
    Hosts after =
        hosts(
            List.of(
                host("a", "2", AGENT_1),
                host("b", "1", AGENT_1),
                host("c", "1", AGENT_1),
                host("d", "1", AGENT_2)),
            Set.of(),
            Map.of());
    assertEquals(
        Set.of("a", "b", "c", "d"),
        SiteObservations.changedHosts(before, after),
        "a: new incarnation, b: new agent, c: reachable again, d: new");
  }

  @Test
  void aHostThatBecomesUnreachableOrLeavesIsNotResent() {
    Hosts before =
        hosts(List.of(host("a", "1", AGENT_1), host("b", "1", AGENT_2)), Set.of(), Map.of());
    Hosts after = hosts(List.of(host("a", "1", AGENT_1)), Set.of("a"), Map.of());
    assertEquals(Set.of(), SiteObservations.changedHosts(before, after));
  }

  @Test
  void hostInfoIsFoundByName() {
    SiteObservations seen = new SiteObservations();
    seen.hosts(hosts(List.of(host("a", "1", AGENT_1)), Set.of(), Map.of()));
    assertEquals("1", seen.hostInfo("a").incarnation());
    assertEquals(null, seen.hostInfo("zz"));
  }
}
