package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.HostAgent.Assign;
import io.drover.actors.agent.HostAgent.Assignment;
import io.drover.actors.agent.HostAgent.SiteReport;
import io.drover.actors.host.HostInfo;
import io.drover.actors.host.HostLoad;
import io.drover.actors.host.HostLoadTopic;
import io.drover.actors.site.SiteSpec;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SimulatedAgentTest {

  private static final Config CONFIG =
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load());
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final Duration START = Duration.ofMillis(300);
  private static final String GOOD = "aa".repeat(32);
  private static final String BAD = "bb".repeat(32);
  private static final String SITE = "shop";

  private ActorTestKit testKit;

  @BeforeEach
  void setUp() {
    testKit = ActorTestKit.create("SimulatedAgentTest", CONFIG);
  }

  @AfterEach
  void tearDown() {
    testKit.shutdownTestKit();
  }

  private ActorRef<HostAgent.Command> agent() {
    return testKit.spawn(
        SimulatedAgent.create(
            new SimulatedAgent.Settings(
                "node-sim-0001",
                "sim-1",
                START,
                Duration.ofMillis(50),
                Set.of(BAD),
                Duration.ofSeconds(30),
                Duration.ofMillis(200))));
  }

  private static Assignment assignment(long epoch, String revision) {
    SiteSpec spec =
        new SiteSpec(revision, List.of("sleep", "1000"), 2, "sim-1", Map.of(), null, null);
    return new Assignment(SITE + "-" + epoch, epoch, spec);
  }

  private static SiteReport awaitReport(TestProbe<SiteReport> probe, Predicate<SiteReport> until) {
    return (SiteReport)
        probe
            .fishForMessage(
                WAIT,
                r ->
                    until.test(r)
                        ? FishingOutcomes.complete()
                        : FishingOutcomes.continueAndIgnore())
            .get(0);
  }

  private static boolean all(SiteReport r, int n, InstanceState state) {
    return r.instances().size() == n && r.instances().stream().allMatch(i -> i.state() == state);
  }

  @Test
  void assignedInstancesBecomeReadyAfterTheStartTimeAndGoWhenUnassigned() {
    ActorRef<HostAgent.Command> agent = agent();
    TestProbe<SiteReport> reports = testKit.createTestProbe();
    long t0 = System.nanoTime();
    agent.tell(new Assign(SITE, List.of(assignment(1, GOOD), assignment(2, GOOD)), reports.ref()));
    SiteReport starting = reports.expectMessageClass(SiteReport.class, WAIT);
    assertTrue(all(starting, 2, InstanceState.STARTING), starting.toString());
    assertEquals("node-sim-0001", starting.host());
    SiteReport ready = awaitReport(reports, r -> all(r, 2, InstanceState.READY));
    long tookMs = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(tookMs >= START.toMillis(), "ready after the start time, took " + tookMs);
    assertEquals(GOOD, ready.instances().get(0).revision());
    assertEquals(0, ready.instances().get(0).pid());

    TestProbe<HostAgent.Instances> instances = testKit.createTestProbe();
    agent.tell(new HostAgent.GetInstances(instances.ref()));
    assertEquals(2, instances.receiveMessage(WAIT).instances().size());

    TestProbe<StatusReply<String>> logs = testKit.createTestProbe();
    agent.tell(new HostAgent.GetLogs(SITE + "-1", 10, logs.ref()));
    assertTrue(logs.receiveMessage(WAIT).getValue().contains("simulated host node-sim-0001"));
    TestProbe<StatusReply<LogChunk>> chunks = testKit.createTestProbe();
    agent.tell(new HostAgent.ReadLogs(SITE + "-1", "end", 10, chunks.ref()));
    assertEquals(List.of(), chunks.receiveMessage(WAIT).getValue().lines());

    agent.tell(new Assign(SITE, List.of(assignment(2, GOOD)), reports.ref()));
    SiteReport stopping =
        awaitReport(
            reports,
            r -> r.instances().stream().anyMatch(i -> i.state() == InstanceState.STOPPING));
    assertEquals(2, stopping.instances().size());
    SiteReport after = awaitReport(reports, r -> r.instances().size() == 1);
    assertEquals(SITE + "-2", after.instances().get(0).id());
    assertEquals(InstanceState.READY, after.instances().get(0).state());
  }

  @Test
  void aFailingRevisionCrashesBeforeReadyAndBacksOffWithRestarts() {
    ActorRef<HostAgent.Command> agent = agent();
    TestProbe<SiteReport> reports = testKit.createTestProbe();
    agent.tell(new Assign(SITE, List.of(assignment(3, BAD)), reports.ref()));
    SiteReport crashed =
        awaitReport(
            reports, r -> all(r, 1, InstanceState.BACKOFF) && r.instances().get(0).restarts() >= 2);
    InstanceStatus s = crashed.instances().get(0);
    assertEquals(1, s.lastExit());
    assertEquals("simulated crash", s.message());
    assertEquals(BAD, s.revision());

    agent.tell(new Assign(SITE, List.of(), reports.ref()));
    awaitReport(reports, r -> r.instances().isEmpty());
  }

  @Test
  void itDescribesItselfAsSimulatedPublishesItsLoadAndStopsAll() {
    TestProbe<HostLoad> loads = testKit.createTestProbe();
    HostLoadTopic.get(testKit.system()).subscribe(loads.ref());
    ActorRef<HostAgent.Command> agent = agent();
    TestProbe<HostInfo> info = testKit.createTestProbe();
    agent.tell(new HostAgent.Describe(info.ref()));
    HostInfo described = info.receiveMessage(WAIT);
    assertEquals("sim-1", described.pool());
    assertEquals(SimulatedAgent.DRIVER, described.labels().get(SimulatedAgent.DRIVER_LABEL));
    assertEquals(agent, described.agent());

    TestProbe<SiteReport> reports = testKit.createTestProbe();
    agent.tell(new Assign(SITE, List.of(assignment(1, GOOD), assignment(2, GOOD)), reports.ref()));
    loads.fishForMessage(
        WAIT,
        l ->
            l.instances() == 2 && l.incarnation().equals(described.incarnation())
                ? FishingOutcomes.complete()
                : FishingOutcomes.continueAndIgnore());

    TestProbe<Done> done = testKit.createTestProbe();
    agent.tell(new HostAgent.StopAll(done.ref()));
    done.expectMessage(WAIT, Done.getInstance());
    loads.fishForMessage(
        WAIT,
        l -> l.instances() == 0 ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }
}
