package io.drover.actors.token;

import io.drover.persistence.CborSerializable;
import java.util.List;

/**
 * The credentials every node verifies against, as the registry pushes them to the caches ({@link
 * TokenTopic}) and answers a pull ({@link TokenRegistry.GetTable}): hashes only.
 *
 * @param version the registry's {@link TokenState#version()} this table is of
 */
public record TokenTable(long version, List<Entry> entries) implements CborSerializable {

  public TokenTable {
    entries = List.copyOf(entries);
  }

  /**
   * One credential.
   *
   * @param name the token's name, or {@code node:<host>} for a node credential
   * @param role the role's wire name
   * @param hash SHA-256 of the secret, lowercase hex
   * @param expires epoch ms from which it no longer verifies; null: never (node credentials, which
   *     are replaced when their node restarts)
   */
  public record Entry(String name, String role, String hash, Long expires)
      implements CborSerializable {}
}
