package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.host.HostDirectory;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.http.javadsl.model.ContentTypes;
import org.apache.pekko.http.javadsl.model.HttpEntities;
import org.apache.pekko.http.javadsl.model.HttpMethods;
import org.apache.pekko.http.javadsl.model.HttpRequest;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.stream.Materializer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The cluster routes against real single-JVM cluster members on port 0. */
class ClusterRoutesTest {

  private static final Config CLUSTER =
      ConfigFactory.parseString(
              """
              pekko.actor.provider = cluster
              pekko.remote.artery.canonical.hostname = "127.0.0.1"
              pekko.remote.artery.canonical.port = 0
              pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
              pekko.cluster.seed-node-timeout = 1s
              pekko.coordinated-shutdown.exit-jvm = off
              pekko.loglevel = WARNING
              """)
          .withFallback(ConfigFactory.load());

  private final ActorTestKit first = ActorTestKit.create("drover", CLUSTER);
  private ActorTestKit second;

  @AfterEach
  void shutDown() {
    if (second != null) {
      second.shutdownTestKit();
    }
    first.shutdownTestKit();
  }

  private record Reply(int status, String contentType, JsonNode body) {}

  /** A host directory that knows no host: leave has nothing to drain. */
  private static org.apache.pekko.actor.typed.ActorRef<HostDirectory.Command> noHosts(
      ActorSystem<?> system) {
    return system.systemActorOf(
        org.apache.pekko.actor.typed.javadsl.Behaviors.receiveMessage(
            (HostDirectory.Command m) -> {
              if (m instanceof HostDirectory.GetHosts g) {
                g.replyTo()
                    .tell(
                        new HostDirectory.Hosts(
                            java.util.List.of(), java.util.Set.of(), java.util.Set.of()));
              }
              return org.apache.pekko.actor.typed.javadsl.Behaviors.same();
            }),
        "no-hosts-" + java.util.UUID.randomUUID(),
        org.apache.pekko.actor.typed.Props.empty());
  }

  private static Reply call(ActorSystem<?> system, String method, String path, String body)
      throws Exception {
    HttpRequest req =
        HttpRequest.create("/cluster/" + path)
            .withMethod(HttpMethods.lookup(method).orElseThrow())
            .withEntity(HttpEntities.create(ContentTypes.APPLICATION_JSON, body));
    HttpResponse resp =
        new ClusterRoutes(
                system,
                noHosts(system),
                new Asks(system.scheduler(), Duration.ofSeconds(5)),
                Duration.ofSeconds(5))
            .route()
            .seal()
            .handler(system)
            .apply(req)
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS);
    String text =
        resp.entity()
            .toStrict(5000, Materializer.matFromSystem(system))
            .toCompletableFuture()
            .get(10, TimeUnit.SECONDS)
            .getData()
            .utf8String();
    return new Reply(
        resp.status().intValue(),
        resp.entity().getContentType().toString(),
        Json.MAPPER.readTree(text));
  }

  private static void joinSelfAndAwaitUp(ActorSystem<?> system) throws InterruptedException {
    Cluster c = Cluster.get(system);
    c.manager().tell(Join.create(c.selfMember().address()));
    awaitUp(system);
  }

  private static void awaitUp(ActorSystem<?> system) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (Cluster.get(system).selfMember().status() != MemberStatus.up()) {
      assertTrue(System.nanoTime() < deadline, "not Up within 30 s");
      TimeUnit.MILLISECONDS.sleep(50);
    }
  }

  private static String addr(ActorSystem<?> system) {
    return Cluster.get(system).selfMember().address().toString();
  }

  @Test
  void parsesFullAndShortAddresses() {
    Address a = ClusterRoutes.parseAddress("pekko://drover@127.0.0.1:2552");
    assertEquals("127.0.0.1", a.getHost().get());
    assertEquals(2552, (int) a.getPort().get());
    assertEquals(a, ClusterRoutes.parseAddress(" 127.0.0.1:2552 "));
  }

  @Test
  void refusesAddressesWithWhatToFix() {
    assertTrue(bad(null).contains("missing"));
    assertTrue(bad("akka://drover@127.0.0.1:2552").contains("protocol must be pekko"));
    assertTrue(bad("pekko://other@127.0.0.1:2552").contains("actor system"));
    assertTrue(bad("pekko://drover").contains("host and a port"));
    assertTrue(bad("pekko://drover@127.0.0.1:0").contains("between 1 and 65535"));
    assertTrue(bad("127.0.0.1").contains("HOST:PORT"));
    assertTrue(bad("pekko://drover@127.0.0.1:nope").contains("not a member address"));
  }

  @Test
  void refusesMalformedHostsWithWhatToFix() {
    assertTrue(bad("999.1.1.1:2552").contains("not a valid IPv4 address"), bad("999.1.1.1:2552"));
    assertTrue(bad("pekko://drover@999.1.1.1:2552").contains("999.1.1.1"));
    assertTrue(bad("1.2.3:2552").contains("not a valid IPv4 address"));
    assertTrue(bad("256.0.0.1:2552").contains("between 0 and 255"));
    for (String text :
        new String[] {
          "a..b:2552",
          "host.1abc:2552",
          "[zz::1]:2552",
          "[::1:2552",
          "h:99999999999",
          "h:-1",
          "h:",
          ":2552",
          "pekko://drover@[::1:2552",
          "pekko://drover@a b:2552",
          "pekko://drover@999.1.1.1:2552/x",
          "x".repeat(300) + ":2552"
        }) {
      assertTrue(!bad(text).isBlank(), text);
    }
  }

  @Test
  void joinWithAMalformedAddressIs400() throws Exception {
    for (String address : new String[] {"999.1.1.1:2552", "host.1abc:2552", "a..b:2552"}) {
      Reply r = call(first.system(), "POST", "join", "{\"address\":\"" + address + "\"}");
      assertEquals(400, r.status(), address + " -> " + r.body());
      assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
    }
  }

  private static String bad(String text) {
    return assertThrows(IllegalArgumentException.class, () -> ClusterRoutes.parseAddress(text))
        .getMessage();
  }

  @Test
  void statusNamesAreKebabCase() {
    assertEquals("up", ClusterRoutes.statusName(MemberStatus.up()));
    assertEquals("weakly-up", ClusterRoutes.statusName(MemberStatus.weaklyUp()));
  }

  @Test
  void membersOfASingleNodeCluster() throws Exception {
    joinSelfAndAwaitUp(first.system());
    Reply r = call(first.system(), "GET", "members", "");
    assertEquals(200, r.status());
    assertEquals(1, r.body().size());
    JsonNode m = r.body().get(0);
    assertEquals(addr(first.system()), m.get("address").asText());
    assertEquals("up", m.get("status").asText());
    assertTrue(m.get("reachable").asBoolean());
    assertTrue(m.get("self").asBoolean());
    assertTrue(m.get("leader").asBoolean());
    assertEquals(1, m.get("age").asInt());
  }

  @Test
  void badBodiesAre400ProblemJson() throws Exception {
    joinSelfAndAwaitUp(first.system());
    for (String body :
        new String[] {
          "", "{", "{\"adress\":\"127.0.0.1:1\"}", "{\"address\":\"akka://drover@h:1\"}", "{}"
        }) {
      for (String action : new String[] {"join", "leave"}) {
        Reply r = call(first.system(), "POST", action, body);
        assertEquals(400, r.status(), action + " " + body + " -> " + r.body());
        assertTrue(r.contentType().startsWith("application/problem+json"), r.contentType());
        assertTrue(!r.body().get("detail").asText().isBlank());
      }
    }
  }

  @Test
  void aMemberCannotJoinAnotherClusterAndUnknownMembersCannotLeave() throws Exception {
    joinSelfAndAwaitUp(first.system());
    Reply join = call(first.system(), "POST", "join", "{\"address\":\"127.0.0.1:1\"}");
    assertEquals(409, join.status(), join.body().toString());
    assertTrue(join.body().get("detail").asText().contains("--manual-join"));
    Reply same =
        call(first.system(), "POST", "join", "{\"address\":\"" + addr(first.system()) + "\"}");
    assertEquals(200, same.status(), same.body().toString());
    Reply leave = call(first.system(), "POST", "leave", "{\"address\":\"127.0.0.1:1\"}");
    assertEquals(404, leave.status());
    assertTrue(leave.body().get("detail").asText().contains(addr(first.system())));
  }

  @Test
  void joinsANodeThatWaitsAndMakesItLeave() throws Exception {
    joinSelfAndAwaitUp(first.system());
    second = ActorTestKit.create("drover", CLUSTER);
    ActorSystem<?> s2 = second.system();
    Reply join = call(s2, "POST", "join", "{\"address\":\"" + addr(first.system()) + "\"}");
    assertEquals(202, join.status(), join.body().toString());
    awaitUp(s2);
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode members;
    do {
      assertTrue(System.nanoTime() < deadline, "first did not see two Up members");
      TimeUnit.MILLISECONDS.sleep(100);
      members = call(first.system(), "GET", "members", "").body();
    } while (members.size() != 2
        || !members.get(0).get("status").asText().equals("up")
        || !members.get(1).get("status").asText().equals("up"));
    for (JsonNode m : members) {
      assertEquals(m.get("self").asBoolean() ? 1 : 2, m.get("age").asInt(), m.toString());
    }

    Reply leave = call(first.system(), "POST", "leave", "{\"address\":\"" + addr(s2) + "\"}");
    assertEquals(202, leave.status(), leave.body().toString());
    s2.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertEquals(
        CoordinatedShutdown.clusterLeavingReason(),
        CoordinatedShutdown.get(s2).getShutdownReason().orElseThrow());
  }
}
