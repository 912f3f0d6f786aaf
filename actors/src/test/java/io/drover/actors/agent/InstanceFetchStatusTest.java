package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.site.HealthCheck;
import io.drover.actors.site.RestartPolicy;
import io.drover.actors.site.SiteSpec;
import io.drover.actors.site.SiteSpecs;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Predicate;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** An instance waiting for its revision says so, and a failed fetch shows why, then retries. */
class InstanceFetchStatusTest {

  private static final Config CONFIG =
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load());
  private static final String REVISION = "cd".repeat(32);

  @TempDir Path tmp;

  private ActorTestKit kit;

  @AfterEach
  void stop() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
  }

  private ActorRef<HostAgent.Command> agent(ReleaseDirs releases) throws IOException {
    kit = ActorTestKit.create("fetch-status-test", CONFIG);
    int portMin = 20_000 + ThreadLocalRandom.current().nextInt(400) * 100;
    AgentSettings settings =
        new AgentSettings(
            "host-f",
            "web",
            Map.of(),
            Files.createDirectories(tmp.resolve("data")),
            portMin,
            portMin + 9,
            Duration.ofSeconds(2),
            1_000_000,
            Duration.ofSeconds(1));
    return kit.spawn(HostAgent.create(settings, releases));
  }

  private static SiteSpec spec() {
    return SiteSpecs.withDefaults(
        new SiteSpec(
            REVISION,
            List.of("sleep", "60"),
            2,
            "web",
            Map.of(),
            new HealthCheck(null, null, List.of("true"), "1s", "2s", "30s", 3),
            new RestartPolicy("200ms", "2s", "60s")));
  }

  private static InstanceStatus await(
      TestProbe<HostAgent.SiteReport> probe, Predicate<InstanceStatus> done) {
    List<HostAgent.SiteReport> seen =
        probe.fishForMessage(
            Duration.ofSeconds(30),
            r ->
                r.instances().size() == 1 && done.test(r.instances().get(0))
                    ? FishingOutcomes.complete()
                    : FishingOutcomes.continueAndIgnore());
    return seen.get(seen.size() - 1).instances().get(0);
  }

  private static void assign(ActorRef<HostAgent.Command> agent, ActorRef<HostAgent.SiteReport> to) {
    agent.tell(
        new HostAgent.Assign("shop", List.of(new HostAgent.Assignment("shop-1", 1, spec())), to));
  }

  @Test
  void aFetchInProgressShowsItsSourceInTheMessage() throws Exception {
    CompletableFuture<Path> never = new CompletableFuture<>();
    ReleaseDirs slow =
        new ReleaseDirs() {
          @Override
          public Path releaseDir(String revision) throws IOException {
            throw new IOException("not used");
          }

          @Override
          public CompletionStage<Path> resolve(
              String revision, Consumer<String> progress, Executor blocking) {
            progress.accept("fetching revision " + revision + " from 10.0.0.7:8080");
            return never;
          }
        };
    ActorRef<HostAgent.Command> agent = agent(slow);
    TestProbe<HostAgent.SiteReport> reports = kit.createTestProbe();
    assign(agent, reports.getRef());
    InstanceStatus s =
        await(reports, i -> i.message() != null && i.message().contains("10.0.0.7:8080"));
    assertEquals(InstanceState.FETCHING, s.state());
    assertEquals(0, s.pid());
    assertEquals("fetching revision " + REVISION + " from 10.0.0.7:8080", s.message());
  }

  @Test
  void aFailedFetchShowsTheReasonAndIsRetried() throws Exception {
    AtomicInteger calls = new AtomicInteger();
    Path release = Files.createDirectories(tmp.resolve("release"));
    ReleaseDirs flaky =
        revision -> {
          if (calls.incrementAndGet() == 1) {
            throw new NoSuchFileException(
                "revision " + revision + " not found on any reachable host (asked a:1: not there)");
          }
          return release;
        };
    ActorRef<HostAgent.Command> agent = agent(flaky);
    TestProbe<HostAgent.SiteReport> reports = kit.createTestProbe();
    assign(agent, reports.getRef());
    InstanceStatus failed = await(reports, i -> i.state() == InstanceState.BACKOFF);
    assertTrue(
        failed.message().contains("not found on any reachable host (asked a:1: not there)"),
        failed.message());
    InstanceStatus running = await(reports, i -> i.pid() > 0);
    assertTrue(calls.get() >= 2);
    ProcessGroups.kill(running.pid());
  }
}
