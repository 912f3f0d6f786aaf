package io.drover.actors.revision;

import io.drover.persistence.CborSerializable;

/**
 * Published on {@link RevisionTopic} by a site entity when a spec with a new revision (or a new
 * pool) is persisted, and again when the entity recovers: every host of {@code pool} should hold
 * {@code revision}, so that a failover or a later deploy never waits on a transfer that could have
 * happened earlier.
 *
 * @param revision the revision id (sha256)
 * @param pool the pool whose hosts should hold it
 */
public record RevisionWanted(String revision, String pool) implements CborSerializable {}
