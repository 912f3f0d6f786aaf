package io.drover.actors.revision;

import io.drover.actors.revision.RevisionRejected.Reason;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * Checks the entries of one tar archive in order, as if extracting them into an empty release
 * directory: every name and link stays inside, nothing is written through a symlink, no devices or
 * fifos, no entry twice. One instance per pass; not thread-safe.
 */
final class EntryChecker {

  /** What an accepted entry becomes on disk. */
  enum Kind {
    DIRECTORY,
    FILE,
    SYMLINK,
    HARD_LINK
  }

  /**
   * An accepted entry.
   *
   * @param path normalised path relative to the release directory; empty for the directory itself
   * @param link for a symlink the raw target; for a hard link the normalised path of its file
   */
  record Checked(Kind kind, List<String> path, String link) {}

  private final Map<String, Kind> seen = new HashMap<>();
  private final Set<String> parents = new HashSet<>();
  private final Map<String, String> symlinks = new HashMap<>();
  private final ArchiveLimits limits;
  private int files;
  private int entries;

  /** A checker with the default entry, name and depth bounds and no size bound. */
  EntryChecker() {
    this(ArchiveLimits.withUnpackedBytes(Long.MAX_VALUE));
  }

  EntryChecker(ArchiveLimits limits) {
    this.limits = limits;
  }

  /** Accepts {@code entry} or says, naming it, why the archive is refused. */
  Checked check(TarArchiveEntry entry) throws RevisionRejected {
    String name = entry.getName();
    if (++entries > limits.maxEntries()) {
      throw tooLarge(
          name,
          "is one entry more than the "
              + limits.maxEntries()
              + " an archive may hold; pack fewer files or raise "
              + ArchiveLimits.MAX_ENTRIES_SETTING);
    }
    checkLength(name, name, "name");
    if (entry.isSymbolicLink() || entry.isLink()) {
      checkLength(name, entry.getLinkName(), "link target");
    }
    Kind kind = kindOf(entry, name);
    ArchivePaths.Result normalised = ArchivePaths.entryName(name);
    if (!normalised.isOk()) {
      throw invalid(name, normalised.refusal());
    }
    List<String> path = normalised.segments();
    if (path.size() > limits.maxDepth()) {
      throw tooLarge(
          name,
          "is "
              + path.size()
              + " directories deep, more than "
              + limits.maxDepth()
              + "; flatten the tree or raise "
              + ArchiveLimits.MAX_DEPTH_SETTING);
    }
    String key = normalised.joined();
    if (path.isEmpty() && kind != Kind.DIRECTORY) {
      throw invalid(name, "names the release directory itself but is not a directory");
    }
    for (int i = 1; i < path.size(); i++) {
      String prefix = String.join("/", path.subList(0, i));
      Kind parentKind = seen.get(prefix);
      if (parentKind == Kind.SYMLINK) {
        throw invalid(name, "lies under the symlink '" + prefix + "'; archive the real directory");
      }
      if (parentKind != null && parentKind != Kind.DIRECTORY) {
        throw invalid(name, "lies under '" + prefix + "', which is a file");
      }
    }
    Kind previous = seen.get(key);
    if (previous != null && !(previous == Kind.DIRECTORY && kind == Kind.DIRECTORY)) {
      throw invalid(name, "appears twice in the archive");
    }
    if (kind != Kind.DIRECTORY && parents.contains(key)) {
      throw invalid(name, "is not a directory, but earlier entries lie under it");
    }
    String link = null;
    switch (kind) {
      case SYMLINK -> {
        ArchivePaths.Result target = ArchivePaths.symlinkTarget(path, entry.getLinkName());
        if (!target.isOk()) {
          throw invalid(name, target.refusal());
        }
        link = entry.getLinkName();
        symlinks.put(key, link);
      }
      case HARD_LINK -> {
        ArchivePaths.Result target = ArchivePaths.entryName(entry.getLinkName());
        if (!target.isOk() || seen.get(target.joined()) != Kind.FILE) {
          throw invalid(
              name,
              "is a hard link to '"
                  + entry.getLinkName()
                  + "', which is not an earlier regular file in the archive");
        }
        link = target.joined();
        files++;
      }
      case FILE -> files++;
      case DIRECTORY -> {}
    }
    seen.put(key, kind);
    for (int i = 1; i < path.size(); i++) {
      parents.add(String.join("/", path.subList(0, i)));
    }
    return new Checked(kind, path, link);
  }

  /**
   * Checks what needs the whole archive: symlink chains that leave the release directory through
   * other symlinks, and that there is something to run.
   */
  void finish() throws RevisionRejected {
    for (Map.Entry<String, String> link : symlinks.entrySet()) {
      List<String> path = List.of(link.getKey().split("/"));
      if (ArchivePaths.resolve(path, symlinks).isEmpty()) {
        throw invalid(
            link.getKey(),
            "is a symlink to '"
                + link.getValue()
                + "', which through other symlinks points outside the release directory or loops");
      }
    }
    if (files == 0 && symlinks.isEmpty()) {
      throw new RevisionRejected(
          Reason.INVALID,
          "the archive is empty: pack the app's directory (tar czf app.tar.gz -C dir .)");
    }
  }

  /** Regular files (hard links included) seen so far. */
  int files() {
    return files;
  }

  private static Kind kindOf(TarArchiveEntry entry, String name) throws RevisionRejected {
    if (entry.isCharacterDevice() || entry.isBlockDevice()) {
      throw invalid(name, "is a device; a release may hold only files, directories and links");
    }
    if (entry.isFIFO()) {
      throw invalid(name, "is a fifo; a release may hold only files, directories and links");
    }
    if (entry.isSymbolicLink()) {
      return Kind.SYMLINK;
    }
    if (entry.isLink()) {
      return Kind.HARD_LINK;
    }
    if (entry.isDirectory()) {
      return Kind.DIRECTORY;
    }
    byte flag = entry.getLinkFlag();
    if (flag == TarConstants.LF_NORMAL
        || flag == TarConstants.LF_OLDNORM
        || flag == TarConstants.LF_CONTIG) {
      return Kind.FILE;
    }
    throw invalid(
        name,
        "has the unsupported tar entry type '"
            + (char) flag
            + "'; a release may hold only files, directories and links");
  }

  private void checkLength(String name, String text, String what) throws RevisionRejected {
    if (text == null) {
      return;
    }
    // a UTF-8 character takes at most 3 bytes per UTF-16 unit: skip the encoding for short ones
    if (text.length() * 3L > limits.maxNameBytes()) {
      int bytes = text.getBytes(StandardCharsets.UTF_8).length;
      if (bytes > limits.maxNameBytes()) {
        throw tooLarge(
            name,
            "has a "
                + what
                + " of "
                + bytes
                + " bytes, more than "
                + limits.maxNameBytes()
                + "; shorten it or raise "
                + ArchiveLimits.MAX_NAME_BYTES_SETTING);
      }
    }
  }

  static RevisionRejected invalid(String name, String why) {
    return new RevisionRejected(Reason.INVALID, "entry '" + shown(name) + "' " + why);
  }

  private static RevisionRejected tooLarge(String name, String why) {
    return new RevisionRejected(Reason.TOO_LARGE, "entry '" + shown(name) + "' " + why);
  }

  /** A name as messages show it: the first 200 characters of a longer one. */
  static String shown(String name) {
    return name == null || name.length() <= 200 ? name : name.substring(0, 200) + "…";
  }
}
