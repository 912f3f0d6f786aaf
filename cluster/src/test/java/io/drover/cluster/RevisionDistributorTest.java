package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.revision.RevisionStore;
import io.drover.actors.revision.TarGz;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A revision announced for a pool reaches the hosts of that pool, once each, and no other. */
class RevisionDistributorTest {

  @TempDir Path tmp;

  private ActorTestKit kit;
  private HttpServer server;

  @AfterEach
  void stop() {
    if (kit != null) {
      kit.shutdownTestKit();
    }
    if (server != null) {
      server.stop(0);
    }
  }

  @Test
  void theHostsOfThePoolFetchTheRevisionOnceAndOtherPoolsDoNot() throws Exception {
    Path app = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(app.resolve("a.txt"), "a\n");
    Path tgz = tmp.resolve("app.tar.gz");
    TarGz.pack(app, tgz);
    byte[] archive = Files.readAllBytes(tgz);
    String id = RevisionStore.sha256(tgz);
    AtomicInteger served = new AtomicInteger();
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    server.createContext(
        "/",
        ex -> {
          served.incrementAndGet();
          ex.sendResponseHeaders(200, archive.length);
          try (OutputStream out = ex.getResponseBody()) {
            out.write(archive);
          }
        });
    server.start();
    List<URI> peers = List.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    kit =
        ActorTestKit.create(
            "distributor-test",
            ConfigFactory.parseString("pekko.actor.provider = local")
                .withFallback(ConfigFactory.load()));
    RevisionStore web1 = new RevisionStore(Files.createDirectories(tmp.resolve("web1")), 1 << 20);
    RevisionStore web2 = new RevisionStore(Files.createDirectories(tmp.resolve("web2")), 1 << 20);
    RevisionStore api = new RevisionStore(Files.createDirectories(tmp.resolve("api")), 1 << 20);
    ActorRef<RevisionDistributor.Command> announcer = distributor("web", web1, peers);
    distributor("web", web2, peers);
    distributor("api", api, peers);

    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(20),
        Duration.ofMillis(200),
        () -> {
          // subscriptions reach the topic asynchronously: announce until both hosts have it
          announcer.tell(new RevisionDistributor.Announce(id, "web"));
          assertTrue(web1.get(id).isPresent() && web2.get(id).isPresent());
          return null;
        });
    assertEquals(2, served.get(), "one transfer per host of the pool");
    assertTrue(api.get(id).isEmpty(), "another pool does not fetch it");
  }

  private ActorRef<RevisionDistributor.Command> distributor(
      String pool, RevisionStore store, List<URI> peers) {
    RevisionFetcher fetcher =
        new RevisionFetcher(
            store,
            () -> peers,
            new RevisionSettings(
                1 << 20,
                Duration.ofSeconds(1),
                Duration.ofSeconds(1),
                Duration.ofSeconds(5),
                Duration.ZERO));
    return kit.spawn(
        RevisionDistributor.create(
            pool, id -> store.get(id).isPresent(), fetcher, Duration.ZERO, () -> 3));
  }
}
