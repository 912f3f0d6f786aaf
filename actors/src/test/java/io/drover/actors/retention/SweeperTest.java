package io.drover.actors.retention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.revision.RevisionInfo;
import io.drover.actors.revision.RevisionStore;
import io.drover.actors.revision.TarGz;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sweep against a real store and log directory. */
class SweeperTest {

  @TempDir Path tmp;

  private RevisionInfo upload(RevisionStore store, String content) throws Exception {
    Path app = Files.createDirectories(tmp.resolve("app-" + content));
    Files.writeString(app.resolve("run"), content);
    Path archive = store.uploadsDir().resolve(content + ".tar.gz");
    TarGz.pack(app, archive);
    return store.importFile(archive);
  }

  @Test
  void deletesUnusedRevisionsTheirReleasesAndLogsOfRemovedInstances() throws Exception {
    Path data = tmp.resolve("data");
    RevisionStore store = new RevisionStore(data, 1_000_000);
    RevisionInfo used = upload(store, "used");
    RevisionInfo old = upload(store, "old");
    RevisionInfo unused = upload(store, "unused");
    store.releaseDir(used.id());
    store.releaseDir(unused.id());
    Path logs = Files.createDirectories(data.resolve("logs/web"));
    Files.writeString(logs.resolve("web-1.log"), "running");
    Files.writeString(logs.resolve("web-0.log"), "removed");
    Files.writeString(logs.resolve("web-0.log.1"), "removed, rotated");
    Path gone = Files.createDirectories(data.resolve("logs/deleted-site"));
    Files.writeString(gone.resolve("deleted-site-1.log"), "removed");
    long now = System.currentTimeMillis() + Duration.ofHours(2).toMillis();

    Sweeper sweeper =
        new Sweeper(
            store,
            data.resolve("logs"),
            new RetentionSettings(
                1, Duration.ofHours(1), Duration.ofHours(1), Duration.ofMinutes(5)),
            "host-a");
    Sweeper.Result result =
        sweeper.sweep(
            new Sweeper.Snapshot(
                List.of(
                    new Retention.SiteRevisions(
                        "web", Set.of(used.id()), List.of(used.id(), old.id()))),
                Set.of("web-1"),
                Set.of(used.id())),
            now);

    assertEquals(Set.of(old.id(), unused.id()), Set.copyOf(result.revisions()));
    assertEquals(List.of(used), store.list());
    assertTrue(store.get(unused.id()).isEmpty());
    assertFalse(Files.exists(data.resolve("revisions/" + unused.id() + ".tar.gz")));
    assertFalse(Files.exists(data.resolve("releases/" + unused.id())));
    assertTrue(Files.isDirectory(store.releaseDir(used.id())));
    assertTrue(Files.exists(logs.resolve("web-1.log")), "a running instance's log stays");
    assertFalse(Files.exists(logs.resolve("web-0.log")));
    assertFalse(Files.exists(logs.resolve("web-0.log.1")));
    assertFalse(Files.exists(gone), "an emptied site log directory goes too");
    assertEquals(3, result.logs().size());
  }

  @Test
  void uploadingAgainMakesARevisionYoungAgain() throws Exception {
    Path data = tmp.resolve("data");
    RevisionStore store = new RevisionStore(data, 1_000_000);
    RevisionInfo info = upload(store, "again");
    Path archive = data.resolve("revisions/" + info.id() + ".tar.gz");
    Files.setLastModifiedTime(archive, FileTime.fromMillis(info.uploadedAtMillis() - 7_200_000));
    upload(store, "again");
    long fresh =
        store.stored().stream()
            .filter(s -> s.id().equals(info.id()))
            .findFirst()
            .orElseThrow()
            .freshAtMillis();
    assertTrue(fresh >= info.uploadedAtMillis(), "fresh " + fresh);
  }

  @Test
  void unfinishedUploadsAreRemovedAtStart() throws Exception {
    Path data = tmp.resolve("data");
    RevisionStore first = new RevisionStore(data, 1_000_000);
    Files.writeString(first.uploadsDir().resolve("upload-123.part"), "half");
    RevisionStore second = new RevisionStore(data, 1_000_000);
    try (var left = Files.list(second.uploadsDir())) {
      assertEquals(List.of(), left.toList());
    }
  }
}
