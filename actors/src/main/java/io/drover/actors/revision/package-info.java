/**
 * Revisions: uploaded tar.gz artifacts, content-addressed by sha256, validated before they are
 * stored ({@link io.drover.actors.revision.RevisionStore}) and unpacked once per host into a
 * release directory; {@link io.drover.actors.revision.TarGz} packs a directory deterministically.
 * {@link io.drover.actors.revision.ArchiveLimits} bounds what one archive may hold (unpacked size,
 * entries, name length, depth, header sizes); {@code BoundedTarInput} refuses oversized PAX and GNU
 * long-name headers before reading them.
 */
package io.drover.actors.revision;
