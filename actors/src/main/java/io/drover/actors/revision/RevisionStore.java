package io.drover.actors.revision;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.drover.actors.revision.RevisionRejected.Reason;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Revisions, content-addressed by sha256, stored under {@code <data-dir>/revisions/} and unpacked
 * once per host into {@code <data-dir>/releases/<id>/}. Thread-safe; every method may block on disk
 * and belongs on a blocking dispatcher.
 *
 * <p>Layout: {@code revisions/<id>.tar.gz} and {@code revisions/<id>.json} (the {@link
 * RevisionInfo}; written last, so its presence means the revision is complete), {@code
 * revisions/uploads/} for staging, {@code releases/<id>/} for unpacked releases and {@code
 * releases/.unpacking-*} while one is being unpacked.
 */
public final class RevisionStore {

  /** The setting that bounds an upload; named in {@link Reason#TOO_LARGE} messages. */
  public static final String MAX_BYTES_SETTING = "drover.revisions.max-bytes";

  /** The setting that bounds what an archive unpacks to; named in its refusals. */
  public static final String MAX_UNPACKED_BYTES_SETTING = "drover.revisions.max-unpacked-bytes";

  private static final Pattern ID = Pattern.compile("[0-9a-f]{64}");
  private static final String UNPACKING_PREFIX = ".unpacking-";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Logger log = LoggerFactory.getLogger(RevisionStore.class);

  private final Path revisionsDir;
  private final Path uploadsDir;
  private final Path releasesDir;
  private final long maxBytes;
  private final ArchiveLimits limits;
  private final ConcurrentHashMap<String, Object> unpackLocks = new ConcurrentHashMap<>();

  /**
   * Creates the directories if needed and removes half-unpacked releases left by a crash. One store
   * per data directory and process.
   *
   * @param maxBytes the largest accepted upload, in bytes ({@value #MAX_BYTES_SETTING})
   */
  public RevisionStore(Path dataDir, long maxBytes) {
    this(dataDir, maxBytes, maxBytes > Long.MAX_VALUE / 16 ? Long.MAX_VALUE : maxBytes * 16);
  }

  /**
   * As {@link #RevisionStore(Path, long)}, and refuses archives whose files add up to more than
   * {@code maxUnpackedBytes} once unpacked (a small gzip can unpack to a full disk).
   */
  public RevisionStore(Path dataDir, long maxBytes, long maxUnpackedBytes) {
    this(dataDir, maxBytes, checkedLimits(maxUnpackedBytes));
  }

  /**
   * As {@link #RevisionStore(Path, long)}, and refuses archives beyond {@code limits} (unpacked
   * size, entry count, name length, depth, header sizes).
   */
  public RevisionStore(Path dataDir, long maxBytes, ArchiveLimits limits) {
    this(dataDir, dataDir.resolve("releases"), maxBytes, limits);
  }

  /**
   * As {@link #RevisionStore(Path, long, ArchiveLimits)}, with the unpacked releases in {@code
   * releasesDir} instead of {@code <data-dir>/releases}.
   */
  public RevisionStore(Path dataDir, Path releasesDir, long maxBytes, ArchiveLimits limits) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException(MAX_BYTES_SETTING + " must be positive: " + maxBytes);
    }
    this.limits = limits;
    this.revisionsDir = dataDir.resolve("revisions");
    this.uploadsDir = revisionsDir.resolve("uploads");
    this.releasesDir = releasesDir;
    this.maxBytes = maxBytes;
    try {
      Files.createDirectories(uploadsDir);
      Files.createDirectories(releasesDir);
      try (DirectoryStream<Path> stale =
          Files.newDirectoryStream(releasesDir, UNPACKING_PREFIX + "*")) {
        for (Path dir : stale) {
          deleteTree(dir);
        }
      }
      // uploads and imports a previous process did not finish: nobody waits for them now
      int staleUploads = 0;
      try (DirectoryStream<Path> stale = Files.newDirectoryStream(uploadsDir)) {
        for (Path p : stale) {
          if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
            deleteTree(p);
          } else {
            Files.deleteIfExists(p);
          }
          staleUploads++;
        }
      }
      if (staleUploads > 0) {
        log.info("removed {} unfinished upload files from {}", staleUploads, uploadsDir);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot prepare the revision store under " + dataDir, e);
    }
  }

  private static ArchiveLimits checkedLimits(long maxUnpackedBytes) {
    if (maxUnpackedBytes <= 0) {
      throw new IllegalArgumentException(
          MAX_UNPACKED_BYTES_SETTING + " must be positive: " + maxUnpackedBytes);
    }
    return ArchiveLimits.withUnpackedBytes(maxUnpackedBytes);
  }

  /** True when {@code id} looks like a revision id: 64 lowercase hex characters. */
  public static boolean isRevisionId(String id) {
    return id != null && ID.matcher(id).matches();
  }

  /** The sha256 of a file's bytes, lowercase hex. */
  public static String sha256(Path file) throws IOException {
    MessageDigest digest = newDigest();
    try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
      in.transferTo(OutputStream.nullOutputStream());
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /**
   * Validates a tar.gz written to {@code upload} and moves it into the store. Uploading the same
   * bytes again returns the same revision. The file is gone afterwards either way.
   *
   * @throws RevisionRejected if it is not a gzip-compressed tar, too large, or has an entry that
   *     would land outside the release directory; nothing is stored then
   */
  public RevisionInfo importFile(Path upload) throws RevisionRejected, IOException {
    try {
      long size = Files.size(upload);
      if (size > maxBytes) {
        throw new RevisionRejected(
            Reason.TOO_LARGE,
            "the upload is "
                + size
                + " bytes, more than the limit of "
                + maxBytes
                + " bytes; upload a smaller archive or raise "
                + MAX_BYTES_SETTING);
      }
      int files = validate(upload, limits);
      String id = sha256(upload);
      synchronized (unpackLocks.computeIfAbsent(id, k -> new Object())) {
        Optional<RevisionInfo> existing = get(id);
        if (existing.isPresent()) {
          // uploaded again: as fresh as a new upload for retention
          touch(revisionsDir.resolve(id + ".tar.gz"));
          return existing.get();
        }
      }
      moveInto(upload, revisionsDir.resolve(id + ".tar.gz"));
      RevisionInfo info = new RevisionInfo(id, size, files, System.currentTimeMillis());
      Path staged = Files.createTempFile(uploadsDir, id, ".json");
      try {
        writeDurably(staged, info);
        try {
          // link(2) creates the name only if absent: the first of concurrent imports wins
          Files.createLink(metadataFile(id), staged);
          return info;
        } catch (FileAlreadyExistsException e) {
          Optional<RevisionInfo> winner = get(id);
          if (winner.isPresent()) {
            return winner.get();
          }
          // the file there is empty or corrupt (a crash mid-write): these bytes repair it
          Files.move(
              staged,
              metadataFile(id),
              StandardCopyOption.ATOMIC_MOVE,
              StandardCopyOption.REPLACE_EXISTING);
          log.info("revision {}: unreadable metadata replaced by this upload", id);
          return info;
        }
      } finally {
        Files.deleteIfExists(staged);
      }
    } finally {
      Files.deleteIfExists(upload);
    }
  }

  /** The stored tar.gz of a revision, for peers that fetch it. */
  public Optional<Path> archive(String id) {
    if (get(id).isEmpty()) {
      return Optional.empty();
    }
    Path archive = revisionsDir.resolve(id + ".tar.gz");
    return Files.isRegularFile(archive) ? Optional.of(archive) : Optional.empty();
  }

  public Optional<RevisionInfo> get(String id) {
    if (!isRevisionId(id)) {
      return Optional.empty();
    }
    return read(metadataFile(id));
  }

  /** All revisions, newest upload first. */
  public List<RevisionInfo> list() {
    List<RevisionInfo> all = new ArrayList<>();
    try (DirectoryStream<Path> files = Files.newDirectoryStream(revisionsDir, "*.json")) {
      for (Path file : files) {
        read(file).ifPresent(all::add);
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + revisionsDir, e);
    }
    all.sort(
        Comparator.comparingLong(RevisionInfo::uploadedAtMillis)
            .reversed()
            .thenComparing(RevisionInfo::id));
    return all;
  }

  /**
   * The release directory of a revision, unpacked on first use (atomically: a crash leaves no half
   * directory).
   */
  /** The directory releases are unpacked into. */
  public Path releasesDir() {
    return releasesDir;
  }

  public Path releaseDir(String id) throws IOException {
    if (!isRevisionId(id)) {
      throw new NoSuchFileException("unknown revision '" + id + "': not a sha256 revision id");
    }
    Path release = releasesDir.resolve(id);
    if (Files.isDirectory(release, LinkOption.NOFOLLOW_LINKS)) {
      return release;
    }
    synchronized (unpackLocks.computeIfAbsent(id, k -> new Object())) {
      if (Files.isDirectory(release, LinkOption.NOFOLLOW_LINKS)) {
        return release;
      }
      Path archive = revisionsDir.resolve(id + ".tar.gz");
      if (get(id).isEmpty() || !Files.isRegularFile(archive)) {
        throw new NoSuchFileException("unknown revision " + id + ": upload it first");
      }
      Path tmp = Files.createTempDirectory(releasesDir, UNPACKING_PREFIX + id + "-");
      try {
        Unpacker.unpack(archive, id, tmp, limits);
        try {
          Files.move(tmp, release, StandardCopyOption.ATOMIC_MOVE);
        } catch (FileAlreadyExistsException | DirectoryNotEmptyException e) {
          // another process unpacked it first; its copy is as good as ours
        }
        return release;
      } finally {
        if (Files.exists(tmp, LinkOption.NOFOLLOW_LINKS)) {
          deleteTree(tmp);
        }
      }
    }
  }

  /**
   * One stored revision for retention.
   *
   * @param id the revision id
   * @param freshAtMillis when it was last uploaded (first upload or a later upload of the same
   *     bytes, whichever is newer)
   */
  public record Stored(String id, long freshAtMillis) {}

  /** Every complete stored revision with its freshness. */
  public List<Stored> stored() {
    List<Stored> out = new ArrayList<>();
    for (RevisionInfo info : list()) {
      long fresh = info.uploadedAtMillis();
      try {
        fresh =
            Math.max(
                fresh,
                Files.getLastModifiedTime(revisionsDir.resolve(info.id() + ".tar.gz")).toMillis());
      } catch (IOException e) {
        // no archive: metadata alone, as fresh as its upload
      }
      out.add(new Stored(info.id(), fresh));
    }
    return out;
  }

  /** The ids of the unpacked releases on this host. */
  public List<String> releaseIds() {
    List<String> ids = new ArrayList<>();
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(releasesDir)) {
      for (Path dir : dirs) {
        String name = dir.getFileName().toString();
        if (isRevisionId(name)) {
          ids.add(name);
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list " + releasesDir, e);
    }
    return ids;
  }

  /**
   * Deletes a revision: its metadata first (from then on it counts as absent), then its archive and
   * its release. Returns false when there was nothing to delete.
   */
  public boolean delete(String id) throws IOException {
    if (!isRevisionId(id)) {
      return false;
    }
    synchronized (unpackLocks.computeIfAbsent(id, k -> new Object())) {
      boolean any = Files.deleteIfExists(metadataFile(id));
      any |= Files.deleteIfExists(revisionsDir.resolve(id + ".tar.gz"));
      any |= deleteRelease(id);
      return any;
    }
  }

  /** Deletes the unpacked release of a revision (it is unpacked again on next use). */
  public boolean deleteRelease(String id) throws IOException {
    if (!isRevisionId(id)) {
      return false;
    }
    Path release = releasesDir.resolve(id);
    synchronized (unpackLocks.computeIfAbsent(id, k -> new Object())) {
      if (!Files.exists(release, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      // moved aside first, so nobody sees a half-deleted release
      Path doomed = Files.createTempDirectory(releasesDir, UNPACKING_PREFIX + "delete-");
      Files.delete(doomed);
      Files.move(release, doomed, StandardCopyOption.ATOMIC_MOVE);
      deleteTree(doomed);
      return true;
    }
  }

  private static void touch(Path file) {
    try {
      Files.setLastModifiedTime(
          file, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException e) {
      // freshness only delays retention; a missing archive is repaired by the import
    }
  }

  /** Where uploads are staged before {@link #importFile}; on the same file system as the store. */
  public Path uploadsDir() {
    return uploadsDir;
  }

  /** Reads the whole archive once and returns its regular-file count, or why it is refused. */
  private static int validate(Path upload, ArchiveLimits limits)
      throws RevisionRejected, IOException {
    try (InputStream raw = new BufferedInputStream(Files.newInputStream(upload))) {
      raw.mark(2);
      int b1 = raw.read();
      int b2 = raw.read();
      raw.reset();
      if (b1 != 0x1f || b2 != 0x8b) {
        throw new RevisionRejected(
            Reason.INVALID, "not gzip: upload a .tar.gz (tar czf app.tar.gz -C dir .)");
      }
      EntryChecker checker = new EntryChecker(limits);
      try (InputStream tar = openTar(raw);
          TarArchiveInputStream entries = BoundedTarInput.open(tar, limits)) {
        TarArchiveEntry entry;
        long unpacked = 0;
        while ((entry = entries.getNextEntry()) != null) {
          checker.check(entry);
          unpacked = unpackedSoFar(unpacked, entry, limits);
        }
      } catch (BoundedTarInput.Refused e) {
        throw e.rejection();
      } catch (IOException | IllegalArgumentException e) {
        throw new RevisionRejected(
            Reason.INVALID,
            "not a readable tar.gz ("
                + e.getMessage()
                + "): upload a .tar.gz (tar czf app.tar.gz -C dir .)");
      }
      checker.finish();
      return checker.files();
    }
  }

  /**
   * {@code sofar} plus what {@code entry} unpacks to (a sparse file at its real size, holes
   * included), or the refusal naming the entry once that passes the bound.
   */
  static long unpackedSoFar(long sofar, TarArchiveEntry entry, ArchiveLimits limits)
      throws RevisionRejected {
    long size = Math.max(0, entry.getSize());
    if (entry.isSparse()) {
      size = Math.max(size, entry.getRealSize());
    }
    long total = sofar + size;
    if (size > limits.maxUnpackedBytes() || total > limits.maxUnpackedBytes()) {
      throw new RevisionRejected(
          Reason.TOO_LARGE,
          "the archive unpacks to more than "
              + limits.maxUnpackedBytes()
              + " bytes (at entry '"
              + EntryChecker.shown(entry.getName())
              + "', "
              + (entry.isSparse() ? "a sparse file of real size " : "")
              + size
              + " bytes); upload a smaller release or raise "
              + MAX_UNPACKED_BYTES_SETTING);
    }
    return total;
  }

  /**
   * The decompressed stream, after checking that it starts with a tar header: a gzip of anything
   * else is refused here rather than read as an empty archive.
   */
  static InputStream openTar(InputStream gz) throws IOException, RevisionRejected {
    BufferedInputStream tar =
        new BufferedInputStream(new GzipCompressorInputStream(gz, true), 8192);
    byte[] header = new byte[512];
    tar.mark(header.length);
    int n = tar.readNBytes(header, 0, header.length);
    tar.reset();
    boolean allZero = true;
    for (int i = 0; i < n; i++) {
      allZero &= header[i] == 0;
    }
    if (n == header.length && allZero) {
      return tar;
    }
    if (n < header.length || !TarArchiveInputStream.matches(header, n)) {
      throw new RevisionRejected(
          Reason.INVALID,
          "gzip but not a tar archive: upload a .tar.gz (tar czf app.tar.gz -C dir .)");
    }
    return tar;
  }

  private void moveInto(Path upload, Path target) throws IOException {
    try {
      Files.move(
          upload, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } catch (AtomicMoveNotSupportedException e) {
      Path staged = Files.createTempFile(uploadsDir, "import", ".tar.gz");
      try {
        Files.copy(upload, staged, StandardCopyOption.REPLACE_EXISTING);
        Files.move(
            staged, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } finally {
        Files.deleteIfExists(staged);
      }
    }
  }

  private Path metadataFile(String id) {
    return revisionsDir.resolve(id + ".json");
  }

  /**
   * The metadata in {@code metadata}; empty when absent, and also when empty, corrupt or naming
   * another revision (a crash mid-write, a bad disk): such a revision counts as not stored, and
   * uploading its bytes again rewrites the file.
   */
  private static Optional<RevisionInfo> read(Path metadata) {
    try {
      RevisionInfo info = JSON.readValue(metadata.toFile(), RevisionInfo.class);
      String name = metadata.getFileName().toString();
      if (info == null || !name.equals(info.id() + ".json")) {
        log.warn(
            "revision metadata {} names another revision; the revision is treated as absent"
                + " (upload its archive again to repair it)",
            metadata);
        return Optional.empty();
      }
      return Optional.of(info);
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return Optional.empty();
    } catch (IOException e) {
      log.warn(
          "revision metadata {} is unreadable ({}); the revision is treated as absent (upload its"
              + " archive again to repair it)",
          metadata,
          e.getMessage().lines().findFirst().orElse("empty"));
      return Optional.empty();
    }
  }

  /** Writes the metadata and forces it to disk, so that a crash cannot leave an empty file. */
  private static void writeDurably(Path file, RevisionInfo info) throws IOException {
    byte[] bytes = JSON.writeValueAsBytes(info);
    try (java.nio.channels.FileChannel ch =
        java.nio.channels.FileChannel.open(
            file, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
      ch.write(java.nio.ByteBuffer.wrap(bytes));
      ch.force(true);
    }
  }

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  }

  /** Deletes a tree without following symlinks, making read-only directories writable first. */
  static void deleteTree(Path root) throws IOException {
    Files.walkFileTree(
        root,
        new SimpleFileVisitor<>() {
          @Override
          public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs)
              throws IOException {
            Files.setPosixFilePermissions(dir, EnumSet.allOf(PosixFilePermission.class));
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult visitFile(Path file, BasicFileAttributes attrs)
              throws IOException {
            Files.delete(file);
            return FileVisitResult.CONTINUE;
          }

          @Override
          public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
            if (e != null) {
              throw e;
            }
            Files.delete(dir);
            return FileVisitResult.CONTINUE;
          }
        });
  }

  /** Opens {@code file} for writing, refusing to follow a symlink or replace anything. */
  static OutputStream createNew(Path file) throws IOException {
    return Files.newOutputStream(
        file, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE, LinkOption.NOFOLLOW_LINKS);
  }
}
