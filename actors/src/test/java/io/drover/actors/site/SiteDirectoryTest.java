package io.drover.actors.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class SiteDirectoryTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "SiteDirectoryTest",
          EventSourcedBehaviorTestKit.config().withFallback(ConfigFactory.load()));

  private TestProbe<String> woken;
  private EventSourcedBehaviorTestKit<
          SiteDirectory.Command, SiteDirectory.Event, SiteDirectory.State>
      kit;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @BeforeEach
  void setUp() {
    woken = testKit.createTestProbe();
    kit =
        EventSourcedBehaviorTestKit.create(
            testKit.system(),
            SiteDirectory.create(name -> woken.ref().tell(name), Duration.ofHours(1)));
    kit.clear();
  }

  private EventSourcedBehaviorTestKit.CommandResultWithReply<
          SiteDirectory.Command, SiteDirectory.Event, SiteDirectory.State, Done>
      register(String site) {
    return kit.runCommand(replyTo -> new SiteDirectory.Register(site, replyTo));
  }

  private List<String> list() {
    return kit.<SiteDirectory.Names>runCommand(SiteDirectory.ListSites::new).reply().sites();
  }

  @Test
  void registerIsIdempotentAndListIsSorted() {
    assertEquals(List.of(new SiteDirectory.SiteRegistered("web")), register("web").events());
    register("api");
    var again = register("web");
    assertEquals(Done.getInstance(), again.reply());
    assertTrue(again.hasNoEvents());
    assertEquals(List.of("api", "web"), list());
  }

  @Test
  void unregisterIsIdempotent() {
    register("web");
    var gone = kit.<Done>runCommand(r -> new SiteDirectory.Unregister("web", r));
    assertEquals(List.of(new SiteDirectory.SiteUnregistered("web")), gone.events());
    var again = kit.<Done>runCommand(r -> new SiteDirectory.Unregister("web", r));
    assertEquals(Done.getInstance(), again.reply());
    assertTrue(again.hasNoEvents());
    assertEquals(List.of(), list());
  }

  @Test
  void recoveryWakesEverySite() {
    register("web");
    register("api");
    kit.restart();
    List<String> names =
        List.of(woken.receiveMessage(Duration.ofSeconds(5)), woken.receiveMessage());
    assertEquals(List.of("api", "web"), names);
    assertEquals(List.of("api", "web"), list());
  }

  @Test
  void hasSiteAnswersForOneNameWithoutEvents() {
    register("web");
    var known = kit.<SiteDirectory.Known>runCommand(r -> new SiteDirectory.HasSite("web", r));
    assertTrue(known.reply().known());
    assertTrue(known.hasNoEvents());
    assertEquals(
        false,
        kit.<SiteDirectory.Known>runCommand(r -> new SiteDirectory.HasSite("api", r))
            .reply()
            .known());
  }

  @Test
  void describeCountsTheSitesWithoutEvents() {
    register("web");
    register("api");
    var d = kit.<io.drover.actors.common.SingletonInfo>runCommand(SiteDirectory.Describe::new);
    assertTrue(d.hasNoEvents());
    assertEquals("site-directory", d.reply().name());
    assertEquals("running", d.reply().state());
    assertEquals(2, d.reply().details().get("sites").asInt());
    assertEquals(testKit.system().address().toString(), d.reply().address());
  }
}
