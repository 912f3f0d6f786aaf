package io.drover.actors.revision;

/**
 * Bounds on what one revision archive may hold, each refused with a 413 that names the entry and
 * the setting. Read from {@code drover.revisions}.
 *
 * @param maxUnpackedBytes total size of the files once unpacked, sparse files at their real size
 * @param maxEntries entries of every kind (files, directories, links)
 * @param maxNameBytes UTF-8 bytes of an entry's name or link target, GNU long names and PAX paths
 *     included
 * @param maxDepth path segments of an entry's normalised name
 * @param maxHeaderBytes size of one PAX header; an entry's metadata as a whole (PAX records, GNU
 *     long names, sparse maps) may take four times this
 */
public record ArchiveLimits(
    long maxUnpackedBytes, int maxEntries, int maxNameBytes, int maxDepth, int maxHeaderBytes) {

  public static final String MAX_ENTRIES_SETTING = "drover.revisions.max-entries";
  public static final String MAX_NAME_BYTES_SETTING = "drover.revisions.max-name-bytes";
  public static final String MAX_DEPTH_SETTING = "drover.revisions.max-depth";
  public static final String MAX_HEADER_BYTES_SETTING = "drover.revisions.max-header-bytes";

  public static final int DEFAULT_MAX_ENTRIES = 100_000;
  public static final int DEFAULT_MAX_NAME_BYTES = 4096;
  public static final int DEFAULT_MAX_DEPTH = 64;
  public static final int DEFAULT_MAX_HEADER_BYTES = 64 * 1024;

  public ArchiveLimits {
    if (maxUnpackedBytes <= 0
        || maxEntries <= 0
        || maxNameBytes <= 0
        || maxDepth <= 0
        || maxHeaderBytes < 512) {
      throw new IllegalArgumentException(
          "archive limits must be positive (max-header-bytes at least 512): " + this);
    }
  }

  /** The default bounds with {@code maxUnpackedBytes}. */
  public static ArchiveLimits withUnpackedBytes(long maxUnpackedBytes) {
    return new ArchiveLimits(
        maxUnpackedBytes,
        DEFAULT_MAX_ENTRIES,
        DEFAULT_MAX_NAME_BYTES,
        DEFAULT_MAX_DEPTH,
        DEFAULT_MAX_HEADER_BYTES);
  }

  /** What one entry's headers may read in all, padding and extension records included. */
  long entryMetadataBudget() {
    return 4L * maxHeaderBytes + 64L * 512;
  }
}
