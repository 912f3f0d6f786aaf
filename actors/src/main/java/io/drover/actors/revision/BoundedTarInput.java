package io.drover.actors.revision;

import io.drover.actors.revision.RevisionRejected.Reason;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * A tar reader that refuses oversized metadata before reading it into memory: a PAX header over
 * {@link ArchiveLimits#maxHeaderBytes()}, a GNU long name or link over {@link
 * ArchiveLimits#maxNameBytes()}, and, as a backstop for everything else read while finding the next
 * entry (old GNU sparse extension records, PAX 1.0 sparse maps), more than {@link
 * ArchiveLimits#entryMetadataBudget()} bytes. Entry data is not limited here.
 */
final class BoundedTarInput extends TarArchiveInputStream {

  /** A refusal thrown from inside the tar reader; carries the {@link RevisionRejected}. */
  static final class Refused extends IOException {
    private static final long serialVersionUID = 1L;

    Refused(RevisionRejected rejection) {
      super(rejection.getMessage(), rejection);
    }

    RevisionRejected rejection() {
      return (RevisionRejected) getCause();
    }
  }

  private final Metered metered;
  private final ArchiveLimits limits;
  private int nesting;
  private String previous;

  private BoundedTarInput(Metered metered, ArchiveLimits limits) {
    super(metered);
    this.metered = metered;
    this.limits = limits;
  }

  static BoundedTarInput open(InputStream tar, ArchiveLimits limits) {
    return new BoundedTarInput(new Metered(tar), limits);
  }

  @Override
  public TarArchiveEntry getNextEntry() throws IOException {
    if (nesting > 0) { // PAX and long-name headers read the entry they describe this way
      return super.getNextEntry();
    }
    if (getCurrentEntry() != null) {
      // the rest of the previous entry's data is not metadata: skip it before arming the budget
      while (skip(Long.MAX_VALUE) > 0) {
        // skip returns 0 once the entry's data is consumed
      }
    }
    metered.arm(limits.entryMetadataBudget(), this::overBudget);
    nesting++;
    try {
      TarArchiveEntry entry = super.getNextEntry();
      if (entry != null) {
        previous = entry.getName();
      }
      return entry;
    } finally {
      nesting--;
      metered.disarm();
    }
  }

  @Override
  protected byte[] getLongNameData() throws IOException {
    TarArchiveEntry header = getCurrentEntry();
    if (header != null && header.getSize() > limits.maxNameBytes() + 1L) {
      throw refused(
          "a GNU long "
              + (header.isGNULongLinkEntry() ? "link target" : "name")
              + " header ('"
              + header.getName()
              + "'"
              + after()
              + ") of "
              + header.getSize()
              + " bytes is longer than "
              + limits.maxNameBytes()
              + " bytes; shorten the path or raise "
              + ArchiveLimits.MAX_NAME_BYTES_SETTING);
    }
    return super.getLongNameData();
  }

  @Override
  public int read(byte[] buf, int offset, int length) throws IOException {
    TarArchiveEntry header = getCurrentEntry();
    if (header != null
        && (header.isPaxHeader() || header.isGlobalPaxHeader())
        && header.getSize() > limits.maxHeaderBytes()) {
      throw refused(
          "the PAX header '"
              + header.getName()
              + "'"
              + after()
              + " is "
              + header.getSize()
              + " bytes, more than "
              + limits.maxHeaderBytes()
              + "; repack without extended attributes or raise "
              + ArchiveLimits.MAX_HEADER_BYTES_SETTING);
    }
    return super.read(buf, offset, length);
  }

  private IOException overBudget() {
    return refused(
        "the headers of the entry"
            + (previous == null ? " at the start of the archive" : " after '" + previous + "'")
            + " (PAX records, GNU long names, sparse maps) take more than "
            + limits.entryMetadataBudget()
            + " bytes (4 x "
            + ArchiveLimits.MAX_HEADER_BYTES_SETTING
            + " + 32 KiB); repack it plainly or raise "
            + ArchiveLimits.MAX_HEADER_BYTES_SETTING);
  }

  private String after() {
    return previous == null ? "" : ", after entry '" + previous + "'";
  }

  private static Refused refused(String message) {
    return new Refused(new RevisionRejected(Reason.TOO_LARGE, message));
  }

  /** Counts what is read while armed and fails past the budget, before handing bytes over. */
  private static final class Metered extends FilterInputStream {
    private long remaining = -1;
    private java.util.function.Supplier<IOException> failure;

    Metered(InputStream in) {
      super(in);
    }

    void arm(long budget, java.util.function.Supplier<IOException> onExceeded) {
      remaining = budget;
      failure = onExceeded;
    }

    void disarm() {
      remaining = -1;
    }

    private int allowed(int wanted) throws IOException {
      if (remaining < 0) {
        return wanted;
      }
      if (remaining == 0) {
        throw failure.get();
      }
      return (int) Math.min(wanted, remaining);
    }

    @Override
    public int read() throws IOException {
      allowed(1);
      int b = super.read();
      if (b >= 0 && remaining > 0) {
        remaining--;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, allowed(len));
      if (n > 0 && remaining > 0) {
        remaining -= n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long skipped = super.skip(remaining < 0 ? n : Math.min(n, allowed((int) Math.min(n, 8192))));
      if (skipped > 0 && remaining > 0) {
        remaining -= skipped;
      }
      return skipped;
    }
  }
}
