package io.drover.actors.cron;

import io.drover.actors.common.Durations;
import io.drover.actors.site.SiteSpecs;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Validation and defaults of {@link CronSpec}s; pure functions. */
public final class CronSpecs {

  public static final String DEFAULT_TIMEZONE = "UTC";
  public static final String DEFAULT_TIMEOUT = "10m";
  public static final String DEFAULT_CONCURRENCY = "forbid";
  public static final String DEFAULT_STARTING_DEADLINE = "60s";
  public static final String DEFAULT_CATCH_UP = "latest";

  public static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
  public static final Duration MAX_TIMEOUT = Duration.ofHours(24);
  public static final Duration MIN_STARTING_DEADLINE = Duration.ofSeconds(1);
  public static final Duration MAX_STARTING_DEADLINE = Duration.ofDays(7);
  public static final int MAX_RETRY = 10;
  public static final int MAX_ARGS = 256;
  public static final int MAX_ENV = 256;

  static final Set<String> CONCURRENCY = Set.of("forbid", "allow", "replace");
  static final Set<String> CATCH_UP = Set.of("none", "latest", "all");

  private CronSpecs() {}

  /**
   * Every problem with a job name and spec, each a sentence that says what to fix; empty when
   * valid. Does not check that the revision was uploaded (the caller knows the revision store).
   */
  public static List<String> validate(String name, CronSpec spec) {
    List<String> problems = new ArrayList<>();
    if (!SiteSpecs.validName(name)) {
      problems.add(
          "name '"
              + name
              + "' is not valid: use 1 to 63 lowercase letters, digits and '-', starting with a"
              + " letter or digit");
    }
    if (spec == null) {
      problems.add("the cronjob spec is missing: send schedule, revision and command");
      return problems;
    }
    try {
      Schedule.parse(spec.schedule(), null);
    } catch (Schedule.Invalid e) {
      problems.add(e.getMessage());
    }
    try {
      Schedule.zone(spec.timezone());
    } catch (Schedule.Invalid e) {
      problems.add(e.getMessage());
    }
    if (!SiteSpecs.validRevision(spec.revision())) {
      problems.add(
          "revision '"
              + spec.revision()
              + "' is not valid: use the 64 lowercase hex characters of an uploaded revision's"
              + " sha256");
    }
    SiteSpecs.checkArgv("command", spec.command(), problems);
    if (spec.command() != null && spec.command().size() > MAX_ARGS) {
      problems.add("command has " + spec.command().size() + " elements; at most " + MAX_ARGS);
    }
    if (spec.env() != null && spec.env().size() > MAX_ENV) {
      problems.add("env has " + spec.env().size() + " entries; at most " + MAX_ENV);
    }
    SiteSpecs.checkEnv(spec.env(), problems);
    if (spec.secretEnv() != null && spec.secretEnv().size() > MAX_ENV) {
      problems.add("secretEnv has " + spec.secretEnv().size() + " entries; at most " + MAX_ENV);
    }
    SiteSpecs.checkEnv("secretEnv", spec.secretEnv(), problems);
    if (spec.user() != null) {
      String p = io.drover.actors.agent.Sandbox.problem("user", spec.user());
      if (p != null) {
        problems.add(p);
      }
    }
    if (spec.pool() != null && !SiteSpecs.validName(spec.pool())) {
      problems.add(
          "pool '"
              + spec.pool()
              + "' is not valid: use 1 to 63 lowercase letters, digits and '-', or leave it out"
              + " for '"
              + SiteSpecs.DEFAULT_POOL
              + "'");
    }
    Durations.within("timeout", spec.timeout(), MIN_TIMEOUT, MAX_TIMEOUT, problems);
    Durations.within(
        "startingDeadline",
        spec.startingDeadline(),
        MIN_STARTING_DEADLINE,
        MAX_STARTING_DEADLINE,
        problems);
    oneOf("concurrency", spec.concurrency(), CONCURRENCY, problems);
    oneOf("catchUp", spec.catchUp(), CATCH_UP, problems);
    if (spec.retry() != null && (spec.retry() < 0 || spec.retry() > MAX_RETRY)) {
      problems.add("retry must be between 0 and " + MAX_RETRY + " (got " + spec.retry() + ")");
    }
    return problems;
  }

  private static void oneOf(String field, String value, Set<String> allowed, List<String> out) {
    if (value != null && !allowed.contains(value)) {
      out.add(
          field
              + " '"
              + value
              + "' is not one of "
              + String.join(", ", new java.util.TreeSet<>(allowed)));
    }
  }

  /** The spec with every absent optional field filled with its default. Call after validate. */
  public static CronSpec withDefaults(CronSpec s) {
    return new CronSpec(
        s.schedule().trim(),
        s.timezone() == null || s.timezone().isBlank() ? DEFAULT_TIMEZONE : s.timezone().trim(),
        s.revision(),
        List.copyOf(s.command()),
        s.env() == null ? Map.of() : Map.copyOf(s.env()),
        s.pool() == null ? SiteSpecs.DEFAULT_POOL : s.pool(),
        s.timeout() == null ? DEFAULT_TIMEOUT : s.timeout().trim(),
        s.concurrency() == null ? DEFAULT_CONCURRENCY : s.concurrency(),
        s.startingDeadline() == null ? DEFAULT_STARTING_DEADLINE : s.startingDeadline().trim(),
        s.catchUp() == null ? DEFAULT_CATCH_UP : s.catchUp(),
        s.retry() == null ? 0 : s.retry(),
        s.suspend() != null && s.suspend(),
        s.secretEnv() == null || s.secretEnv().isEmpty() ? null : Map.copyOf(s.secretEnv()),
        s.user());
  }

  /** {@code s} with its secretEnv replaced by {@code secretEnv}. */
  public static CronSpec withSecretEnv(CronSpec s, Map<String, String> secretEnv) {
    return new CronSpec(
        s.schedule(),
        s.timezone(),
        s.revision(),
        s.command(),
        s.env(),
        s.pool(),
        s.timeout(),
        s.concurrency(),
        s.startingDeadline(),
        s.catchUp(),
        s.retry(),
        s.suspend(),
        secretEnv,
        s.user());
  }

  /** The parsed schedule of a spec with defaults. */
  public static Schedule schedule(CronSpec s) {
    return Schedule.parse(s.schedule(), s.timezone());
  }
}
