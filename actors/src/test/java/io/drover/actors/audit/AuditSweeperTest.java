package io.drover.actors.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.PersistenceTestKitPlugin;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Days past the retention are deleted from the journal; days within it are left alone. */
class AuditSweeperTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "AuditSweeperTest",
          PersistenceTestKitPlugin.getInstance()
              .config()
              .withFallback(PersistenceTestKitSnapshotPlugin.config())
              .withFallback(ConfigFactory.load()));
  private static final PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
  private static final Instant NOW = Instant.parse("2026-12-01T10:00:00Z");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void theExpiredDaysAreTheWindowJustPastTheRetention() {
    List<LocalDate> expired = AuditPaging.expired(NOW, Duration.ofDays(90), 3);
    LocalDate oldestKept = AuditPaging.day(NOW.minus(Duration.ofDays(90)));
    assertEquals(
        List.of(oldestKept.minusDays(1), oldestKept.minusDays(2), oldestKept.minusDays(3)),
        expired);
    // the oldest day kept is still read
    assertEquals(
        oldestKept,
        AuditPaging.days(
                AuditPaging.since(java.util.Optional.empty(), NOW, Duration.ofDays(90)).since(),
                NOW)
            .get(90));
  }

  private void write(String day, int records) {
    ActorRef<AuditDay.Command> entity = testKit.spawn(AuditDay.create(day, 100, 2));
    TestProbe<AuditDay.Appended> probe = testKit.createTestProbe();
    for (int i = 0; i < records; i++) {
      entity.tell(
          new AuditDay.Append(
              AuditRecord.of(NOW, "ci", "admin", "POST", "/p", "t", 200, null, "h"), probe.ref()));
      probe.expectMessage(AuditDay.Appended.KEPT);
    }
    testKit.stop(entity);
  }

  @Test
  void aSweepDeletesExpiredDaysAndKeepsTheOthers() throws Exception {
    Duration retention = Duration.ofDays(10);
    LocalDate oldestKept = AuditPaging.day(NOW.minus(retention));
    String expired = oldestKept.minusDays(2).toString();
    String kept = oldestKept.toString();
    write(expired, 5);
    write(kept, 3);
    assertEquals(5, journal.persistedInStorage("audit|" + expired).size());

    testKit.spawn(
        AuditSweeper.create(
            retention, Clock.fixed(NOW, ZoneOffset.UTC), Duration.ZERO, Duration.ofHours(24)));

    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (!journal.persistedInStorage("audit|" + expired).isEmpty()) {
      assertTrue(System.nanoTime() < deadline, "expired day not deleted within 20 s");
      TimeUnit.MILLISECONDS.sleep(50);
    }
    assertEquals(3, journal.persistedInStorage("audit|" + kept).size());
    assertFalse(journal.persistedInStorage("audit|" + kept).isEmpty());
  }
}
