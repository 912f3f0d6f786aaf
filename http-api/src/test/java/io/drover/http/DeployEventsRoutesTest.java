package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.deploy.DeployEntity;
import io.drover.actors.deploy.DeployStatus;
import io.drover.actors.deploy.DeployTopic;
import io.drover.actors.deploy.Step;
import io.drover.http.events.EventSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The event streams against fake deploys (answering {@code GetSteps} from a list) and real {@link
 * DeployTopic} publications, over real HTTP.
 */
class DeployEventsRoutesTest {

  private final ActorTestKit kit = ActorTestKit.create();
  private final Map<String, FakeDeploy> deploys = new ConcurrentHashMap<>();
  private final List<SseClient> clients = new ArrayList<>();
  private ServerBinding binding;

  /** The steps a fake deploy has, its status, and steps it publishes while answering the ask. */
  static final class FakeDeploy {
    final List<Step> steps = new CopyOnWriteArrayList<>();
    volatile DeployStatus status = DeployStatus.RUNNING;
    final List<Step> racing = new CopyOnWriteArrayList<>();
    final AtomicInteger asks = new AtomicInteger();
  }

  @AfterEach
  void stop() throws Exception {
    clients.forEach(SseClient::close);
    if (binding != null) {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    kit.shutdownTestKit();
  }

  private Behavior<DeployEntity.Command> fake(String id) {
    return Behaviors.receiveMessage(
        cmd -> {
          if (cmd instanceof DeployEntity.GetSteps g) {
            FakeDeploy d = deploys.get(id);
            if (d == null) {
              g.replyTo().tell(new DeployEntity.Steps(id, null, List.of()));
              return Behaviors.same();
            }
            d.asks.incrementAndGet();
            // steps persisted while the stream is being set up: published and in the answer
            for (Step s : d.racing) {
              d.steps.add(s);
              DeployTopic.get(kit.system()).publish(s);
            }
            d.racing.clear();
            List<Step> out = new ArrayList<>();
            for (Step s : d.steps) {
              if (s.seq() > g.after() && out.size() < g.limit()) {
                out.add(s);
              }
            }
            g.replyTo().tell(new DeployEntity.Steps(id, d.status, out));
          }
          return Behaviors.same();
        });
  }

  private int serve(EventSettings settings) throws Exception {
    Map<String, ActorRef<DeployEntity.Command>> refs = new ConcurrentHashMap<>();
    DeployEventsRoutes routes =
        new DeployEventsRoutes(
            kit.system(),
            id -> refs.computeIfAbsent(id, i -> kit.spawn(fake(i))),
            new Asks(kit.system().scheduler(), Duration.ofSeconds(10)),
            settings,
            new AtomicInteger());
    binding =
        Http.get(kit.system())
            .newServerAt("127.0.0.1", 0)
            .bind(routes.route().seal())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    return binding.localAddress().getPort();
  }

  private int serve() throws Exception {
    return serve(EventSettings.defaults(List.of()));
  }

  private SseClient open(int port, String path, Map<String, String> headers) throws Exception {
    SseClient c = SseClient.open(port, path, headers);
    clients.add(c);
    return c;
  }

  private static Step step(String deploy, long seq, String type) {
    return new Step(
        deploy,
        seq,
        1_000 * seq,
        type,
        type.startsWith("host") ? "h" + seq : null,
        null,
        type.equals("deploy-ended") ? "succeeded" : "running",
        null);
  }

  private FakeDeploy deploy(String id, int steps) {
    FakeDeploy d = new FakeDeploy();
    for (int i = 1; i <= steps; i++) {
      d.steps.add(step(id, i, i == 1 ? "deploy-started" : "host-started"));
    }
    deploys.put(id, d);
    return d;
  }

  private static void expect(SseClient c, String id, String type) throws Exception {
    SseClient.Event e = c.next(30);
    assertNotNull(e, "no event " + id + " within 30 s");
    assertEquals(id, e.id(), "event " + e);
    assertEquals(type, e.type(), "event " + e);
  }

  private void publish(Step s) {
    DeployTopic.get(kit.system()).publish(s);
  }

  @Test
  void resumingReplaysExactlyTheMissedStepsThenLiveOnesWithoutDuplicatesAndEndsAfterDeployEnded()
      throws Exception {
    FakeDeploy d1 = deploy("d1", 5);
    // step 6 is persisted while the stream subscribes and asks: it comes both ways
    d1.racing.add(step("d1", 6, "host-done"));
    int port = serve();
    SseClient c = open(port, "/deploys/d1/events", Map.of("Last-Event-ID", "2"));
    assertEquals(200, c.status, c.body);
    assertTrue(c.contentType.startsWith("text/event-stream"), c.contentType);
    expect(c, "3", "host-started");
    expect(c, "4", "host-started");
    expect(c, "5", "host-started");
    expect(c, "6", "host-done");

    publish(step("d1", 6, "host-done")); // a duplicate
    publish(step("d2", 1, "deploy-started")); // another deploy
    Step seven = step("d1", 7, "host-failed");
    d1.steps.add(seven);
    publish(seven);
    expect(c, "7", "host-failed");

    // the topic lost step 8: the stream asks the deploy for it when 9 arrives
    d1.steps.add(step("d1", 8, "host-started"));
    Step nine = step("d1", 9, "host-done");
    d1.steps.add(nine);
    publish(nine);
    expect(c, "8", "host-started");
    expect(c, "9", "host-done");

    Step end = step("d1", 10, "deploy-ended");
    d1.steps.add(end);
    publish(end);
    SseClient.Event e = c.next(30);
    assertEquals("10", e.id());
    assertEquals("deploy-ended", e.type());
    Step data = Json.MAPPER.readValue(e.data(), Step.class);
    assertEquals(end, data);
    assertSame(SseClient.END, c.next(30), "the stream ends after deploy-ended");
  }

  @Test
  void anEndedDeployIsReplayedFromAfterAndTheStreamEnds() throws Exception {
    FakeDeploy d = deploy("old", 2);
    d.steps.add(step("old", 3, "deploy-ended"));
    d.status = DeployStatus.SUCCEEDED;
    int port = serve();
    SseClient c = open(port, "/deploys/old/events?after=1", Map.of());
    expect(c, "2", "host-started");
    expect(c, "3", "deploy-ended");
    assertSame(SseClient.END, c.next(30));

    // a client that saw the end gets an empty stream; the header wins over ?after
    SseClient again = open(port, "/deploys/old/events?after=0", Map.of("Last-Event-ID", "3"));
    assertSame(SseClient.END, again.next(30));
  }

  @Test
  void replayPagesThroughLongHistories() throws Exception {
    FakeDeploy d = deploy("long", 2500);
    d.steps.add(step("long", 2501, "deploy-ended"));
    d.status = DeployStatus.FAILED;
    int port = serve();
    SseClient c = open(port, "/deploys/long/events", Map.of());
    for (int i = 1; i <= 2501; i++) {
      SseClient.Event e = c.next(30);
      assertEquals(Integer.toString(i), e.id());
    }
    assertSame(SseClient.END, c.next(30));
    assertTrue(d.asks.get() >= 3, "asked in pages of 1000: " + d.asks.get());
  }

  @Test
  void unknownDeploysAndBadResumePointsAreProblems() throws Exception {
    int port = serve();
    SseClient unknown = open(port, "/deploys/nope/events", Map.of());
    assertEquals(404, unknown.status);
    assertTrue(unknown.contentType.startsWith("application/problem+json"), unknown.contentType);
    assertTrue(unknown.body.contains("no deploy 'nope'"), unknown.body);

    SseClient bad = open(port, "/deploys/nope/events", Map.of("Last-Event-ID", "x"));
    assertEquals(400, bad.status);
    assertTrue(bad.body.contains("Last-Event-ID 'x' is not a step number"), bad.body);

    SseClient badGlobal = open(port, "/events", Map.of("Last-Event-ID", "12"));
    assertEquals(400, badGlobal.status);
    assertTrue(badGlobal.body.contains("<deploy>:<seq>"), badGlobal.body);
  }

  @Test
  void theGlobalStreamCarriesEveryDeployAndResumesTheNamedOne() throws Exception {
    FakeDeploy d1 = deploy("d1", 6);
    int port = serve();
    SseClient live = open(port, "/events", Map.of());
    assertEquals(200, live.status, live.body);
    SseClient resumed = open(port, "/events", Map.of("Last-Event-ID", "d1:4"));
    assertEquals(200, resumed.status, resumed.body);
    expect(resumed, "d1:5", "host-started");
    expect(resumed, "d1:6", "host-started");

    publish(step("d1", 6, "host-started")); // already replayed
    Step seven = step("d1", 7, "host-done");
    d1.steps.add(seven);
    publish(step("d2", 1, "deploy-started"));
    publish(seven);
    expect(live, "d1:6", "host-started");
    expect(live, "d2:1", "deploy-started");
    expect(live, "d1:7", "host-done");
    expect(resumed, "d2:1", "deploy-started");
    expect(resumed, "d1:7", "host-done");
  }

  @Test
  void streamsPerNodeAreBoundedAndAnEndedStreamFreesItsSlot() throws Exception {
    FakeDeploy d = deploy("e", 1);
    d.steps.add(step("e", 2, "deploy-ended"));
    d.status = DeployStatus.ABORTED;
    EventSettings one =
        new EventSettings(
            List.of(),
            1,
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            Duration.ofSeconds(1),
            10,
            1,
            100,
            Duration.ofMillis(300));
    int port = serve(one);
    SseClient first = open(port, "/events", Map.of());
    assertEquals(200, first.status);
    SseClient second = open(port, "/deploys/e/events", Map.of());
    assertEquals(503, second.status);
    assertTrue(second.body.contains("max-streams"), second.body);

    // keep-alive comments on an idle stream
    long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (!first.comments.contains("keep-alive") && System.nanoTime() < until) {
      first.next(1);
    }
    assertTrue(first.comments.contains("keep-alive"), "comments: " + first.comments);

    first.close();
    // the slot comes back once the server sees the client gone
    SseClient third = null;
    until = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < until) {
      third = open(port, "/deploys/e/events", Map.of());
      if (third.status == 200) {
        break;
      }
      TimeUnit.MILLISECONDS.sleep(200);
    }
    assertEquals(200, third.status, third.body);
    expect(third, "1", "deploy-started");
    expect(third, "2", "deploy-ended");
    assertSame(SseClient.END, third.next(30));
    // and the ended stream freed its slot at once
    SseClient fourth = open(port, "/deploys/e/events?after=2", Map.of());
    assertEquals(200, fourth.status, fourth.body);
  }
}
