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
    Map<String, String> labels)
    implements CborSerializable {

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

  public SiteSpec withRevision(String newRevision) {
    return new SiteSpec(newRevision, command, instances, pool, env, health, restart, build, labels);
  }

  public SiteSpec withInstances(int newInstances) {
    return new SiteSpec(revision, command, newInstances, pool, env, health, restart, build, labels);
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
        || !java.util.Objects.equals(build, other.build);
  }
}
