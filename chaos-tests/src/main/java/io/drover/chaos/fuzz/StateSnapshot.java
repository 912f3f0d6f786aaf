package io.drover.chaos.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.drover.http.Json;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * What requests may change, as the API shows it: each site's name and spec, the stored revision
 * ids, and each host's pool, labels, cordon and drain flags. Observed state (instances, readiness)
 * is left out: it changes by itself.
 *
 * @param sites site name to its spec
 * @param revisions the revision ids
 * @param hosts host name to its record fields
 */
public record StateSnapshot(
    TreeMap<String, JsonNode> sites, TreeSet<String> revisions, TreeMap<String, JsonNode> hosts) {

  /** Reads the three listings; fails when any of them does not answer 200 with JSON. */
  public static StateSnapshot take(RawHttp http) throws IOException {
    TreeMap<String, JsonNode> sites = new TreeMap<>();
    for (JsonNode s : list(http, "/api/v1/sites")) {
      sites.put(s.path("name").asText(), s.path("spec"));
    }
    TreeSet<String> revisions = new TreeSet<>();
    for (JsonNode r : list(http, "/api/v1/revisions")) {
      revisions.add(r.path("id").asText());
    }
    TreeMap<String, JsonNode> hosts = new TreeMap<>();
    for (JsonNode h : list(http, "/api/v1/hosts")) {
      ObjectNode kept = JsonNodeFactory.instance.objectNode();
      for (String f : List.of("pool", "labels", "cordoned", "draining")) {
        kept.set(f, h.path(f));
      }
      hosts.put(h.path("name").asText(), kept);
    }
    return new StateSnapshot(sites, revisions, hosts);
  }

  private static ArrayNode list(RawHttp http, String path) throws IOException {
    RawHttp.Answer a = http.send(new FuzzRequest("snapshot", "GET", path, List.of(), new byte[0]));
    if (a.status() != 200) {
      throw new IOException("GET " + path + " answered " + a.status() + ": " + a.body());
    }
    JsonNode n = Json.MAPPER.readTree(a.body());
    if (!(n instanceof ArrayNode arr)) {
      throw new IOException("GET " + path + " did not answer a JSON array: " + a.body());
    }
    return arr;
  }

  /**
   * What changed from {@code before} to this, one line each; empty when nothing did. A revision
   * that disappeared is not a change here: retention may delete unused revisions at any time.
   */
  public List<String> changesSince(StateSnapshot before) {
    List<String> changes = new ArrayList<>();
    for (String name : union(before.sites.keySet(), sites.keySet())) {
      JsonNode was = before.sites.get(name);
      JsonNode now = sites.get(name);
      if (was == null) {
        changes.add("site " + name + " appeared: " + now);
      } else if (now == null) {
        changes.add("site " + name + " disappeared (was " + was + ")");
      } else if (!was.equals(now)) {
        changes.add("site " + name + " changed from " + was + " to " + now);
      }
    }
    for (String id : revisions) {
      if (!before.revisions.contains(id)) {
        changes.add("revision " + id + " appeared");
      }
    }
    for (String name : union(before.hosts.keySet(), hosts.keySet())) {
      JsonNode was = before.hosts.get(name);
      JsonNode now = hosts.get(name);
      if (was == null || now == null || !was.equals(now)) {
        changes.add("host " + name + " changed from " + was + " to " + now);
      }
    }
    return changes;
  }

  private static TreeSet<String> union(java.util.Set<String> a, java.util.Set<String> b) {
    TreeSet<String> all = new TreeSet<>(a);
    all.addAll(b);
    return all;
  }
}
