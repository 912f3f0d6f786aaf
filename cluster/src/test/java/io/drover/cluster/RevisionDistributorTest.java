package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.revision.RevisionStore;
import io.drover.actors.revision.RevisionTopic;
import io.drover.actors.revision.RevisionWanted;
import io.drover.actors.revision.TarGz;
import io.drover.actors.site.SiteEntity;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A revision announced for a pool reaches the hosts of that pool, once each, and no other; a host
 * that joins later catches up on the revisions of its pool.
 */
class RevisionDistributorTest {

  @TempDir Path tmp;

  private ActorTestKit kit;
  private HttpServer server;
  private final AtomicInteger served = new AtomicInteger();

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
    String id = serve();
    List<URI> peers = List.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    kit = localKit();
    RevisionStore web1 = new RevisionStore(Files.createDirectories(tmp.resolve("web1")), 1 << 20);
    RevisionStore web2 = new RevisionStore(Files.createDirectories(tmp.resolve("web2")), 1 << 20);
    RevisionStore api = new RevisionStore(Files.createDirectories(tmp.resolve("api")), 1 << 20);
    distributor("web", web1, peers);
    distributor("web", web2, peers);
    distributor("api", api, peers);

    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(20),
        Duration.ofMillis(200),
        () -> {
          // subscriptions reach the topic asynchronously: announce (as a site entity does) until
          // both hosts have it
          RevisionTopic.get(kit.system()).publish(new RevisionWanted(id, "web"));
          assertTrue(web1.get(id).isPresent() && web2.get(id).isPresent());
          return null;
        });
    assertEquals(2, served.get(), "one transfer per host of the pool");
    assertTrue(api.get(id).isEmpty(), "another pool does not fetch it");
  }

  @Test
  void aHostThatJoinsLateCatchesUpOnTheRevisionsOfItsPoolOnly() throws Exception {
    String id = serve();
    String other = "f".repeat(64);
    List<URI> peers = List.of(URI.create("http://127.0.0.1:" + server.getAddress().getPort()));
    kit = localKit();
    RevisionStore joiner = new RevisionStore(Files.createDirectories(tmp.resolve("j")), 1 << 20);
    ActorRef<RevisionDistributor.Command> distributor = distributor("web", joiner, peers);
    AtomicInteger asked = new AtomicInteger();
    List<SiteEntity.Revisions> sites =
        List.of(
            new SiteEntity.Revisions("shop", Set.of(id), List.of(id), "web"),
            new SiteEntity.Revisions("admin", Set.of(other), List.of(other), "api"),
            new SiteEntity.Revisions("gone", Set.of(), List.of(), null));
    distributor.tell(
        new RevisionDistributor.CatchUp(
            () ->
                asked.incrementAndGet() == 1
                    ? CompletableFuture.failedFuture(new TimeoutException("site x did not answer"))
                    : CompletableFuture.completedFuture(sites)));
    TestProbe<Object> probe = kit.createTestProbe();
    probe.awaitAssert(
        Duration.ofSeconds(30),
        Duration.ofMillis(200),
        () -> {
          assertTrue(joiner.get(id).isPresent(), "the joiner fetched its pool's revision");
          return null;
        });
    assertEquals(2, asked.get(), "an incomplete view is asked again, once it is complete no more");
    assertEquals(1, served.get(), "the other pool's revision is not fetched");
  }

  @Test
  void missingIsTheRevisionsOfThePoolThisHostLacks() {
    List<SiteEntity.Revisions> sites =
        List.of(
            new SiteEntity.Revisions("a", Set.of("r1", "r2"), List.of("r2", "r1"), "web"),
            new SiteEntity.Revisions("b", Set.of("r2", "r3"), List.of("r3"), "web"),
            new SiteEntity.Revisions("c", Set.of("r9"), List.of("r9"), "api"),
            new SiteEntity.Revisions("d", Set.of(), List.of(), null));
    assertEquals(
        List.of("r2", "r3"), RevisionDistributor.missing(sites, "web", r -> r.equals("r1")));
    assertEquals(List.of(), RevisionDistributor.missing(sites, "db", r -> false));
  }

  private String serve() throws Exception {
    Path app = Files.createDirectories(tmp.resolve("app"));
    Files.writeString(app.resolve("a.txt"), "a\n");
    Path tgz = tmp.resolve("app.tar.gz");
    TarGz.pack(app, tgz);
    byte[] archive = Files.readAllBytes(tgz);
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
    return RevisionStore.sha256(tgz);
  }

  private static ActorTestKit localKit() {
    return ActorTestKit.create(
        "distributor-test",
        ConfigFactory.parseString("pekko.actor.provider = local")
            .withFallback(ConfigFactory.load()));
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
