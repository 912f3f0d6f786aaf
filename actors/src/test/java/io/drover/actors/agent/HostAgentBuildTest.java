package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.site.HealthCheck;
import io.drover.actors.site.RestartPolicy;
import io.drover.actors.site.SiteSpec;
import io.drover.actors.site.SiteSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
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
import org.junit.jupiter.api.io.TempDir;

/** Instances of a site with a {@code build}: built once per host, shown as building, failing. */
class HostAgentBuildTest {

  private static final Config CONFIG =
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load());
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String REVISION = "9a".repeat(32);
  private static final String COUNT =
      "n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count;";

  @TempDir Path tmp;

  private ActorTestKit kit;
  private Path release;
  private final Set<Long> seenPids = new HashSet<>();

  @BeforeEach
  void setUp() throws IOException {
    release = Files.createDirectories(tmp.resolve("release"));
  }

  @AfterEach
  void tearDown() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
    for (long pid : seenPids) {
      ProcessGroups.kill(pid);
    }
  }

  private ActorRef<HostAgent.Command> agent() throws IOException {
    kit = ActorTestKit.create("agent-build-test", CONFIG);
    int portMin = 20_000 + ThreadLocalRandom.current().nextInt(400) * 100;
    AgentSettings settings =
        new AgentSettings(
            "host-b",
            "web",
            Map.of(),
            Files.createDirectories(tmp.resolve("data")),
            portMin,
            portMin + 9,
            Duration.ofSeconds(2),
            1_000_000,
            Duration.ofSeconds(1));
    return kit.spawn(HostAgent.create(settings, revision -> release));
  }

  private static SiteSpec spec(String buildScript) {
    SiteSpec base =
        new SiteSpec(
            REVISION,
            List.of("sleep", "60"),
            2,
            "web",
            Map.of(),
            new HealthCheck(null, null, List.of("true"), "1s", "2s", "30s", 3),
            new RestartPolicy("200ms", "2s", "60s"));
    return SiteSpecs.withDefaults(
        new SiteSpec(
            base.revision(),
            base.command(),
            base.instances(),
            base.pool(),
            base.env(),
            base.health(),
            base.restart(),
            List.of("sh", "-c", buildScript),
            null));
  }

  private static HostAgent.Assign assign(
      ActorRef<HostAgent.SiteReport> to, SiteSpec spec, String... ids) {
    List<HostAgent.Assignment> list = new ArrayList<>();
    long epoch = 1;
    for (String id : ids) {
      list.add(new HostAgent.Assignment(id, epoch++, spec));
    }
    return new HostAgent.Assign("shop", list, to);
  }

  private List<InstanceStatus> await(
      TestProbe<HostAgent.SiteReport> probe, Predicate<List<InstanceStatus>> done) {
    List<HostAgent.SiteReport> seen =
        probe.fishForMessage(
            DEADLINE,
            r -> {
              r.instances().forEach(i -> seenPids.add(i.pid()));
              seenPids.remove(0L);
              return done.test(r.instances())
                  ? FishingOutcomes.complete()
                  : FishingOutcomes.continueAndIgnore();
            });
    return seen.get(seen.size() - 1).instances();
  }

  private static Predicate<List<InstanceStatus>> running(int n) {
    return l -> l.size() == n && l.stream().allMatch(i -> i.pid() > 0);
  }

  private int count() throws IOException {
    Path f = release.resolve("count");
    return Files.exists(f) ? Integer.parseInt(Files.readString(f).strip()) : 0;
  }

  private void stopAll(ActorRef<HostAgent.Command> agent) {
    TestProbe<Done> done = kit.createTestProbe();
    agent.tell(new HostAgent.StopAll(done.getRef()));
    done.expectMessage(DEADLINE, Done.getInstance());
  }

  @Test
  void instancesOfOneRevisionWaitForOneBuildAndLaterOnesSkipIt() throws Exception {
    ActorRef<HostAgent.Command> agent = agent();
    TestProbe<HostAgent.SiteReport> reports = kit.createTestProbe();
    SiteSpec spec = spec(COUNT + " sleep 3");

    long t0 = System.nanoTime();
    agent.tell(assign(reports.getRef(), spec, "shop-1", "shop-2"));
    List<InstanceStatus> building =
        await(
            reports,
            l -> l.size() == 2 && l.stream().allMatch(i -> i.state() == InstanceState.BUILDING));
    assertTrue(
        building.stream().anyMatch(i -> i.message().contains("run started by instance")),
        building.toString());
    await(reports, running(2));
    long firstMillis = (System.nanoTime() - t0) / 1_000_000;
    assertEquals(1, count(), "one build for two instances");

    long t1 = System.nanoTime();
    agent.tell(assign(reports.getRef(), spec, "shop-1", "shop-2", "shop-3"));
    await(reports, running(3));
    long cachedMillis = (System.nanoTime() - t1) / 1_000_000;
    assertEquals(1, count(), "the marker spares the third instance the build");
    System.out.printf(
        "build timing (agent, build 'sleep 3'): first instances started after %d ms,"
            + " a later instance (cached) after %d ms%n",
        firstMillis, cachedMillis);
    assertTrue(cachedMillis < firstMillis, firstMillis + " vs " + cachedMillis);
    stopAll(agent);
  }

  @Test
  void aFailedBuildFailsTheStartLikeACrashAndIsTriedAgain() throws Exception {
    ActorRef<HostAgent.Command> agent = agent();
    TestProbe<HostAgent.SiteReport> reports = kit.createTestProbe();
    agent.tell(
        assign(reports.getRef(), spec(COUNT + " echo 'pip: no such package'; exit 7"), "shop-1"));
    InstanceStatus failed =
        await(reports, l -> l.size() == 1 && l.get(0).state() == InstanceState.BACKOFF).get(0);
    assertEquals(7, failed.lastExit());
    assertEquals(0, failed.pid());
    assertTrue(failed.restarts() >= 1, failed.toString());
    assertTrue(
        failed.message().startsWith("build failed (exit 7): pip: no such package"),
        failed.message());

    await(reports, l -> l.size() == 1 && l.get(0).restarts() >= 2);
    assertTrue(count() >= 2, "no marker after a failure: the next start builds again");

    TestProbe<StatusReply<String>> logs = kit.createTestProbe();
    agent.tell(new HostAgent.GetLogs("shop-1", 20, logs.getRef()));
    String tail = logs.receiveMessage(DEADLINE).getValue();
    assertTrue(tail.contains("build failed (exit 7)"), tail);
    stopAll(agent);
  }

  @Test
  void anInstanceStoppedWhileBuildingTakesTheBuildWithIt() throws Exception {
    ActorRef<HostAgent.Command> agent = agent();
    TestProbe<HostAgent.SiteReport> reports = kit.createTestProbe();
    agent.tell(assign(reports.getRef(), spec("echo $$ > build.pid; exec sleep 60"), "shop-1"));
    await(reports, l -> l.size() == 1 && l.get(0).state() == InstanceState.BUILDING);
    Path pidFile = release.resolve("build.pid");
    Waits.nonEmptyFile(pidFile, DEADLINE);
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    seenPids.add(pid);
    assertTrue(ProcessGroups.isRunning(pid));

    agent.tell(assign(reports.getRef(), spec("echo $$ > build.pid; exec sleep 60")));
    await(reports, List::isEmpty);
    Waits.exited(pid, DEADLINE);
    assertFalse(ProcessGroups.isRunning(pid), "the build of the only waiter is killed");
    // The agent notes the build's end in the instance log after the exit: let it, before the
    // temporary directory goes.
    Waits.contains(tmp.resolve("data/logs/shop/shop-1.log"), "[drover] build", DEADLINE);
  }
}
