package io.drover.actors.cron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.RunState;
import io.drover.actors.agent.RunStatus;
import io.drover.actors.agent.RunStatuses;
import io.drover.actors.cron.CronScheduler.Command;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The scheduler against fake agents and a fake clock: it persists TickStarted before it dispatches,
 * fences every incarnation with a larger token, asks the agents after a restart instead of starting
 * a run again (also when it stopped between persisting and dispatching), and records lost, missed
 * and skipped ticks with their reasons.
 */
class CronSchedulerTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "CronSchedulerTest",
          EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));
  private static final AtomicInteger counter = new AtomicInteger();
  private static final Duration WAIT = Duration.ofSeconds(10);
  private static final String REV = "a".repeat(64);
  static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    final AtomicLong millis = new AtomicLong(T0.toEpochMilli());

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return Instant.ofEpochMilli(millis.get());
    }

    void set(Instant t) {
      millis.set(t.toEpochMilli());
    }
  }

  private final TestClock clock = new TestClock();
  private TestProbe<HostDirectory.Command> directory;
  private TestProbe<HostAgent.Command> agent1;
  private TestProbe<HostAgent.Command> agent2;
  private EventSourcedBehaviorTestKit<Command, CronEvent, CronState> kit;
  private String pid;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    pid = "cron-test-" + counter.incrementAndGet();
    directory = testKit.createTestProbe();
    agent1 = testKit.createTestProbe();
    agent2 = testKit.createTestProbe();
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            org.apache.pekko.actor.typed.javadsl.Behaviors.setup(
                ctx ->
                    org.apache.pekko.actor.typed.javadsl.Behaviors.withTimers(
                        timers ->
                            new SchedulerBehavior(ctx, timers, directory.ref(), clock, pid))));
    hosts(Set.of());
  }

  /** Answers the scheduler's subscription with h1 (agent1) and h2 (agent2). */
  private void hosts(Set<String> departed) {
    HostDirectory.Subscribe sub = directory.expectMessageClass(HostDirectory.Subscribe.class, WAIT);
    sub.subscriber().tell(hostsOf(departed));
    this.subscriber = sub.subscriber();
  }

  private ActorRef<HostDirectory.Hosts> subscriber;

  private HostDirectory.Hosts hostsOf(Set<String> departed) {
    return new HostDirectory.Hosts(
        List.of(
            new HostInfo("h1", "default", Map.of(), "inc-1", agent1.ref()),
            new HostInfo("h2", "default", Map.of(), "inc-2", agent2.ref())),
        Set.of(),
        Set.of(),
        Set.of(),
        departed,
        Map.of("h1", 0, "h2", 5),
        departed);
  }

  private static CronSpec job(String schedule, Integer retry, String concurrency) {
    return new CronSpec(
        schedule,
        null,
        REV,
        List.of("sh", "-c", "echo $DROVER_TICK"),
        Map.of(),
        null,
        null,
        concurrency,
        null,
        null,
        retry,
        null);
  }

  private CronScheduler.Reply put(String name, CronSpec spec) {
    return kit.<CronScheduler.Reply>runCommand(r -> new CronScheduler.Put(name, spec, r)).reply();
  }

  private List<Object> journal() {
    return kit.persistenceTestKit().persistedInStorage(pid);
  }

  private long count(Class<?> type) {
    return journal().stream().filter(type::isInstance).count();
  }

  private void awaitJournal(java.util.function.Predicate<List<Object>> p, String what) {
    testKit
        .createTestProbe()
        .awaitAssert(
            WAIT,
            () -> {
              assertTrue(p.test(journal()), () -> what + ": " + journal());
              return null;
            });
  }

  private void awaitFence(long token) {
    awaitJournal(
        j -> j.stream().anyMatch(e -> e instanceof CronEvent.Fenced f && f.fence() == token),
        "fenced " + token);
  }

  private void wake() {
    kit.runCommand(CronScheduler.Wake.INSTANCE);
  }

  /** The next StartRun for agent1, skipping the reconcile's questions. */
  private static HostAgent.StartRun nextStart(TestProbe<HostAgent.Command> agent) {
    return (HostAgent.StartRun)
        agent
            .fishForMessage(
                WAIT,
                m ->
                    m instanceof HostAgent.StartRun
                        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                            .continueAndIgnore())
            .get(0);
  }

  private static HostAgent.GetRuns nextAsk(TestProbe<HostAgent.Command> agent) {
    return (HostAgent.GetRuns)
        agent
            .fishForMessage(
                WAIT,
                m ->
                    m instanceof HostAgent.GetRuns
                        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
                        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes
                            .continueAndIgnore())
            .get(0);
  }

  private static RunStatus status(HostAgent.StartRun s, RunState state, Integer code, long fence) {
    return new RunStatus(
        s.order().runId(), s.order().job(), "h1", state, code, 1L, null, null, fence);
  }

  @Test
  void persistsTheTickBeforeItDispatchesAndRecordsTheExit() {
    awaitFence(1);
    assertInstanceOf(CronScheduler.Saved.class, put("backup", job("@every 10s", 0, null)));
    clock.set(T0.plusMillis(10_010));
    wake();
    HostAgent.StartRun start = nextStart(agent1); // h1 is the least loaded
    assertEquals("backup-20261201T030010Z", start.order().runId());
    assertEquals("2026-12-01T03:00:10Z", start.order().tick());
    assertEquals(1, start.fence());
    assertEquals(1, count(CronEvent.TickStarted.class), "persisted before the dispatch arrived");
    start.reportTo().tell(status(start, RunState.RUNNING, null, 1));
    start.reportTo().tell(status(start, RunState.SUCCEEDED, 0, 1));
    awaitJournal(
        j ->
            j.stream()
                .anyMatch(e -> e instanceof CronEvent.RunEnded r && r.state().equals("succeeded")),
        "run ended");
    wake(); // same instant: nothing new
    assertEquals(1, count(CronEvent.TickStarted.class));
    CronView v =
        ((CronScheduler.Job)
                kit.<CronScheduler.Reply>runCommand(r -> new CronScheduler.Get("backup", r))
                    .reply())
            .job();
    assertEquals("succeeded", v.runs().get(0).state());
    assertEquals(0, v.runs().get(0).exitCode());
    assertEquals("2026-12-01T03:00:20Z", v.next().get(0));
    assertEquals(CronView.NEXT_TICKS, v.next().size());
  }

  @Test
  void eachIncarnationHasALargerFencingToken() {
    awaitFence(1);
    kit.restart();
    hosts(Set.of());
    awaitFence(2);
    kit.restart();
    hosts(Set.of());
    awaitFence(3);
    assertEquals(3, kit.getState().fence());
  }

  /**
   * The scheduler stops after persisting TickStarted and before its dispatch arrives (the message
   * is lost with it): the next incarnation asks the agent, learns the run is unknown there and
   * dispatches the same run id again with its own token; the tick is never started twice.
   */
  @Test
  void recoveryBetweenPersistAndDispatchDispatchesTheSameRunOnce() {
    awaitFence(1);
    put("report", job("@every 10s", 0, null));
    clock.set(T0.plusMillis(10_010));
    wake();
    HostAgent.StartRun lost = nextStart(agent1); // dropped: as if never sent
    kit.restart();
    hosts(Set.of());
    awaitFence(2);
    HostAgent.GetRuns ask = nextAsk(agent1);
    assertEquals(List.of(lost.order().runId()), ask.runIds());
    assertEquals(2, ask.fence());
    ask.replyTo()
        .tell(
            new RunStatuses(
                List.of(
                    // as an agent answers a run it never saw: no job name (RunRules.unknown)
                    new RunStatus(
                        lost.order().runId(),
                        null,
                        "h1",
                        RunState.UNKNOWN,
                        null,
                        null,
                        null,
                        "never seen",
                        2))));
    HostAgent.StartRun again = nextStart(agent1);
    assertEquals(lost.order().runId(), again.order().runId());
    assertEquals(2, again.fence());
    wake();
    assertEquals(1, count(CronEvent.TickStarted.class), "one TickStarted for the tick");
  }

  /** After a failover a run that is still running is not started again; its exit is recorded. */
  @Test
  void afterAFailoverARunningRunIsAskedAboutNotRestarted() {
    awaitFence(1);
    put("index", job("@every 10s", 0, null));
    clock.set(T0.plusMillis(10_010));
    wake();
    HostAgent.StartRun start = nextStart(agent1);
    kit.restart();
    hosts(Set.of());
    awaitFence(2);
    HostAgent.GetRuns ask = nextAsk(agent1);
    ask.replyTo().tell(new RunStatuses(List.of(status(start, RunState.RUNNING, null, 2))));
    ask.reportTo().tell(status(start, RunState.FAILED, 3, 2));
    awaitJournal(
        j ->
            j.stream()
                .anyMatch(
                    e ->
                        e instanceof CronEvent.RunEnded r
                            && r.state().equals("failed")
                            && r.exitCode() == 3),
        "run failed");
    agent1.expectNoMessage(Duration.ofMillis(300));
    assertEquals(1, count(CronEvent.TickStarted.class));
  }

  @Test
  void aRunWhoseHostVanishedIsLostNotRerunUnlessTheJobRetries() {
    awaitFence(1);
    put("once", job("@every 10s", 0, null));
    put("twice", job("@every 10s", 1, "allow"));
    clock.set(T0.plusMillis(10_010));
    wake();
    nextStart(agent1);
    nextStart(agent1); // both to h1, the least loaded
    subscriber.tell(hostsOf(Set.of("h1")));
    kit.runCommand(CronScheduler.Reconcile.INSTANCE);
    awaitJournal(
        j ->
            j.stream()
                    .filter(e -> e instanceof CronEvent.RunEnded r && r.state().equals("lost"))
                    .count()
                == 2,
        "both lost");
    assertTrue(
        journal().stream()
            .filter(e -> e instanceof CronEvent.RunEnded)
            .allMatch(e -> ((CronEvent.RunEnded) e).reason().contains("h1 vanished")));
    HostAgent.StartRun retry = nextStart(agent2);
    assertEquals("twice-20261201T030010Z-retry1", retry.order().runId());
    assertEquals(3, count(CronEvent.TickStarted.class), "once: no retry; twice: one retry");
    agent1.expectNoMessage(Duration.ofMillis(300));
  }

  @Test
  void aLongOutageRunsTheLatestTickAndRecordsTheRestAsMissed() {
    awaitFence(1);
    put("beat", job("@every 1s", 0, null));
    clock.set(T0.plus(Duration.ofHours(1)).plusMillis(5));
    wake();
    HostAgent.StartRun start = nextStart(agent1);
    assertEquals("beat-20261201T040000Z", start.order().runId());
    CronState.Job j = kit.getState().job("beat");
    long missed =
        j.history().stream()
            .filter(r -> r.state().equals("missed"))
            .mapToLong(RunRecord::count)
            .sum();
    assertEquals(3599, missed);
    assertTrue(j.history().size() <= CronTicks.MAX_LISTED_MISSED + 1);
    assertTrue(j.warnings().get(0).contains("3599 ticks missed"), j.warnings().toString());
  }

  @Test
  void withoutAHostTheTickWaitsThenIsMissedWithTheReason() {
    awaitFence(1);
    subscriber.tell(new HostDirectory.Hosts(List.of(), Set.of(), Set.of()));
    put("lonely", job("@every 1m", 0, null));
    clock.set(T0.plusSeconds(61));
    wake();
    assertEquals(0, count(CronEvent.TickStarted.class) + count(CronEvent.TickRecorded.class));
    clock.set(T0.plusSeconds(60 + 61));
    subscriber.tell(hostsOf(Set.of()));
    wake();
    CronState.Job j = kit.getState().job("lonely");
    RunRecord missed = j.history().get(j.history().size() - 1);
    assertEquals("missed", missed.state());
    assertEquals("2026-12-01T03:01:00Z", missed.tick());
    assertTrue(missed.reason().contains("startingDeadline 60s"), missed.reason());
  }

  @Test
  void aManualRunIsRecordedAsSuchAndForbidRefusesASecond() {
    awaitFence(1);
    put("adhoc", job("@daily", 0, null));
    CronScheduler.Reply r =
        kit.<CronScheduler.Reply>runCommand(x -> new CronScheduler.Trigger("adhoc", x)).reply();
    RunRecord run = ((CronScheduler.Triggered) r).run();
    assertTrue(run.manual());
    assertTrue(run.run().startsWith("adhoc-manual-"));
    assertEquals(run.run(), nextStart(agent1).order().runId());
    CronScheduler.Reply again =
        kit.<CronScheduler.Reply>runCommand(x -> new CronScheduler.Trigger("adhoc", x)).reply();
    assertTrue(((CronScheduler.Rejected) again).conflict());
    assertEquals(
        "2026-12-01T03:00:00Z",
        kit.getState().job("adhoc").cursor(),
        "a manual run moves no cursor");
  }

  @Test
  void aRefusedDispatchChangesNothing() {
    awaitFence(1);
    put("stale", job("@every 10s", 0, null));
    clock.set(T0.plusMillis(10_010));
    wake();
    HostAgent.StartRun start = nextStart(agent1);
    start.reportTo().tell(status(start, RunState.REFUSED, null, 7));
    kit.runCommand(CronScheduler.Reconcile.INSTANCE);
    assertEquals(0, count(CronEvent.RunEnded.class));
  }
}
