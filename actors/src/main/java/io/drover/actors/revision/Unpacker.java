package io.drover.actors.revision;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Extracts a stored, already validated revision into an empty directory. Checks everything again
 * (defence in depth: the file on disk could have changed since the upload): the sha256, the entry
 * rules of {@link EntryChecker}, and on the real file system that nothing lands outside.
 */
final class Unpacker {

  private static final PosixFilePermission[] BITS = {
    PosixFilePermission.OTHERS_EXECUTE,
    PosixFilePermission.OTHERS_WRITE,
    PosixFilePermission.OTHERS_READ,
    PosixFilePermission.GROUP_EXECUTE,
    PosixFilePermission.GROUP_WRITE,
    PosixFilePermission.GROUP_READ,
    PosixFilePermission.OWNER_EXECUTE,
    PosixFilePermission.OWNER_WRITE,
    PosixFilePermission.OWNER_READ
  };

  private Unpacker() {}

  static void unpack(Path archive, String id, Path into, ArchiveLimits limits) throws IOException {
    Path root = into.toRealPath();
    MessageDigest digest = RevisionStore.newDigest();
    Map<Path, Integer> dirModes = new LinkedHashMap<>();
    dirModes.put(root, 0755);
    List<Path> symlinks = new ArrayList<>();
    try (DigestInputStream hashed = new DigestInputStream(Files.newInputStream(archive), digest);
        InputStream raw = new BufferedInputStream(hashed)) {
      EntryChecker checker = new EntryChecker(limits);
      try (InputStream tar = RevisionStore.openTar(raw);
          TarArchiveInputStream entries = BoundedTarInput.open(tar, limits)) {
        TarArchiveEntry entry;
        long unpacked = 0;
        while ((entry = entries.getNextEntry()) != null) {
          EntryChecker.Checked checked = checker.check(entry);
          unpacked = RevisionStore.unpackedSoFar(unpacked, entry, limits);
          Path target = inside(root, root.resolve(String.join("/", checked.path())), entry);
          if (checked.path().isEmpty()) {
            dirModes.put(root, entry.getMode());
            continue;
          }
          Path parent = target.getParent();
          Files.createDirectories(parent);
          inside(root, parent.toRealPath(), entry);
          switch (checked.kind()) {
            case DIRECTORY -> {
              if (!Files.isDirectory(target, LinkOption.NOFOLLOW_LINKS)) {
                Files.createDirectory(target);
              }
              dirModes.put(target, entry.getMode());
            }
            case FILE -> {
              try (OutputStream out = RevisionStore.createNew(target)) {
                entries.transferTo(out);
              }
              Files.setPosixFilePermissions(target, permissions(entry.getMode()));
            }
            case SYMLINK -> {
              Path link = target.getFileSystem().getPath(checked.link());
              inside(root, parent.resolve(link).normalize(), entry);
              Files.createSymbolicLink(target, link);
              symlinks.add(target);
            }
            case HARD_LINK -> {
              Path existing = inside(root, root.resolve(checked.link()), entry);
              if (!Files.isRegularFile(existing, LinkOption.NOFOLLOW_LINKS)) {
                throw new IOException(
                    "entry '" + entry.getName() + "' is a hard link to a missing file");
              }
              Files.createLink(target, existing);
            }
          }
        }
        checker.finish();
        hashed.transferTo(OutputStream.nullOutputStream());
      }
    } catch (RevisionRejected e) {
      throw new IOException("revision " + id + " cannot be unpacked: " + e.getMessage(), e);
    } catch (BoundedTarInput.Refused e) {
      throw new IOException("revision " + id + " cannot be unpacked: " + e.getMessage(), e);
    }
    String actual = HexFormat.of().formatHex(digest.digest());
    if (!actual.equals(id)) {
      throw new IOException(
          "revision " + id + " is corrupt on disk (its sha256 is " + actual + "); upload it again");
    }
    for (Path link : symlinks) {
      if (Files.exists(link)) {
        inside(root, link.toRealPath(), null);
      }
    }
    List<Path> dirs = new ArrayList<>(dirModes.keySet());
    dirs.sort(Comparator.comparingInt(Path::getNameCount).reversed());
    for (Path dir : dirs) {
      Set<PosixFilePermission> perms = permissions(dirModes.get(dir));
      perms.addAll(
          EnumSet.of(
              PosixFilePermission.OWNER_READ,
              PosixFilePermission.OWNER_WRITE,
              PosixFilePermission.OWNER_EXECUTE));
      Files.setPosixFilePermissions(dir, perms);
    }
  }

  /** The permissions in the low nine bits of a tar mode; setuid, setgid and sticky are dropped. */
  static Set<PosixFilePermission> permissions(int mode) {
    Set<PosixFilePermission> perms = EnumSet.noneOf(PosixFilePermission.class);
    for (int bit = 0; bit < BITS.length; bit++) {
      if ((mode & (1 << bit)) != 0) {
        perms.add(BITS[bit]);
      }
    }
    return perms;
  }

  private static Path inside(Path root, Path path, TarArchiveEntry entry) throws IOException {
    Path normal = path.normalize();
    if (!normal.startsWith(root)) {
      throw new IOException(
          (entry == null ? "a symlink" : "entry '" + entry.getName() + "'")
              + " would land outside the release directory at "
              + normal);
    }
    return normal;
  }
}
