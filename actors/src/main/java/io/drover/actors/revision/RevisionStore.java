package io.drover.actors.revision;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * Revisions, content-addressed by sha256, stored under {@code <data-dir>/revisions/} and unpacked
 * once per host into {@code <data-dir>/releases/<id>/}. Thread-safe; every method may block on disk
 * and belongs on a blocking dispatcher.
 */
public final class RevisionStore {

  public RevisionStore(Path dataDir, long maxBytes) {
    throw new UnsupportedOperationException("RevisionStore is being written");
  }

  /**
   * Validates a tar.gz written to {@code upload} and moves it into the store. Uploading the same
   * bytes again returns the same revision. The file is gone afterwards either way.
   *
   * @throws RevisionRejected if it is not a gzip-compressed tar, too large, or has an entry that
   *     would land outside the release directory; nothing is stored then
   */
  public RevisionInfo importFile(Path upload) throws RevisionRejected, IOException {
    throw new UnsupportedOperationException();
  }

  public Optional<RevisionInfo> get(String id) {
    throw new UnsupportedOperationException();
  }

  /** All revisions, newest upload first. */
  public List<RevisionInfo> list() {
    throw new UnsupportedOperationException();
  }

  /**
   * The release directory of a revision, unpacked on first use (atomically: a crash leaves no half
   * directory).
   */
  public Path releaseDir(String id) throws IOException {
    throw new UnsupportedOperationException();
  }

  /** Where uploads are staged before {@link #importFile}; on the same file system as the store. */
  public Path uploadsDir() {
    throw new UnsupportedOperationException();
  }
}
