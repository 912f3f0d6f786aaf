package io.drover.actors.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.drover.actors.retention.Retention.Keep;
import io.drover.actors.retention.Retention.LogFile;
import io.drover.actors.retention.Retention.SiteRevisions;
import io.drover.actors.retention.Retention.Stored;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RetentionTest {

  private static final long NOW = 100_000_000L;
  private static final Duration HOUR = Duration.ofHours(1);

  private static Stored old(String id) {
    return new Stored(id, NOW - 2 * HOUR.toMillis());
  }

  @Test
  void keepsWhatIsInUseTheLastNOfEverySiteAndYoungUploads() {
    List<Stored> stored =
        List.of(
            old("a1"),
            old("a2"),
            old("a3"),
            old("a4"),
            old("b1"),
            old("b2"),
            old("orphan"),
            new Stored("fresh", NOW - HOUR.toMillis() + 1),
            old("rollback-target"));
    List<SiteRevisions> sites =
        List.of(
            // site a runs a4, and a2 is still placed (a deploy in progress)
            new SiteRevisions("a", Set.of("a4", "a2"), List.of("a4", "a3", "a2", "a1")),
            new SiteRevisions("b", Set.of("b2"), List.of("b2", "b1")),
            new SiteRevisions("c", Set.of("rollback-target"), List.of("rollback-target")));

    Map<String, Keep> plan = Retention.revisions(stored, sites, 2, HOUR, NOW);

    assertEquals(Keep.IN_USE, plan.get("a4"));
    assertEquals(Keep.RECENT, plan.get("a3"));
    assertEquals(Keep.IN_USE, plan.get("a2"), "in use though not among the last 2");
    assertEquals(Keep.RECENT, plan.get("b1"));
    assertEquals(Keep.YOUNG, plan.get("fresh"), "an upload not used yet waits out min-age");
    assertEquals(Keep.IN_USE, plan.get("rollback-target"));
    assertEquals(List.of("a1", "orphan"), Retention.toDelete(plan));
  }

  @Test
  void anUploadExactlyMinAgeOldIsDeletedAndNoSitesMeansOnlyYoungSurvive() {
    Map<String, Keep> plan =
        Retention.revisions(
            List.of(new Stored("x", NOW - HOUR.toMillis()), new Stored("y", NOW)),
            List.of(),
            5,
            HOUR,
            NOW);
    assertEquals(List.of("x"), Retention.toDelete(plan));
    assertEquals(Keep.YOUNG, plan.get("y"));
  }

  @Test
  void negativeKeepIsRefused() {
    assertThrows(
        IllegalArgumentException.class,
        () -> Retention.revisions(List.of(), List.of(), -1, HOUR, NOW));
  }

  @Test
  void releasesFollowTheirRevisionUnlessAnInstanceHereRunsThem() {
    Map<String, Keep> plan = new java.util.TreeMap<>();
    plan.put("kept", Keep.RECENT);
    plan.put("gone", null);
    plan.put("running", null);
    assertEquals(
        List.of("gone", "unknown"),
        Retention.releases(List.of("kept", "gone", "running", "unknown"), plan, Set.of("running")));
  }

  @Test
  void logsOfRemovedInstancesGoAfterTheirKeepTime() {
    List<LogFile> files =
        List.of(
            new LogFile("web", "web-1", "web-1.log", NOW - 2 * HOUR.toMillis()),
            new LogFile("web", "web-1", "web-1.log.1", NOW - 3 * HOUR.toMillis()),
            new LogFile("web", "web-2", "web-2.log", NOW - 2 * HOUR.toMillis()),
            new LogFile("web", "web-3", "web-3.log", NOW - 10));
    List<LogFile> doomed = Retention.logs(files, Set.of("web-2"), HOUR, NOW);
    assertEquals(
        List.of("web-1.log", "web-1.log.1"), doomed.stream().map(LogFile::fileName).toList());
  }

  @Test
  void instanceOfALogFileName() {
    assertEquals("web-1", Retention.instanceOf("web-1.log"));
    assertEquals("web-1", Retention.instanceOf("web-1.log.1"));
    assertEquals(null, Retention.instanceOf("notes.txt"));
  }

  @Test
  void diskFloorIsTheLargerOfBytesAndPercent() {
    DiskFloor.Status byBytes = DiskFloor.evaluate(500, 100_000, 1_000, 0);
    assertEquals(1_000, byBytes.floor());
    assertEquals(true, byBytes.low());
    DiskFloor.Status byPercent = DiskFloor.evaluate(4_000, 100_000, 1_000, 5);
    assertEquals(5_000, byPercent.floor());
    assertEquals(true, byPercent.low());
    assertEquals(false, DiskFloor.evaluate(6_000, 100_000, 1_000, 5).low());
    assertThrows(IllegalArgumentException.class, () -> new DiskFloor(Path.of("/"), -1, 0));
    assertThrows(IllegalArgumentException.class, () -> new DiskFloor(Path.of("/"), 0, 101));
  }
}
