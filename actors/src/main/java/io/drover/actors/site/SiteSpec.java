package io.drover.actors.site;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.drover.persistence.CborSerializable;
import java.util.List;
import java.util.Map;

/**
 * What an operator asked for: the desired state of one site. It is both the JSON body of {@code PUT
 * /api/v1/sites/{name}} and the payload of the journal event that records it, so it stays a plain
 * record; {@link SiteSpecs} validates it and fills defaults.
 *
 * @param revision sha256 of an uploaded revision (64 lowercase hex characters)
 * @param command argv run from the unpacked release directory; never through a shell
 * @param instances how many copies to run; at least 2, the product's rule
 * @param pool the host pool the site runs in; {@code default} when absent
 * @param env extra environment; may not set {@code PORT} or {@code DROVER_*}
 * @param health the readiness and liveness check; a TCP connect to {@code PORT} when absent
 * @param restart backoff for crashed instances; defaults when absent
 * @param build argv run once per host and revision in the release directory before the first
 *     instance of that revision starts there (e.g. install dependencies); cached by the hash of
 *     revision + build; none when absent
 * @param labels free-form labels; deploys can choose sites by them ({@code "selector"})
 * @param secretEnv environment like {@code env} (same rules), merged over it; stored, passed to the
 *     site's processes, but never shown: the HTTP API masks its values and {@link #toString()}
 *     (hence every log line) shows only its keys
 * @param user the user the site's processes run as when the node runs as root; {@code
 *     drover.agent.run-as} when absent
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record SiteSpec(
    String revision,
    List<String> command,
    int instances,
    String pool,
    Map<String, String> env,
    HealthCheck health,
    RestartPolicy restart,
    List<String> build,
    Map<String, String> labels,
    Map<String, String> secretEnv,
    String user)
    implements CborSerializable {

  /** The mask the HTTP API and logs show in place of each secret value. */
  public static final String MASK = "***";

  /** A spec without build step and labels. */
  public SiteSpec(
      String revision,
      List<String> command,
      int instances,
      String pool,
      Map<String, String> env,
      HealthCheck health,
      RestartPolicy restart) {
    this(revision, command, instances, pool, env, health, restart, null, null);
  }

  /** A spec without secret environment and user. */
  public SiteSpec(
      String revision,
      List<String> command,
      int instances,
      String pool,
      Map<String, String> env,
      HealthCheck health,
      RestartPolicy restart,
      List<String> build,
      Map<String, String> labels) {
    this(revision, command, instances, pool, env, health, restart, build, labels, null, null);
  }

  public SiteSpec withRevision(String newRevision) {
    return new SiteSpec(
        newRevision,
        command,
        instances,
        pool,
        env,
        health,
        restart,
        build,
        labels,
        secretEnv,
        user);
  }

  public SiteSpec withInstances(int newInstances) {
    return new SiteSpec(
        revision,
        command,
        newInstances,
        pool,
        env,
        health,
        restart,
        build,
        labels,
        secretEnv,
        user);
  }

  /**
   * True when an instance started from {@code this} must be replaced to run {@code other}: anything
   * but the instance count, pool and labels changes what a process runs.
   */
  public boolean needsNewInstances(SiteSpec other) {
    return !revision.equals(other.revision)
        || !command.equals(other.command)
        || !env.equals(other.env)
        || !health.equals(other.health)
        || !restart.equals(other.restart)
        || !java.util.Objects.equals(build, other.build)
        || !secrets().equals(other.secrets())
        || !java.util.Objects.equals(user, other.user);
  }

  /** {@code secretEnv}, empty when absent (specs journaled before it existed). */
  public Map<String, String> secrets() {
    return secretEnv == null ? Map.of() : secretEnv;
  }

  /** {@code env} with {@code secretEnv} merged over it: what the site's processes get. */
  public Map<String, String> processEnv() {
    Map<String, String> all = new java.util.TreeMap<>(env == null ? Map.of() : env);
    all.putAll(secrets());
    return all;
  }

  /** Like the record's, but each secret value is {@link #MASK}: logs print specs. */
  @Override
  public String toString() {
    return "SiteSpec[revision="
        + revision
        + ", command="
        + command
        + ", instances="
        + instances
        + ", pool="
        + pool
        + ", env="
        + env
        + ", health="
        + health
        + ", restart="
        + restart
        + ", build="
        + build
        + ", labels="
        + labels
        + ", secretEnv="
        + masked(secretEnv)
        + ", user="
        + user
        + "]";
  }

  /** The keys of {@code secrets}, each with the value {@link #MASK}; null stays null. */
  public static Map<String, String> masked(Map<String, String> secrets) {
    if (secrets == null) {
      return null;
    }
    Map<String, String> m =
        new java.util.TreeMap<>(
            java.util.Comparator.nullsFirst(java.util.Comparator.<String>naturalOrder()));
    secrets.keySet().forEach(k -> m.put(k, MASK));
    return m;
  }
}
