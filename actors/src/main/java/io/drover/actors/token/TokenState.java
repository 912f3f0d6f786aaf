package io.drover.actors.token;

import io.drover.persistence.CborSerializable;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What the token registry knows, rebuilt from its events.
 *
 * @param version one more with every change of what verifies (a token created or revoked, a node
 *     credential registered); a use report does not change it. Caches compare it to know whether
 *     their table is current.
 * @param tokens the tokens not revoked (expired ones included until revoked or replaced), by name
 * @param nodes each host's current node credential, by host
 */
public record TokenState(long version, Map<String, Token> tokens, Map<String, NodeCredential> nodes)
    implements CborSerializable {

  /**
   * One token.
   *
   * @param lastUsed the last use a cache reported (epoch ms, to {@link
   *     TokenRules#LAST_USED_GRANULARITY}); null: never reported
   */
  public record Token(
      String name,
      String role,
      String hash,
      long created,
      long expires,
      String createdBy,
      Long lastUsed)
      implements CborSerializable {

    public boolean expiredAt(long now) {
      return now >= expires;
    }
  }

  /** A node's credential for revision transfers. */
  public record NodeCredential(String host, String hash, long at) implements CborSerializable {}

  public TokenState {
    tokens = Collections.unmodifiableMap(new TreeMap<>(tokens));
    nodes = Collections.unmodifiableMap(new TreeMap<>(nodes));
  }

  public static TokenState empty() {
    return new TokenState(0, Map.of(), Map.of());
  }

  /** The state after {@code e}. */
  public TokenState apply(TokenEvent e) {
    if (e instanceof TokenEvent.TokenCreated c) {
      Map<String, Token> next = new TreeMap<>(tokens);
      next.put(
          c.name(),
          new Token(c.name(), c.role(), c.hash(), c.created(), c.expires(), c.createdBy(), null));
      return new TokenState(version + 1, next, nodes);
    }
    if (e instanceof TokenEvent.TokenRevoked r) {
      Map<String, Token> next = new TreeMap<>(tokens);
      next.remove(r.name());
      return new TokenState(version + 1, next, nodes);
    }
    if (e instanceof TokenEvent.NodeCredentialRegistered n) {
      Map<String, NodeCredential> next = new TreeMap<>(nodes);
      next.put(n.host(), new NodeCredential(n.host(), n.hash(), n.at()));
      return new TokenState(version + 1, tokens, next);
    }
    TokenEvent.TokensUsed u = (TokenEvent.TokensUsed) e;
    Map<String, Token> next = new TreeMap<>(tokens);
    u.at()
        .forEach(
            (name, at) ->
                next.computeIfPresent(
                    name,
                    (n, t) ->
                        new Token(
                            t.name(),
                            t.role(),
                            t.hash(),
                            t.created(),
                            t.expires(),
                            t.createdBy(),
                            at)));
    return new TokenState(version, next, nodes);
  }

  /** What every node's cache holds: names, roles, hashes and expiry; never a secret. */
  public TokenTable table() {
    List<TokenTable.Entry> entries = new ArrayList<>();
    for (Token t : tokens.values()) {
      entries.add(new TokenTable.Entry(t.name(), t.role(), t.hash(), t.expires()));
    }
    for (NodeCredential n : nodes.values()) {
      entries.add(
          new TokenTable.Entry(
              TokenRules.nodeName(n.host()), TokenRules.NODE_ROLE, n.hash(), null));
    }
    return new TokenTable(version, entries);
  }
}
