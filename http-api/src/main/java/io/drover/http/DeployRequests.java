package io.drover.http;

import io.drover.actors.common.Durations;
import io.drover.actors.deploy.DeployOrder;
import io.drover.actors.deploy.DeploySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.random.RandomGenerator;
import java.util.regex.Pattern;

/**
 * The body of {@code POST /api/v1/deploys}, its bounds and defaults, and how it becomes a {@link
 * DeploySpec}. Pure functions; the HTTP type is not the journal's.
 */
final class DeployRequests {

  private DeployRequests() {}

  /** The request body; every field but {@code revision} and one of sites/selector is optional. */
  record DeployRequest(
      List<String> sites,
      Map<String, String> selector,
      String revision,
      Integer parallel,
      Integer perPool,
      CanaryRequest canary,
      DeadlinesRequest deadlines,
      Boolean autoRevert,
      Integer maxStartFailures,
      String seed,
      String id,
      String reason,
      Boolean force) {}

  record CanaryRequest(Integer perPool, String bake) {}

  record DeadlinesRequest(String host, String deploy) {}

  /** The body of abort, pause, resume and revert; may be absent. */
  record ActionRequest(String reason) {}

  static final int DEFAULT_PARALLEL = 10;
  static final int DEFAULT_CANARY_PER_POOL = 1;
  static final String DEFAULT_BAKE = "10s";
  static final String DEFAULT_HOST_DEADLINE = "5m";
  static final String DEFAULT_DEPLOY_DEADLINE = "60m";
  static final int DEFAULT_MAX_START_FAILURES = 3;

  static final int MAX_SITES = 100;
  static final int MAX_PARALLEL = 1000;
  static final int MAX_REASON = 1000;
  static final int MAX_START_FAILURES = 100;
  static final Duration MAX_BAKE = Duration.ofHours(24);
  static final Duration MIN_HOST_DEADLINE = Duration.ofSeconds(1);
  static final Duration MAX_HOST_DEADLINE = Duration.ofHours(24);
  static final Duration MIN_DEPLOY_DEADLINE = Duration.ofSeconds(1);
  static final Duration MAX_DEPLOY_DEADLINE = Duration.ofDays(7);

  private static final Pattern SITE = Pattern.compile("[a-z0-9][a-z0-9-]{0,62}");
  private static final Pattern REVISION = Pattern.compile("[0-9a-f]{64}");

  /** Deploy ids: short enough that {@code <id>-revert} is one too. */
  static final Pattern ID = Pattern.compile("[a-z0-9][a-z0-9._-]{0,56}");

  private static final Pattern SEED = Pattern.compile("[A-Za-z0-9._-]{1,64}");

  /** Every problem with the request, each saying what to fix; empty when valid. */
  static List<String> validate(DeployRequest r) {
    List<String> problems = new ArrayList<>();
    boolean hasSites = r.sites() != null && !r.sites().isEmpty();
    boolean hasSelector = r.selector() != null && !r.selector().isEmpty();
    if (!hasSites && !hasSelector) {
      problems.add("sites is empty: name the sites to deploy, or choose them with a selector");
    } else if (hasSites && hasSelector) {
      problems.add("give either sites or selector, not both");
    }
    if (hasSites) {
      if (r.sites().size() > MAX_SITES) {
        problems.add("sites has " + r.sites().size() + " names: deploy at most " + MAX_SITES);
      }
      for (String s : r.sites()) {
        if (s == null || !SITE.matcher(s).matches()) {
          problems.add("site name '" + s + "' is not valid");
        }
      }
      if (new TreeSet<>(r.sites().stream().map(String::valueOf).toList()).size()
          != r.sites().size()) {
        problems.add("sites names a site twice: name each once");
      }
    }
    if (hasSelector) {
      io.drover.actors.site.SiteSpecs.checkLabels(r.selector(), problems);
    }
    if (r.revision() == null || !REVISION.matcher(r.revision()).matches()) {
      problems.add(
          "revision '"
              + r.revision()
              + "' is not valid: use the 64 lowercase hex characters of an uploaded revision");
    }
    between("parallel", r.parallel(), 1, MAX_PARALLEL, problems);
    between("perPool", r.perPool(), 1, MAX_PARALLEL, problems);
    if (r.canary() != null) {
      between("canary.perPool", r.canary().perPool(), 0, DeployOrder.MAX_CANARY_PER_POOL, problems);
      duration("canary.bake", r.canary().bake(), Duration.ZERO, MAX_BAKE, problems);
    }
    if (r.deadlines() != null) {
      duration(
          "deadlines.host", r.deadlines().host(), MIN_HOST_DEADLINE, MAX_HOST_DEADLINE, problems);
      duration(
          "deadlines.deploy",
          r.deadlines().deploy(),
          MIN_DEPLOY_DEADLINE,
          MAX_DEPLOY_DEADLINE,
          problems);
    }
    between("maxStartFailures", r.maxStartFailures(), 1, MAX_START_FAILURES, problems);
    if (r.seed() != null && !SEED.matcher(r.seed()).matches()) {
      problems.add(
          "seed '" + r.seed() + "' is not valid: use 1 to 64 letters, digits, '.', '_' or '-'");
    }
    if (r.id() != null && !ID.matcher(r.id()).matches()) {
      problems.add(
          "id '"
              + r.id()
              + "' is not valid: use 1 to 57 lowercase letters, digits, '.', '_' and '-',"
              + " starting with a letter or digit");
    }
    if (r.reason() != null && r.reason().length() > MAX_REASON) {
      problems.add("reason is " + r.reason().length() + " characters: keep it under " + MAX_REASON);
    }
    return problems;
  }

  /**
   * The spec of a valid request for {@code sites} (already resolved from a selector).
   *
   * @param by who asks
   */
  static DeploySpec spec(
      DeployRequest r, List<String> sites, String by, long now, RandomGenerator random) {
    Map<String, String> revisions = new TreeMap<>();
    for (String s : new TreeSet<>(sites)) {
      revisions.put(s, r.revision());
    }
    int parallel = r.parallel() == null ? DEFAULT_PARALLEL : r.parallel();
    int perPool = r.perPool() == null ? parallel : r.perPool();
    int canary =
        r.canary() == null || r.canary().perPool() == null
            ? DEFAULT_CANARY_PER_POOL
            : r.canary().perPool();
    String bake =
        r.canary() == null || r.canary().bake() == null ? DEFAULT_BAKE : r.canary().bake();
    String host =
        r.deadlines() == null || r.deadlines().host() == null
            ? DEFAULT_HOST_DEADLINE
            : r.deadlines().host();
    String deploy =
        r.deadlines() == null || r.deadlines().deploy() == null
            ? DEFAULT_DEPLOY_DEADLINE
            : r.deadlines().deploy();
    String id = r.id() != null ? r.id() : newId(now, random);
    return new DeploySpec(
        id,
        List.copyOf(revisions.keySet()),
        revisions,
        r.revision(),
        parallel,
        perPool,
        canary,
        Durations.of(bake).toMillis(),
        Durations.of(host).toMillis(),
        Durations.of(deploy).toMillis(),
        r.autoRevert() == null || r.autoRevert(),
        r.maxStartFailures() == null ? DEFAULT_MAX_START_FAILURES : r.maxStartFailures(),
        r.seed() != null ? r.seed() : DeployOrder.newSeed(random),
        r.reason(),
        by,
        Boolean.TRUE.equals(r.force()),
        null,
        now);
  }

  /** {@code d-<yyyymmdd-hhmmss>-<4 random>}: sortable by time, unique enough to never collide. */
  static String newId(long now, RandomGenerator random) {
    String time =
        java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")
            .withZone(java.time.ZoneOffset.UTC)
            .format(java.time.Instant.ofEpochMilli(now));
    StringBuilder b = new StringBuilder("d-").append(time).append('-');
    String alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
    for (int i = 0; i < 4; i++) {
      b.append(alphabet.charAt(random.nextInt(alphabet.length())));
    }
    return b.toString();
  }

  private static void between(
      String field, Integer value, int min, int max, List<String> problems) {
    if (value != null && (value < min || value > max)) {
      problems.add(field + " must be between " + min + " and " + max + " (got " + value + ")");
    }
  }

  private static void duration(
      String field, String text, Duration min, Duration max, List<String> problems) {
    Durations.within(field, text, min, max, problems);
  }
}
