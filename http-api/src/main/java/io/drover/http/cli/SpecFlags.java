package io.drover.http.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A site spec from {@code drover site put} flags laid over a base spec (the {@code -f} file, else
 * the site's current spec, else nothing): each flag replaces its field, {@code --env} adds or
 * replaces one variable. Pure.
 *
 * <p>{@code --command} is repeatable, one argument each ({@code --command sh --command -c --command
 * 'echo hi'}); given once, its value is split on whitespace ({@code --command "java -Xmx32m
 * Hello.java"}), so an argument with spaces needs the repeated form or a spec file.
 */
final class SpecFlags {

  private SpecFlags() {}

  /** The flags; null (or empty) when not given. */
  record Flags(
      String revision, List<String> command, Integer instances, List<String> env, String pool) {}

  /** The argv of {@code --command} values (see the class comment). */
  static List<String> command(List<String> values) {
    if (values == null || values.isEmpty()) {
      return List.of();
    }
    if (values.size() == 1) {
      List<String> out = new ArrayList<>();
      for (String part : values.get(0).trim().split("\\s+")) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
      return out;
    }
    return List.copyOf(values);
  }

  /**
   * {@code base} (not changed) with the flags applied; a {@link CliError} (usage) for an {@code
   * --env} without {@code =}, or when the result lacks a revision or a command.
   *
   * @param base the spec to start from; null for an empty one
   */
  static ObjectNode apply(JsonNode base, Flags f) {
    ObjectNode spec =
        base != null && base.isObject() ? ((ObjectNode) base).deepCopy() : JsonTree.object();
    if (f.revision() != null) {
      spec.put("revision", f.revision());
    }
    List<String> cmd = command(f.command());
    if (!cmd.isEmpty()) {
      ArrayNode a = spec.putArray("command");
      cmd.forEach(a::add);
    }
    if (f.instances() != null) {
      spec.put("instances", f.instances());
    }
    if (f.pool() != null) {
      spec.put("pool", f.pool());
    }
    if (f.env() != null && !f.env().isEmpty()) {
      ObjectNode env = spec.get("env") instanceof ObjectNode e ? e : spec.putObject("env");
      for (Map.Entry<String, String> kv : envPairs(f.env())) {
        env.put(kv.getKey(), kv.getValue());
      }
    }
    List<String> missing = new ArrayList<>();
    if (!spec.hasNonNull("revision")) {
      missing.add("--revision ID (upload one with: drover upload DIR)");
    }
    if (!spec.has("command") || spec.get("command").size() == 0) {
      missing.add("--command \"CMD ARGS\"");
    }
    if (!missing.isEmpty()) {
      throw new CliError(
          ExitCodes.USAGE,
          "a new site needs " + String.join(" and ", missing) + ", or a spec: -f spec.json");
    }
    return spec;
  }

  static List<Map.Entry<String, String>> envPairs(List<String> pairs) {
    List<Map.Entry<String, String>> out = new ArrayList<>();
    for (String p : pairs) {
      int eq = p.indexOf('=');
      if (eq <= 0) {
        throw new CliError(ExitCodes.USAGE, "--env " + p + " is not KEY=VALUE");
      }
      out.add(Map.entry(p.substring(0, eq), p.substring(eq + 1)));
    }
    return out;
  }
}
