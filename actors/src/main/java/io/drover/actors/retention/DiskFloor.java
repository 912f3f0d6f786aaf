package io.drover.actors.retention;

import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The free-space floor of the data directory: under it, uploads are refused (507) and health says
 * {@code degraded}. A full disk is where stores lose data.
 *
 * @param dataDir the node's data directory
 * @param minFreeBytes free bytes below which the disk counts as low ({@value #MIN_FREE_SETTING})
 * @param minFreePercent free share of the file system, in percent, below which it counts as low
 *     ({@value #MIN_FREE_PERCENT_SETTING}); 0 turns this check off
 */
public record DiskFloor(Path dataDir, long minFreeBytes, int minFreePercent) {

  public static final String MIN_FREE_SETTING = "drover.disk.min-free";
  public static final String MIN_FREE_PERCENT_SETTING = "drover.disk.min-free-percent";

  public DiskFloor {
    if (minFreeBytes < 0) {
      throw new IllegalArgumentException(MIN_FREE_SETTING + " must be 0 or more: " + minFreeBytes);
    }
    if (minFreePercent < 0 || minFreePercent > 100) {
      throw new IllegalArgumentException(
          MIN_FREE_PERCENT_SETTING + " must be between 0 and 100: " + minFreePercent);
    }
  }

  /**
   * The data directory's space now.
   *
   * @param free bytes a process may still write
   * @param total size of the file system
   * @param floor the effective floor in bytes (the larger of the two settings)
   * @param low free is under the floor
   */
  public record Status(long free, long total, long floor, boolean low) {

    /** For a refusal: what is wrong and what to do. */
    public String message(Path dataDir) {
      return "the data directory "
          + dataDir
          + " has "
          + mib(free)
          + " MiB free, under its floor of "
          + mib(floor)
          + " MiB: free space (old revisions are deleted automatically) or lower "
          + MIN_FREE_SETTING
          + " / "
          + MIN_FREE_PERCENT_SETTING;
    }

    private static long mib(long bytes) {
      return bytes / (1024 * 1024);
    }
  }

  /** Pure: the status for these figures. */
  public static Status evaluate(long free, long total, long minFreeBytes, int minFreePercent) {
    long byPercent = total / 100 * minFreePercent;
    long floor = Math.max(minFreeBytes, byPercent);
    return new Status(free, total, floor, free < floor);
  }

  /** Measures the file system of the data directory. */
  public Status check() throws IOException {
    FileStore store = Files.getFileStore(dataDir);
    return evaluate(store.getUsableSpace(), store.getTotalSpace(), minFreeBytes, minFreePercent);
  }
}
