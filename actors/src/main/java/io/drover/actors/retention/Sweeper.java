package io.drover.actors.retention;

import io.drover.actors.revision.RevisionStore;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies {@link Retention} to one node's revision store and instance logs. Blocking: runs on a
 * blocking dispatcher.
 */
final class Sweeper {

  private static final Logger log = LoggerFactory.getLogger(Sweeper.class);

  /**
   * What one sweep saw: every site's revisions and what this host runs.
   *
   * @param sites every site of the cluster, as its entity answered
   * @param runningInstances instance ids this host's agent runs
   * @param runningRevisions revisions those instances run
   */
  record Snapshot(
      List<Retention.SiteRevisions> sites,
      Set<String> runningInstances,
      Set<String> runningRevisions) {}

  /** What a sweep deleted. */
  record Result(List<String> revisions, List<String> releases, List<Path> logs) {}

  private final RevisionStore store;
  private final Path logsDir;
  private final RetentionSettings settings;
  private final String host;

  Sweeper(RevisionStore store, Path logsDir, RetentionSettings settings, String host) {
    this.store = store;
    this.logsDir = logsDir;
    this.settings = settings;
    this.host = host;
  }

  Result sweep(Snapshot snapshot, long nowMillis) throws IOException {
    List<Retention.SiteRevisions> sites = new ArrayList<>(snapshot.sites());
    // what runs here is in use even if its site is gone from the directory (being stopped)
    sites.add(new Retention.SiteRevisions("", snapshot.runningRevisions(), List.of()));
    List<Retention.Stored> stored =
        store.stored().stream().map(s -> new Retention.Stored(s.id(), s.freshAtMillis())).toList();
    Map<String, Retention.Keep> plan =
        Retention.revisions(stored, sites, settings.keepPerSite(), settings.minAge(), nowMillis);
    List<String> revisions = new ArrayList<>();
    for (String id : Retention.toDelete(plan)) {
      if (store.delete(id)) {
        revisions.add(id);
        log.info(
            "revision {} deleted on host {}: no site uses it, it is not among the last {} of any"
                + " site, and it was uploaded more than {} ago",
            id,
            host,
            settings.keepPerSite(),
            settings.minAge());
      }
    }
    List<String> releases = new ArrayList<>();
    for (String id : Retention.releases(store.releaseIds(), plan, snapshot.runningRevisions())) {
      if (store.deleteRelease(id)) {
        releases.add(id);
        log.info("release {} deleted on host {}: its revision is not kept", id, host);
      }
    }
    List<Path> logs = sweepLogs(snapshot.runningInstances(), nowMillis);
    return new Result(revisions, releases, logs);
  }

  private List<Path> sweepLogs(Set<String> running, long nowMillis) throws IOException {
    if (!Files.isDirectory(logsDir)) {
      return List.of();
    }
    List<Retention.LogFile> files = new ArrayList<>();
    List<Path> siteDirs = new ArrayList<>();
    try (DirectoryStream<Path> sitesDirs = Files.newDirectoryStream(logsDir)) {
      for (Path siteDir : sitesDirs) {
        if (!Files.isDirectory(siteDir, LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        siteDirs.add(siteDir);
        try (DirectoryStream<Path> logs = Files.newDirectoryStream(siteDir)) {
          for (Path f : logs) {
            String name = f.getFileName().toString();
            String instance = Retention.instanceOf(name);
            if (instance != null && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
              files.add(
                  new Retention.LogFile(
                      siteDir.getFileName().toString(),
                      instance,
                      name,
                      Files.getLastModifiedTime(f).toMillis()));
            }
          }
        }
      }
    }
    List<Path> deleted = new ArrayList<>();
    Duration keep = settings.removedLogsFor();
    for (Retention.LogFile f : Retention.logs(files, running, keep, nowMillis)) {
      Path p = logsDir.resolve(f.site()).resolve(f.fileName());
      if (Files.deleteIfExists(p)) {
        deleted.add(p);
        log.info(
            "log {} of removed instance {} of site {} deleted on host {} (unwritten for over {})",
            f.fileName(),
            f.instanceId(),
            f.site(),
            host,
            keep);
      }
    }
    for (Path siteDir : siteDirs) {
      try (DirectoryStream<Path> left = Files.newDirectoryStream(siteDir)) {
        if (!left.iterator().hasNext()) {
          Files.deleteIfExists(siteDir);
        }
      } catch (IOException e) {
        // a new instance may have just created it: leave it
      }
    }
    return deleted;
  }
}
