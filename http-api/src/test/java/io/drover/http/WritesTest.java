package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.http.javadsl.Http;
import org.apache.pekko.http.javadsl.ServerBinding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** No write completes after its request was answered with an error. */
class WritesTest {

  private static final String REV = "c".repeat(64);

  @TempDir Path tmp;
  private TestNode node;
  private ServerBinding binding;

  @AfterEach
  void stop() throws Exception {
    if (binding != null) {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    if (node != null) {
      node.close();
    }
  }

  @Test
  void aPutWhoseRevisionFetchOutlastsTheRequestAnswers503AndCreatesNothingLater() throws Exception {
    // the HTTP server gives up after 3 s, as a client would
    node = TestNode.start(tmp.resolve("node"), Map.of("pekko.http.server.request-timeout", "3s"));
    CountDownLatch release = new CountDownLatch(1);
    CountDownLatch returned = new CountDownLatch(1);
    ActorSystem<?> system = node.node.system();
    SitesRoutes routes =
        new SitesRoutes(
            ClusterSharding.get(system),
            node.node.sites(),
            node.node.hosts(),
            id -> {
              try {
                // a fetch from a slow peer: far longer than the request may take
                release.await(60, TimeUnit.SECONDS);
                return true;
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
              } finally {
                returned.countDown();
              }
            },
            new Asks(system.scheduler(), Duration.ofSeconds(4)),
            system.dispatchers().lookup(DispatcherSelector.blocking()));
    int port = TestNode.freePort();
    binding =
        Http.get(system)
            .newServerAt("127.0.0.1", port)
            .bind(routes.route().seal())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    String spec = "{\"revision\":\"" + REV + "\",\"command\":[\"./run\"],\"instances\":2}";

    TestNode.Reply put = node.callAt(port, "PUT", "/sites/late", spec);
    assertEquals(503, put.status(), put.body());

    // the fetch ends after the answer; nothing may be created from it
    release.countDown();
    assertTrue(returned.await(10, TimeUnit.SECONDS));
    long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
    while (System.nanoTime() < until) {
      TestNode.Reply get = node.call("GET", "/api/v1/sites/late", null);
      assertEquals(404, get.status(), "the site was created after a 503: " + get.body());
      TimeUnit.MILLISECONDS.sleep(200);
    }
    assertTrue(put.body().contains("was not changed"), "the 503 says so: " + put.body());
  }

  @Test
  void sitesStayReadableWhileTheSiteDirectorysNodeDoesNotAnswer() throws Exception {
    // the directory is a singleton: on a paused or dying node it does not answer; the entity does
    node = TestNode.start(tmp.resolve("node"), Map.of());
    ActorSystem<?> system = node.node.system();
    org.apache.pekko.actor.typed.ActorRef<io.drover.actors.site.SiteDirectory.Command> silent =
        system.systemActorOf(
            org.apache.pekko.actor.typed.javadsl.Behaviors.ignore(),
            "silent-directory",
            org.apache.pekko.actor.typed.Props.empty());
    SitesRoutes routes =
        new SitesRoutes(
            ClusterSharding.get(system),
            silent,
            node.node.hosts(),
            id -> true,
            new Asks(system.scheduler(), Duration.ofSeconds(4)),
            system.dispatchers().lookup(DispatcherSelector.blocking()));
    int port = TestNode.freePort();
    binding =
        Http.get(system)
            .newServerAt("127.0.0.1", port)
            .bind(routes.route().seal())
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);

    TestNode.Reply get = node.callAt(port, "GET", "/sites/nope", null);
    assertEquals(
        404, get.status(), "the entity answers when the directory does not: " + get.body());
    TestNode.Reply instances = node.callAt(port, "GET", "/sites/nope/instances", null);
    assertEquals(404, instances.status(), instances.body());
  }
}
