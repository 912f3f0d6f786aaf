/**
 * Revisions: uploaded tar.gz artifacts, content-addressed by sha256, validated before they are
 * stored ({@link io.drover.actors.revision.RevisionStore}) and unpacked once per host into a
 * release directory; {@link io.drover.actors.revision.TarGz} packs a directory deterministically.
 */
package io.drover.actors.revision;
