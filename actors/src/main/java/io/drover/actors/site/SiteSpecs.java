package io.drover.actors.site;

import io.drover.actors.common.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

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

  /** The fewest instances a site may ask for: everything runs at least twice. */
  public static final int MIN_INSTANCES = 2;

  public static final int MAX_INSTANCES = 1000;

  /** Bounds of the durations in a spec, inclusive; named in the refusal of a value outside. */
  public static final Duration MIN_INTERVAL = Duration.ofMillis(100);

  public static final Duration MAX_INTERVAL = Duration.ofHours(1);
  public static final Duration MIN_TIMEOUT = Duration.ofMillis(100);
  public static final Duration MAX_TIMEOUT = Duration.ofMinutes(5);
  public static final Duration MIN_START_TIMEOUT = Duration.ofSeconds(1);
  public static final Duration MAX_START_TIMEOUT = Duration.ofHours(1);
  public static final Duration MIN_BACKOFF = Duration.ofMillis(1);
  public static final Duration MAX_INITIAL_BACKOFF = Duration.ofMinutes(10);
  public static final Duration MAX_MAX_BACKOFF = Duration.ofHours(1);
  public static final Duration MIN_RESET_AFTER = Duration.ofSeconds(1);
  public static final Duration MAX_RESET_AFTER = Duration.ofHours(24);
  public static final int MAX_FAILURES = 100;

  /** The longest {@code health.http} path, query included. */
  public static final int MAX_HTTP_PATH = 1024;

  private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern REVISION = Pattern.compile("[0-9a-f]{64}");
  private static final Pattern ENV_KEY = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

  private SiteSpecs() {}

  /**
   * Every problem with a site name and spec, each a sentence that says what to fix; empty when
   * valid. Does not check that the revision exists (the caller knows the revision store).
   */
  public static List<String> validate(String name, SiteSpec spec) {
    List<String> problems = new ArrayList<>();
    if (name == null || !NAME.matcher(name).matches()) {
      problems.add(
          "name '"
              + name
              + "' is not valid: use 1 to 63 lowercase letters, digits and '-', starting with a"
              + " letter or digit");
    }
    if (spec == null) {
      problems.add("the site spec is missing: send revision, command and instances");
      return problems;
    }
    if (spec.revision() == null || !REVISION.matcher(spec.revision()).matches()) {
      problems.add(
          "revision '"
              + spec.revision()
              + "' is not valid: use the 64 lowercase hex characters of an uploaded revision's"
              + " sha256");
    }
    checkArgv("command", spec.command(), problems);
    if (spec.instances() < MIN_INSTANCES) {
      problems.add(
          "instances must be at least 2: Drover runs everything at least twice, on distinct hosts"
              + " when it can (got "
              + spec.instances()
              + ")");
    } else if (spec.instances() > MAX_INSTANCES) {
      problems.add(
          "instances must be at most " + MAX_INSTANCES + " (got " + spec.instances() + ")");
    }
    if (spec.pool() != null && !NAME.matcher(spec.pool()).matches()) {
      problems.add(
          "pool '"
              + spec.pool()
              + "' is not valid: use 1 to 63 lowercase letters, digits and '-', starting with a"
              + " letter or digit, or leave it out for '"
              + DEFAULT_POOL
              + "'");
    }
    checkEnv(spec.env(), problems);
    checkEnv("secretEnv", spec.secretEnv(), problems);
    if (spec.user() != null) {
      String p = io.drover.actors.agent.Sandbox.problem("user", spec.user());
      if (p != null) {
        problems.add(p);
      }
    }
    if (spec.health() != null) {
      checkHealth(spec.health(), problems);
    }
    if (spec.restart() != null) {
      checkRestart(spec.restart(), problems);
    }
    if (spec.build() != null) {
      checkArgv("build", spec.build(), problems);
    }
    if (spec.labels() != null) {
      checkLabels(spec.labels(), problems);
    }
    return problems;
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
        restart,
        spec.build() == null || spec.build().isEmpty() ? null : List.copyOf(spec.build()),
        spec.labels() == null ? Map.of() : Map.copyOf(spec.labels()),
        spec.secretEnv() == null || spec.secretEnv().isEmpty()
            ? null
            : Map.copyOf(spec.secretEnv()),
        spec.user());
  }

  /** The most labels a site may carry. */
  public static final int MAX_LABELS = 32;

  private static final Pattern LABEL_KEY = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._/-]{0,62}");
  private static final int MAX_LABEL_VALUE = 128;

  /** Checks labels: as a site's labels and as a deploy's selector. */
  public static void checkLabels(Map<String, String> labels, List<String> problems) {
    if (labels.size() > MAX_LABELS) {
      problems.add("labels has " + labels.size() + " entries: keep at most " + MAX_LABELS);
      return;
    }
    for (Map.Entry<String, String> e : sorted(labels).entrySet()) {
      if (e.getKey() == null || !LABEL_KEY.matcher(e.getKey()).matches()) {
        problems.add(
            "label name '"
                + e.getKey()
                + "' is not valid: use 1 to 63 letters, digits, '.', '_', '/' and '-', starting"
                + " with a letter or digit");
      } else if (e.getValue() == null || e.getValue().length() > MAX_LABEL_VALUE) {
        problems.add(
            "label '"
                + e.getKey()
                + "' needs a string value of at most "
                + MAX_LABEL_VALUE
                + " characters");
      }
    }
  }

  /** True for a valid site, pool or cronjob name: 1 to 63 of [a-z0-9-], not starting with '-'. */
  public static boolean validName(String name) {
    return name != null && NAME.matcher(name).matches();
  }

  /** True for the shape of a revision id (64 lowercase hex characters). */
  public static boolean validRevision(String revision) {
    return revision != null && REVISION.matcher(revision).matches();
  }

  /** Records a problem for each invalid or reserved name or missing value of {@code env}. */
  public static void checkEnv(Map<String, String> env, List<String> problems) {
    checkEnv("env", env, problems);
  }

  /**
   * Records a problem for each invalid or reserved name or missing value of the environment map
   * {@code field} ({@code env} or {@code secretEnv}); a problem never quotes a value.
   */
  public static void checkEnv(String field, Map<String, String> env, List<String> problems) {
    if (env != null) {
      for (Map.Entry<String, String> e : sorted(env).entrySet()) {
        checkEnv(field, e.getKey(), e.getValue(), problems);
      }
    }
  }

  /** Records a problem when {@code argv} is empty or has a null or empty element. */
  public static void checkArgv(String field, List<String> argv, List<String> problems) {
    if (argv == null || argv.isEmpty()) {
      problems.add(field + " is empty: give the program and its arguments as a list of strings");
      return;
    }
    for (int i = 0; i < argv.size(); i++) {
      String arg = argv.get(i);
      if (arg == null || arg.isEmpty()) {
        problems.add(
            field
                + "["
                + i
                + "] is "
                + (arg == null ? "null" : "empty")
                + ": remove it or fill it");
      }
    }
  }

  private static void checkEnv(String field, String key, String value, List<String> problems) {
    if (key == null || !ENV_KEY.matcher(key).matches()) {
      problems.add(
          field
              + " name '"
              + key
              + "' is not valid: use letters, digits and '_', not starting with a digit");
    } else if (key.equals("PORT") || key.startsWith("DROVER_")) {
      problems.add(
          field
              + " name '"
              + key
              + "' is reserved: Drover sets PORT and DROVER_* for each instance; remove it");
    }
    if (value == null) {
      problems.add(
          field + " '" + key + "' has no value: give a string (\"\" is fine) or remove it");
    }
  }

  private static void checkHealth(HealthCheck h, List<String> problems) {
    int kinds =
        (h.http() != null ? 1 : 0)
            + (Boolean.TRUE.equals(h.tcp()) ? 1 : 0)
            + (h.exec() != null ? 1 : 0);
    if (kinds > 1) {
      problems.add("health sets more than one of http, tcp and exec: keep exactly one");
    }
    if (h.http() != null) {
      String pathProblem = HttpPaths.problem(h.http(), MAX_HTTP_PATH);
      if (pathProblem != null) {
        problems.add("health.http " + pathProblem);
      }
    }
    if (h.exec() != null) {
      checkArgv("health.exec", h.exec(), problems);
    }
    // no rule ties interval to timeout: a slow check may outlast its interval
    Durations.within("health.interval", h.interval(), MIN_INTERVAL, MAX_INTERVAL, problems);
    Optional<Duration> timeout =
        Durations.within("health.timeout", h.timeout(), MIN_TIMEOUT, MAX_TIMEOUT, problems);
    Optional<Duration> startTimeout =
        Durations.within(
            "health.startTimeout",
            h.startTimeout(),
            MIN_START_TIMEOUT,
            MAX_START_TIMEOUT,
            problems);
    Duration effectiveTimeout =
        timeout.orElse(h.timeout() == null ? Durations.of(DEFAULT_TIMEOUT) : null);
    Duration effectiveStart =
        startTimeout.orElse(h.startTimeout() == null ? Durations.of(DEFAULT_START_TIMEOUT) : null);
    if (effectiveTimeout != null
        && effectiveStart != null
        && effectiveTimeout.compareTo(effectiveStart) > 0) {
      problems.add(
          "health.timeout ("
              + Durations.format(effectiveTimeout)
              + ") must not be longer than health.startTimeout ("
              + Durations.format(effectiveStart)
              + ")");
    }
    if (h.failures() != null && h.failures() < 1) {
      problems.add("health.failures must be at least 1 (got " + h.failures() + ")");
    } else if (h.failures() != null && h.failures() > MAX_FAILURES) {
      problems.add(
          "health.failures must be between 1 and " + MAX_FAILURES + ", got " + h.failures());
    }
  }

  private static void checkRestart(RestartPolicy r, List<String> problems) {
    Optional<Duration> initial =
        Durations.within(
            "restart.initialBackoff",
            r.initialBackoff(),
            MIN_BACKOFF,
            MAX_INITIAL_BACKOFF,
            problems);
    Optional<Duration> max =
        Durations.within(
            "restart.maxBackoff", r.maxBackoff(), MIN_BACKOFF, MAX_MAX_BACKOFF, problems);
    Durations.within(
        "restart.resetAfter", r.resetAfter(), MIN_RESET_AFTER, MAX_RESET_AFTER, problems);
    Duration effectiveInitial =
        initial.orElse(r.initialBackoff() == null ? Durations.of(DEFAULT_INITIAL_BACKOFF) : null);
    Duration effectiveMax =
        max.orElse(r.maxBackoff() == null ? Durations.of(DEFAULT_MAX_BACKOFF) : null);
    if (effectiveInitial != null
        && effectiveMax != null
        && effectiveInitial.compareTo(effectiveMax) > 0) {
      problems.add(
          "restart.initialBackoff ("
              + Durations.format(effectiveInitial)
              + ") must not be longer than restart.maxBackoff ("
              + Durations.format(effectiveMax)
              + ")");
    }
  }

  /** The env in name order, so problems come out in a stable order; tolerates a null name. */
  private static Map<String, String> sorted(Map<String, String> env) {
    Map<String, String> copy = new TreeMap<>(Comparator.nullsFirst(Comparator.naturalOrder()));
    copy.putAll(env);
    return copy;
  }

  private static String or(String value, String fallback) {
    return value == null ? fallback : value;
  }
}
