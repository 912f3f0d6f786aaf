package io.drover.actors.revision;

import io.drover.persistence.CborSerializable;

/**
 * An uploaded revision.
 *
 * @param id sha256 of the tar.gz bytes, lowercase hex
 * @param size size of the tar.gz in bytes
 * @param files number of regular files in the archive
 * @param uploadedAtMillis epoch milliseconds of the first upload
 */
public record RevisionInfo(String id, long size, int files, long uploadedAtMillis)
    implements CborSerializable {}
