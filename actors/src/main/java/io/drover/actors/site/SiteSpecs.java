package io.drover.actors.site;

import java.util.List;
import java.util.Map;

/** Validation and defaults for {@link SiteSpec}; pure functions. */
public final class SiteSpecs {

  public static final String DEFAULT_POOL = "default";
  public static final String DEFAULT_INTERVAL = "5s";
  public static final String DEFAULT_TIMEOUT = "2s";
  public static final String DEFAULT_START_TIMEOUT = "60s";
  public static final int DEFAULT_FAILURES = 3;
  public static final String DEFAULT_INITIAL_BACKOFF = "500ms";
  public static final String DEFAULT_MAX_BACKOFF = "30s";
  public static final String DEFAULT_RESET_AFTER = "60s";

  private SiteSpecs() {}

  /**
   * Every problem with a site name and spec, each a sentence that says what to fix; empty when
   * valid. Does not check that the revision exists (the caller knows the revision store).
   */
  public static List<String> validate(String name, SiteSpec spec) {
    throw new UnsupportedOperationException("SiteSpecs is being written");
  }

  /** The spec with every absent optional field filled with its default. Call after validate. */
  public static SiteSpec withDefaults(SiteSpec spec) {
    HealthCheck h = spec.health();
    if (h == null) {
      h = new HealthCheck(null, true, null, null, null, null, null);
    }
    HealthCheck health =
        new HealthCheck(
            h.http(),
            h.http() == null && h.exec() == null ? Boolean.TRUE : null,
            h.exec() == null ? null : List.copyOf(h.exec()),
            or(h.interval(), DEFAULT_INTERVAL),
            or(h.timeout(), DEFAULT_TIMEOUT),
            or(h.startTimeout(), DEFAULT_START_TIMEOUT),
            h.failures() == null ? DEFAULT_FAILURES : h.failures());
    RestartPolicy r = spec.restart() == null ? new RestartPolicy(null, null, null) : spec.restart();
    RestartPolicy restart =
        new RestartPolicy(
            or(r.initialBackoff(), DEFAULT_INITIAL_BACKOFF),
            or(r.maxBackoff(), DEFAULT_MAX_BACKOFF),
            or(r.resetAfter(), DEFAULT_RESET_AFTER));
    return new SiteSpec(
        spec.revision(),
        List.copyOf(spec.command()),
        spec.instances(),
        spec.pool() == null ? DEFAULT_POOL : spec.pool(),
        spec.env() == null ? Map.of() : Map.copyOf(spec.env()),
        health,
        restart);
  }

  private static String or(String value, String fallback) {
    return value == null ? fallback : value;
  }
}
