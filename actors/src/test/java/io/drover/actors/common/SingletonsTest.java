package io.drover.actors.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The singleton helper: local registry (start, stop, failure), answers, directory, CBOR. */
class SingletonsTest {

  private final ActorTestKit kit = ActorTestKit.create();

  @AfterEach
  void stop() {
    kit.shutdownTestKit();
  }

  /** A stand-in singleton: answers Describe, stops on "stop", fails on "fail". */
  sealed interface Cmd {}

  record Describe(ActorRef<SingletonInfo> replyTo) implements Cmd {}

  record Say(String what) implements Cmd {}

  private Behavior<Cmd> stub(String name) {
    return Behaviors.setup(
        ctx ->
            Behaviors.receiveMessage(
                m -> {
                  if (m instanceof Describe d) {
                    d.replyTo()
                        .tell(
                            Singletons.get(ctx.getSystem())
                                .describe(
                                    name,
                                    SingletonInfo.RUNNING,
                                    Singletons.details().put("things", 3)));
                  } else if (m instanceof Say s && s.what().equals("stop")) {
                    return Behaviors.stopped();
                  } else if (m instanceof Say s && s.what().equals("fail")) {
                    throw new IllegalStateException("boom (expected by the test)");
                  }
                  return Behaviors.same();
                }));
  }

  private static void await(String what, BooleanSupplier condition) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
    while (!condition.getAsBoolean()) {
      assertTrue(System.nanoTime() < deadline, what + " within 10 s");
      TimeUnit.MILLISECONDS.sleep(20);
    }
  }

  @Test
  void aTrackedSingletonIsRunningHereFromStartToItsStop() throws Exception {
    Singletons s = Singletons.get(kit.system());
    Instant before = Instant.now();
    ActorRef<Cmd> a = kit.spawn(Singletons.track("alpha", stub("alpha")));
    await("alpha registered", () -> s.runningHere().containsKey("alpha"));
    Instant since = s.since("alpha").orElseThrow();
    assertFalse(since.isBefore(before.minusSeconds(1)), since + " vs " + before);

    a.tell(new Say("stop"));
    await("alpha gone", () -> !s.runningHere().containsKey("alpha"));
    assertTrue(s.since("alpha").isEmpty());
  }

  @Test
  void aSingletonStoppedByAFailureLeavesTheRegistry() throws Exception {
    Singletons s = Singletons.get(kit.system());
    ActorRef<Cmd> b = kit.spawn(Singletons.track("beta", stub("beta")));
    await("beta registered", () -> s.runningHere().containsKey("beta"));
    b.tell(new Say("fail"));
    await("beta gone", () -> !s.runningHere().containsKey("beta"));
  }

  @Test
  void anOldIncarnationStoppingLateDoesNotRemoveTheNewOne() {
    Singletons s = Singletons.get(kit.system());
    Object old = s.started("gamma");
    Object fresh = s.started("gamma");
    s.stopped("gamma", old);
    assertTrue(s.runningHere().containsKey("gamma"));
    s.stopped("gamma", fresh);
    assertFalse(s.runningHere().containsKey("gamma"));
  }

  @Test
  void describeNamesThisMemberHostAndSince() throws Exception {
    Singletons s = Singletons.get(kit.system());
    s.host("host-7");
    ActorRef<Cmd> a = kit.spawn(Singletons.track("alpha", stub("alpha")));
    s.register("alpha", a, Describe::new);
    s.registerOff("aardvark", "disabled", Singletons.details().put("targets", 0));
    List<Singletons.Registration> all = s.registered();
    assertEquals(
        List.of("aardvark", "alpha"), all.stream().map(Singletons.Registration::name).toList());

    SingletonInfo info =
        all.get(1)
            .describer()
            .describe(Duration.ofSeconds(5), kit.system().scheduler())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    assertEquals("alpha", info.name());
    assertEquals(kit.system().address().toString(), info.address());
    assertEquals("host-7", info.host());
    assertEquals(s.since("alpha").orElseThrow().toString(), info.since());
    assertEquals("running", info.state());
    assertEquals(3, info.details().get("things").asInt());

    SingletonInfo off =
        all.get(0)
            .describer()
            .describe(Duration.ofSeconds(5), kit.system().scheduler())
            .toCompletableFuture()
            .get(1, TimeUnit.SECONDS);
    assertEquals("disabled", off.state());
    assertEquals(null, off.address());
  }

  @Test
  void aNameIsRegisteredOnce() {
    Singletons s = Singletons.get(kit.system());
    s.registerOff("delta", "disabled", null);
    assertThrows(IllegalStateException.class, () -> s.registerOff("delta", "disabled", null));
  }

  @Test
  void jsonDetailsRoundTripThroughCbor() {
    JsonNode details = Singletons.details().put("deploys", 4).put("queued", 1);
    ((com.fasterxml.jackson.databind.node.ObjectNode) details)
        .putArray("running")
        .add("d-1")
        .add("d-2");
    ((com.fasterxml.jackson.databind.node.ObjectNode) details).putObject("next").put("at", "x");
    SingletonInfo info =
        new SingletonInfo(
            "deploy-directory",
            "pekko://drover@127.0.0.1:2552",
            "h1",
            "2026-01-01T00:00:00Z",
            "running",
            details);
    SingletonInfo back = kit.serializationTestKit().verifySerialization(info, true);
    assertNotNull(back.details());
    assertEquals("d-2", back.details().get("running").get(1).asText());
    assertEquals(4, back.details().get("deploys").asInt());
  }
}
