package io.drover.actors.site;

import java.util.Map;
import java.util.TreeMap;

/**
 * A spec read back from the API shows each {@code secretEnv} value as {@link SiteSpec#MASK}; a
 * client that puts it back unchanged must not replace the secrets by the mask. Pure functions.
 */
public final class SecretEnvs {

  private SecretEnvs() {}

  /**
   * The secret environment to store.
   *
   * @param secretEnv what the new spec holds, or null when it has none
   * @param problem why it cannot be stored (the mask for a key without a current value), else null
   */
  public record Kept(Map<String, String> secretEnv, String problem) {}

  /**
   * {@code incoming} with every value that is exactly the mask replaced by the current value of its
   * key; a mask for a key that has no current value is a problem. Never quotes a value.
   *
   * @param incoming the new spec's secretEnv, maybe null
   * @param current the stored spec's secretEnv, maybe null (new site or job)
   */
  public static Kept keep(Map<String, String> incoming, Map<String, String> current) {
    if (incoming == null || !incoming.containsValue(SiteSpec.MASK)) {
      return new Kept(incoming, null);
    }
    Map<String, String> out = new TreeMap<>();
    for (Map.Entry<String, String> e : incoming.entrySet()) {
      if (!SiteSpec.MASK.equals(e.getValue())) {
        out.put(e.getKey(), e.getValue());
      } else if (current != null && current.get(e.getKey()) != null) {
        out.put(e.getKey(), current.get(e.getKey()));
      } else {
        return new Kept(
            incoming,
            "secretEnv '"
                + e.getKey()
                + "' is \""
                + SiteSpec.MASK
                + "\", the mask the API shows, and there is no stored value to keep: send the"
                + " value");
      }
    }
    return new Kept(out, null);
  }

  /** {@code spec} with its secretEnv replaced by {@code secretEnv}. */
  public static SiteSpec with(SiteSpec spec, Map<String, String> secretEnv) {
    return new SiteSpec(
        spec.revision(),
        spec.command(),
        spec.instances(),
        spec.pool(),
        spec.env(),
        spec.health(),
        spec.restart(),
        spec.build(),
        spec.labels(),
        secretEnv,
        spec.user());
  }
}
