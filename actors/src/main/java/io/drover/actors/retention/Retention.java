package io.drover.actors.retention;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What to delete, as pure functions of what is stored and what the cluster uses. Nothing here
 * touches a disk.
 */
public final class Retention {

  private Retention() {}

  /**
   * One site as its entity reports it.
   *
   * @param site the site name
   * @param inUse revisions its current spec and placed instances run
   * @param recent revisions it was set to, newest first
   */
  public record SiteRevisions(String site, Set<String> inUse, List<String> recent) {}

  /**
   * A stored revision.
   *
   * @param id the revision id
   * @param freshAtMillis its last upload (an upload that is not used yet is kept for {@code
   *     minAge})
   */
  public record Stored(String id, long freshAtMillis) {}

  /** Why a revision is kept; the first reason that applies. */
  public enum Keep {
    IN_USE,
    RECENT,
    YOUNG
  }

  /**
   * Every stored revision and why it is kept, or {@code null} for the ones to delete: kept are
   * those some site uses, the last {@code keepPerSite} of every site, and uploads younger than
   * {@code minAge}.
   */
  public static Map<String, Keep> revisions(
      Collection<Stored> stored,
      Collection<SiteRevisions> sites,
      int keepPerSite,
      Duration minAge,
      long nowMillis) {
    if (keepPerSite < 0) {
      throw new IllegalArgumentException("keepPerSite must be 0 or more: " + keepPerSite);
    }
    Set<String> inUse = new TreeSet<>();
    Set<String> recent = new TreeSet<>();
    for (SiteRevisions s : sites) {
      inUse.addAll(s.inUse());
      s.recent().stream().limit(keepPerSite).forEach(recent::add);
    }
    Map<String, Keep> plan = new TreeMap<>();
    for (Stored r : stored) {
      Keep why;
      if (inUse.contains(r.id())) {
        why = Keep.IN_USE;
      } else if (recent.contains(r.id())) {
        why = Keep.RECENT;
      } else if (nowMillis - r.freshAtMillis() < minAge.toMillis()) {
        why = Keep.YOUNG;
      } else {
        why = null;
      }
      plan.put(r.id(), why);
    }
    return plan;
  }

  /** The revisions {@link #revisions} does not keep, sorted. */
  public static List<String> toDelete(Map<String, Keep> plan) {
    List<String> out = new ArrayList<>();
    plan.forEach(
        (id, why) -> {
          if (why == null) {
            out.add(id);
          }
        });
    return out;
  }

  /**
   * Unpacked releases to delete: those of revisions not kept, unless an instance on this host runs
   * them. A release of a kept revision stays (a roll-back starts without unpacking).
   */
  public static List<String> releases(
      Collection<String> releaseIds, Map<String, Keep> plan, Set<String> runningHere) {
    List<String> out = new ArrayList<>();
    for (String id : new TreeSet<>(releaseIds)) {
      if (plan.get(id) == null && !runningHere.contains(id)) {
        out.add(id);
      }
    }
    return out;
  }

  /**
   * An instance log file.
   *
   * @param site the site directory it is in
   * @param instanceId the instance it belongs to (its name without {@code .log} / {@code .log.1})
   * @param modifiedMillis its last write
   */
  public record LogFile(String site, String instanceId, String fileName, long modifiedMillis) {}

  /**
   * Log files of instances this host no longer runs, last written more than {@code keepFor} ago. A
   * removed instance's log stays that long for a post-mortem.
   */
  public static List<LogFile> logs(
      Collection<LogFile> files, Set<String> runningHere, Duration keepFor, long nowMillis) {
    List<LogFile> out = new ArrayList<>();
    for (LogFile f : files) {
      if (!runningHere.contains(f.instanceId())
          && nowMillis - f.modifiedMillis() >= keepFor.toMillis()) {
        out.add(f);
      }
    }
    return out;
  }

  /** The instance id of a log file name ({@code <id>.log} or {@code <id>.log.1}); null if not. */
  public static String instanceOf(String fileName) {
    if (fileName.endsWith(".log")) {
      return fileName.substring(0, fileName.length() - 4);
    }
    if (fileName.endsWith(".log.1")) {
      return fileName.substring(0, fileName.length() - 6);
    }
    return null;
  }
}
