package io.drover.persistence;

/**
 * Marker for every type that crosses the wire inside the cluster or is written to the journal. It
 * is bound to Pekko's {@code jackson-cbor} serializer in this module's {@code reference.conf}; Java
 * serialization is off, so a message that does not implement this fails loudly.
 */
public interface CborSerializable {}
