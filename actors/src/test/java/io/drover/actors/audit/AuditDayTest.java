package io.drover.actors.audit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.drover.actors.audit.AuditDay.Appended;
import io.drover.actors.audit.AuditDay.Command;
import io.drover.actors.audit.AuditDay.Event;
import io.drover.actors.audit.AuditDay.Page;
import io.drover.actors.audit.AuditDay.State;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.LoggingTestKit;
import org.apache.pekko.persistence.testkit.PersistenceTestKitSnapshotPlugin;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class AuditDayTest {

  private static final ActorTestKit testKit =
      ActorTestKit.create(
          "AuditDayTest",
          EventSourcedBehaviorTestKit.config()
              .withFallback(PersistenceTestKitSnapshotPlugin.config())
              .withFallback(ConfigFactory.load()));
  private static final AtomicInteger counter = new AtomicInteger();
  private static final Instant T0 = Instant.parse("2026-12-01T08:00:00Z");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static EventSourcedBehaviorTestKit<Command, Event, State> kit(int maxPerDay) {
    return EventSourcedBehaviorTestKit.create(
        testKit.system(), AuditDay.create("2026-12-0" + counter.incrementAndGet(), maxPerDay));
  }

  private static AuditRecord record(int i, String target) {
    return AuditRecord.of(
        T0.plusSeconds(i), "ci", "deployer", "POST", "/api/v1/x/" + i, target, 200, "r" + i, "h1");
  }

  private static Page read(
      EventSourcedBehaviorTestKit<Command, Event, State> kit,
      Instant since,
      String target,
      long before,
      int limit) {
    return kit.<Page>runCommand(r -> new AuditDay.Read(since, target, before, limit, r)).reply();
  }

  private static List<String> paths(Page p) {
    return p.records().stream().map(AuditRecord::path).toList();
  }

  @Test
  void recordsAreKeptAndReadNewestFirstAndSurviveARestart() {
    var kit = kit(100);
    for (int i = 1; i <= 5; i++) {
      AuditRecord r = record(i, i % 2 == 0 ? "site a" : "host h" + i);
      var result = kit.<Appended>runCommand(x -> new AuditDay.Append(r, x));
      assertEquals(Appended.KEPT, result.reply());
      assertEquals(new AuditDay.Recorded(r), result.event());
    }
    Page all = read(kit, T0, null, Long.MAX_VALUE, 100);
    assertEquals(
        List.of("/api/v1/x/5", "/api/v1/x/4", "/api/v1/x/3", "/api/v1/x/2", "/api/v1/x/1"),
        paths(all));
    assertFalse(all.more());

    kit.restart();
    assertEquals(5, kit.getState().count());
    assertEquals(all, read(kit, T0, null, Long.MAX_VALUE, 100));
  }

  @Test
  void aReadFiltersBySinceAndTargetAndPagesWithACursor() {
    var kit = kit(100);
    for (int i = 1; i <= 6; i++) {
      AuditRecord r = record(i, i % 2 == 0 ? "site a" : "host h" + i);
      kit.<Appended>runCommand(x -> new AuditDay.Append(r, x));
    }
    assertEquals(
        List.of("/api/v1/x/6", "/api/v1/x/5", "/api/v1/x/4"),
        paths(read(kit, T0.plusSeconds(4), null, Long.MAX_VALUE, 100)));
    assertEquals(
        List.of("/api/v1/x/6", "/api/v1/x/4", "/api/v1/x/2"),
        paths(read(kit, T0, "site", Long.MAX_VALUE, 100)));
    assertEquals(List.of("/api/v1/x/3"), paths(read(kit, T0, "host h3", Long.MAX_VALUE, 100)));

    // pages of two: 6 5 | 4 3 | 2 1
    List<String> seen = new ArrayList<>();
    long before = Long.MAX_VALUE;
    for (int pages = 0; pages < 10; pages++) {
      Page p = read(kit, T0, null, before, 2);
      seen.addAll(paths(p));
      if (!p.more()) {
        break;
      }
      before = p.next();
    }
    assertEquals(
        List.of(
            "/api/v1/x/6",
            "/api/v1/x/5",
            "/api/v1/x/4",
            "/api/v1/x/3",
            "/api/v1/x/2",
            "/api/v1/x/1"),
        seen);
  }

  @Test
  void aPageIsBoundedInRecordsAndBytes() {
    var kit = kit(1000);
    String reason = "x".repeat(AuditRecord.MAX_REASON);
    for (int i = 1; i <= 150; i++) {
      AuditRecord r =
          AuditRecord.of(T0, "ci", "admin", "PUT", "/api/v1/sites/a", "site a", 200, reason, "h");
      kit.<Appended>runCommand(x -> new AuditDay.Append(r, x));
    }
    Page p = read(kit, T0, null, Long.MAX_VALUE, 1000);
    assertTrue(p.more());
    assertTrue(p.records().size() <= AuditPaging.PAGE_RECORDS);
    int weight = p.records().stream().mapToInt(AuditRecord::weight).sum();
    assertTrue(weight < AuditPaging.PAGE_WEIGHT + 2 * AuditRecord.MAX_REASON, "weight " + weight);
  }

  @Test
  void aDayIsSnapshottedAsAPlainListAndRecoversFromIt() {
    String day = "2026-11-" + (10 + counter.incrementAndGet());
    var kit =
        EventSourcedBehaviorTestKit.<Command, Event, State>create(
            testKit.system(), AuditDay.create(day, 100, 3));
    List<AuditRecord> written = new ArrayList<>();
    for (int i = 1; i <= 7; i++) {
      AuditRecord r = record(i, "site a");
      written.add(r);
      kit.<Appended>runCommand(x -> new AuditDay.Append(r, x));
    }
    var snapshots = kit.snapshotTestKit().orElseThrow();
    State at3 = snapshots.expectNextPersistedClass("audit|" + day, State.class);
    assertEquals(written.subList(0, 3), at3.oldestFirst());
    // the snapshot form round-trips through the journal's serializer
    State state = kit.getState();
    State copy = testKit.serializationTestKit().verifySerialization(state, false);
    assertEquals(written, copy.oldestFirst());
    assertEquals(7, copy.count());

    kit.restart();
    assertEquals(written, kit.getState().oldestFirst());
    assertEquals(
        Appended.KEPT,
        kit.<Appended>runCommand(x -> new AuditDay.Append(record(8, "site a"), x)).reply());
    assertEquals("/api/v1/x/8", read(kit, T0, null, Long.MAX_VALUE, 1).records().get(0).path());
  }

  @Test
  void aFullDaySnapshotSerializes() {
    List<AuditRecord> day = new ArrayList<>();
    for (int i = 0; i < 10_000; i++) {
      day.add(
          AuditRecord.of(
              T0.plusMillis(i),
              "ci-pipeline",
              "deployer",
              "POST",
              "/api/v1/deploys/d-" + i + "/abort",
              "deploy d-" + i,
              200,
              "x".repeat(AuditRecord.MAX_REASON),
              "host-" + (i % 10)));
    }
    State full = State.of(day);
    State copy = testKit.serializationTestKit().verifySerialization(full, false);
    assertEquals(day, copy.oldestFirst());
  }

  @Test
  void overTheCapRecordsAreRefusedWithOneWarning() {
    var kit = kit(3);
    for (int i = 1; i <= 3; i++) {
      AuditRecord r = record(i, "site a");
      assertEquals(Appended.KEPT, kit.<Appended>runCommand(x -> new AuditDay.Append(r, x)).reply());
    }
    LoggingTestKit.warn("is full: 3 records")
        .withOccurrences(1)
        .expect(
            testKit.system(),
            () -> {
              for (int i = 4; i <= 6; i++) {
                AuditRecord r = record(i, "site a");
                var result = kit.<Appended>runCommand(x -> new AuditDay.Append(r, x));
                assertEquals(Appended.FULL, result.reply());
                assertTrue(result.hasNoEvents());
              }
              return null;
            });
    assertEquals(3, kit.getState().count());
  }
}
