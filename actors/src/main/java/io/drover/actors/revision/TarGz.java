package io.drover.actors.revision;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipParameters;

/**
 * Deterministic tar.gz packing: the same directory tree always gives the same bytes, so uploading
 * an unchanged app yields the same revision id. Entries are sorted by path, with mtime 0, uid/gid 0
 * and no owner names; files get mode 0755 when their owner may execute them, else 0644; directories
 * 0755; symlinks are stored as symlinks. The gzip header carries no timestamp or name.
 */
public final class TarGz {

  private static final FileTime EPOCH = FileTime.fromMillis(0);

  private TarGz() {}

  /** Writes {@code dir}'s contents (not {@code dir} itself) to {@code targetTarGz}, atomically. */
  public static void pack(Path dir, Path targetTarGz) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IOException("not a directory: " + dir);
    }
    List<Path> paths = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.filter(p -> !p.equals(dir)).forEach(paths::add);
    }
    List<String> names = new ArrayList<>();
    for (Path p : paths) {
      names.add(entryName(dir, p));
    }
    names.sort(null);
    Path absoluteTarget = targetTarGz.toAbsolutePath();
    Path parent = absoluteTarget.getParent();
    Files.createDirectories(parent);
    Path tmp = Files.createTempFile(parent, ".pack-", ".tar.gz");
    try {
      GzipParameters gzip = new GzipParameters();
      gzip.setModificationTime(0);
      try (OutputStream file = new BufferedOutputStream(Files.newOutputStream(tmp));
          GzipCompressorOutputStream gz = new GzipCompressorOutputStream(file, gzip);
          TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
        for (String name : names) {
          Path p = dir.resolve(name);
          if (p.toAbsolutePath().normalize().equals(absoluteTarget.normalize())) {
            continue;
          }
          writeEntry(tar, p, name);
        }
        tar.finish();
      }
      Files.move(
          tmp, targetTarGz, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  private static void writeEntry(TarArchiveOutputStream tar, Path p, String name)
      throws IOException {
    TarArchiveEntry entry;
    boolean regular = false;
    if (Files.isSymbolicLink(p)) {
      entry = new TarArchiveEntry(name, TarConstants.LF_SYMLINK);
      entry.setLinkName(Files.readSymbolicLink(p).toString());
      entry.setMode(0120777);
    } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
      entry = new TarArchiveEntry(name + "/");
      entry.setMode(TarArchiveEntry.DEFAULT_DIR_MODE);
    } else if (Files.isRegularFile(p, LinkOption.NOFOLLOW_LINKS)) {
      entry = new TarArchiveEntry(name);
      regular = true;
      entry.setSize(Files.size(p));
      entry.setMode(TarArchiveEntry.DEFAULT_FILE_MODE | (executable(p) ? 0111 : 0));
    } else {
      throw new IOException("cannot pack " + p + ": not a file, directory or symlink");
    }
    entry.setModTime(EPOCH);
    entry.setUserId(0);
    entry.setGroupId(0);
    entry.setUserName("");
    entry.setGroupName("");
    tar.putArchiveEntry(entry);
    if (regular) {
      Files.copy(p, tar);
    }
    tar.closeArchiveEntry();
  }

  private static boolean executable(Path p) throws IOException {
    try {
      return Files.getPosixFilePermissions(p, LinkOption.NOFOLLOW_LINKS)
          .contains(PosixFilePermission.OWNER_EXECUTE);
    } catch (UnsupportedOperationException e) {
      return Files.isExecutable(p);
    }
  }

  private static String entryName(Path dir, Path p) {
    List<String> parts = new ArrayList<>();
    for (Path part : dir.relativize(p)) {
      parts.add(part.toString());
    }
    return String.join("/", parts);
  }
}
