package io.drover.actors.agent;

import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The environment of an instance and of its exec health checks: a small base taken from the node
 * ({@link #BASE}), then the site's {@code env}, then what the agent sets ({@code PORT}, {@code
 * DROVER_SITE}, ...). Nothing else of the node's environment reaches an instance: not its secrets
 * ({@code DROVER_JDBC_PASSWORD}), not its own {@code DROVER_*} settings, not {@code
 * JAVA_TOOL_OPTIONS}. Pure functions.
 */
final class InstanceEnv {

  /** The node's variables an instance inherits, when the node has them. */
  static final List<String> BASE =
      List.of(
          "PATH", "HOME", "LANG", "LC_ALL", "TZ", "USER", "LOGNAME", "TMPDIR", "SHELL", "HOSTNAME");

  /** {@code PATH} when the node has none. */
  static final String DEFAULT_PATH = "/usr/local/bin:/usr/bin:/bin";

  private InstanceEnv() {}

  /**
   * The environment for an instance.
   *
   * @param node the node's environment ({@code System.getenv()})
   * @param site the site's {@code env}, already validated (no {@code PORT}, no {@code DROVER_*})
   * @param agent what the agent sets for this instance; wins over everything
   */
  static Map<String, String> of(
      Map<String, String> node, Map<String, String> site, Map<String, String> agent) {
    Map<String, String> env = new TreeMap<>();
    for (String name : BASE) {
      String value = node.get(name);
      if (value != null) {
        env.put(name, value);
      }
    }
    env.putIfAbsent("PATH", DEFAULT_PATH);
    env.putAll(site);
    env.putAll(agent);
    return Map.copyOf(env);
  }

  /** Replaces the environment {@code pb} inherited from the node by {@code env}. */
  static ProcessBuilder apply(ProcessBuilder pb, Map<String, String> env) {
    Map<String, String> target = pb.environment();
    target.clear();
    target.putAll(env);
    return pb;
  }
}
