package io.drover.actors.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.HostAgent;
import io.drover.actors.revision.RevisionInfo;
import io.drover.actors.revision.RevisionStore;
import io.drover.actors.revision.TarGz;
import io.drover.actors.site.SiteDirectory;
import io.drover.actors.site.SiteEntity;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The janitor deletes only on a complete cluster-wide view. */
class JanitorTest {

  private static final ActorTestKit kit =
      ActorTestKit.create(
          "JanitorTest",
          ConfigFactory.parseString("pekko.actor.provider = local")
              .withFallback(ConfigFactory.load()));
  private static final Duration WAIT = Duration.ofSeconds(20);

  @TempDir Path tmp;

  @AfterAll
  static void shutdown() {
    kit.shutdownTestKit();
  }

  private RevisionInfo upload(RevisionStore store, String content) throws Exception {
    Path app = Files.createDirectories(tmp.resolve("app-" + content));
    Files.writeString(app.resolve("run"), content);
    Path archive = store.uploadsDir().resolve(content + ".tar.gz");
    TarGz.pack(app, archive);
    return store.importFile(archive);
  }

  private static ActorRef<SiteDirectory.Command> directory(List<String> names) {
    return kit.spawn(
        Behaviors.receiveMessage(
            (SiteDirectory.Command m) -> {
              if (m instanceof SiteDirectory.ListSites l) {
                l.replyTo().tell(new SiteDirectory.Names(names));
              }
              return Behaviors.same();
            }));
  }

  private static ActorRef<HostAgent.Command> agentRunningNothing() {
    return kit.spawn(
        Behaviors.receiveMessage(
            (HostAgent.Command m) -> {
              if (m instanceof HostAgent.GetInstances g) {
                g.replyTo().tell(new HostAgent.Instances(List.of()));
              }
              return Behaviors.same();
            }));
  }

  private static ActorRef<SiteEntity.Command> site(String name, Set<String> inUse) {
    return kit.spawn(
        Behaviors.receiveMessage(
            (SiteEntity.Command m) -> {
              if (m instanceof SiteEntity.GetRevisions g) {
                g.replyTo()
                    .tell(new SiteEntity.Revisions(name, inUse, List.copyOf(inUse), "default"));
              }
              return Behaviors.same();
            }));
  }

  @Test
  void aSiteThatDoesNotAnswerMeansNothingIsDeleted() throws Exception {
    RevisionStore store = new RevisionStore(tmp.resolve("data"), 1_000_000);
    RevisionInfo a = upload(store, "a");
    RevisionInfo b = upload(store, "b");
    RevisionInfo orphan = upload(store, "orphan");
    ActorRef<SiteEntity.Command> answers = site("one", Set.of(a.id()));
    TestProbe<SiteEntity.Command> silent = kit.createTestProbe();
    RetentionSettings settings =
        new RetentionSettings(1, Duration.ZERO, Duration.ofHours(1), Duration.ofHours(1));
    ActorRef<Janitor.Command> janitor =
        kit.spawn(
            Janitor.create(
                settings,
                store,
                tmp.resolve("data/logs"),
                "host-a",
                directory(List.of("one", "two")),
                name -> name.equals("one") ? answers : silent.getRef(),
                agentRunningNothing(),
                Janitor.RevisionUsers.NONE,
                Duration.ofMillis(500)));
    TestProbe<Janitor.Swept> result = kit.createTestProbe();

    janitor.tell(new Janitor.SweepNow(result.getRef()));
    Janitor.Swept skipped = result.receiveMessage(WAIT);
    assertNotNull(skipped.skipped(), "an incomplete view is reported");
    assertEquals(3, store.list().size(), "nothing deleted");

    // A cronjob's revision is in use too, though no site runs it.
    ActorRef<Janitor.Command> withCron =
        kit.spawn(
            Janitor.create(
                settings,
                store,
                tmp.resolve("data/logs"),
                "host-a",
                directory(List.of("one", "two")),
                name -> name.equals("one") ? answers : site("two", Set.of(b.id())),
                agentRunningNothing(),
                (timeout, scheduler) ->
                    java.util.concurrent.CompletableFuture.completedFuture(
                        List.of(
                            new Retention.SiteRevisions(
                                "cronjob nightly", Set.of(orphan.id()), List.of()))),
                Duration.ofSeconds(5)));
    withCron.tell(new Janitor.SweepNow(result.getRef()));
    Janitor.Swept kept = result.receiveMessage(WAIT);
    assertNull(kept.skipped());
    assertEquals(List.of(), kept.revisions(), "the cronjob's revision is kept");
    assertEquals(3, store.list().size());

    ActorRef<Janitor.Command> complete =
        kit.spawn(
            Janitor.create(
                settings,
                store,
                tmp.resolve("data/logs"),
                "host-a",
                directory(List.of("one", "two")),
                name -> name.equals("one") ? answers : site("two", Set.of(b.id())),
                agentRunningNothing(),
                Janitor.RevisionUsers.NONE,
                Duration.ofSeconds(5)));
    complete.tell(new Janitor.SweepNow(result.getRef()));
    Janitor.Swept swept = result.receiveMessage(WAIT);
    assertNull(swept.skipped());
    assertEquals(List.of(orphan.id()), swept.revisions());
    assertEquals(
        Set.of(a.id(), b.id()), Set.copyOf(store.list().stream().map(RevisionInfo::id).toList()));
  }
}
