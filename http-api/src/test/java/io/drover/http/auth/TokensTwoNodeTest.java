package io.drover.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.token.TokenRegistry;
import io.drover.http.TestNode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two cluster members in one JVM, each with the registry's singleton proxy and its own cache: a
 * token created through one node verifies on both within seconds, stops verifying on both within
 * seconds of its revocation, and a node credential registered by one is accepted by the other.
 */
class TokensTwoNodeTest {

  private static final Duration WITHIN = Duration.ofSeconds(10);

  private ActorTestKit a;
  private ActorTestKit b;
  private TokenCache cacheA;
  private TokenCache cacheB;

  private static Config config() throws java.io.IOException {
    Path snapshots = Files.createTempDirectory("tokens-two-node");
    snapshots.toFile().deleteOnExit();
    return ConfigFactory.parseString(
            "pekko.actor.provider = cluster\n"
                + "pekko.remote.artery.canonical.hostname = \"127.0.0.1\"\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                + "pekko.coordinated-shutdown.exit-jvm = off\n"
                + "pekko.persistence.journal.plugin = \"pekko.persistence.journal.inmem\"\n"
                + "pekko.persistence.snapshot-store.plugin ="
                + " \"pekko.persistence.snapshot-store.local\"\n"
                + "pekko.persistence.snapshot-store.local.dir = \""
                + snapshots
                + "\"\n"
                + "pekko.loglevel = WARNING\n")
        .withFallback(ConfigFactory.load());
  }

  @AfterEach
  void stop() {
    for (TokenCache c : new TokenCache[] {cacheA, cacheB}) {
      if (c != null) {
        c.stop();
      }
    }
    if (b != null) {
      b.shutdownTestKit();
    }
    if (a != null) {
      a.shutdownTestKit();
    }
  }

  private static TokenRegistry.Reply ask(
      ActorSystem<?> system,
      ActorRef<TokenRegistry.Command> registry,
      java.util.function.Function<ActorRef<TokenRegistry.Reply>, TokenRegistry.Command> command)
      throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (true) {
      try {
        return AskPattern.ask(registry, command::apply, Duration.ofSeconds(5), system.scheduler())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
      } catch (java.util.concurrent.ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
      }
    }
  }

  @Test
  void aTokenCreatedOnOneNodeWorksOnTheOtherAndItsRevocationReachesBoth() throws Exception {
    a = ActorTestKit.create("drover", config());
    b = ActorTestKit.create("drover", config());
    Address first = Cluster.get(a.system()).selfMember().address();
    Cluster.get(a.system()).manager().tell(Join.create(first));
    Cluster.get(b.system()).manager().tell(Join.create(first));
    TestNode.await(
        Duration.ofSeconds(30),
        "two Up members",
        () ->
            Cluster.get(b.system()).selfMember().status() == MemberStatus.up()
                && Cluster.get(a.system()).state().members().size() == 2);

    ActorRef<TokenRegistry.Command> registryA = TokenRegistry.init(a.system());
    ActorRef<TokenRegistry.Command> registryB = TokenRegistry.init(b.system());
    Duration never = Duration.ofHours(1);
    cacheA =
        new TokenCache(a.system(), registryA, Clock.systemUTC(), TokenCache.PULL_EVERY, never)
            .start();
    cacheB =
        new TokenCache(b.system(), registryB, Clock.systemUTC(), TokenCache.PULL_EVERY, never)
            .start();

    String secret = TokenHash.generate();
    TokenRegistry.Reply created =
        ask(
            b.system(),
            registryB,
            r ->
                new TokenRegistry.Create(
                    "ci", "deployer", TokenHash.of(secret), 3_600_000, "admin", r));
    assertTrue(created instanceof TokenRegistry.Created, created.toString());
    TestNode.await(WITHIN, "token verifies on B", () -> cacheB.verify(secret).isPresent());
    TestNode.await(WITHIN, "token verifies on A", () -> cacheA.verify(secret).isPresent());
    assertEquals(Optional.of(new Caller("ci", Role.DEPLOYER)), cacheB.verify(secret));

    assertEquals(
        new TokenRegistry.Revoked("ci"),
        ask(a.system(), registryA, r -> new TokenRegistry.Revoke("ci", "admin", r)));
    TestNode.await(WITHIN, "revoked on B", () -> cacheB.verify(secret).isEmpty());
    TestNode.await(WITHIN, "revoked on A", () -> cacheA.verify(secret).isEmpty());

    NodeCredential nodeB = NodeCredential.start(b.system(), registryB, "host-b");
    TestNode.await(Duration.ofSeconds(30), "node B registered", nodeB::registered);
    String bearer = nodeB.bearer().orElseThrow();
    TestNode.await(
        WITHIN, "A accepts node B's credential", () -> cacheA.verify(bearer).isPresent());
    assertEquals(Optional.of(new Caller("node:host-b", Role.VIEWER)), cacheA.verify(bearer));
  }
}
