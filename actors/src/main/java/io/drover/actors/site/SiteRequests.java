package io.drover.actors.site;

import io.drover.actors.site.SiteEntity.Outcome;
import io.drover.actors.site.SiteEntity.Reply;
import io.drover.actors.site.SiteEntity.State;
import java.util.List;

/** Pure decisions about a site's requests: what is refused, with which answer, and generations. */
final class SiteRequests {

  private SiteRequests() {}

  /**
   * True when a request with {@code deadlineMillis} (0 for none) arrived after it at {@code now}.
   */
  static boolean expired(long deadlineMillis, long now) {
    return deadlineMillis > 0 && now > deadlineMillis;
  }

  /** The answer to a change that arrived after its deadline: nothing changed. */
  static Reply expired(String name) {
    return new Reply(
        Outcome.EXPIRED,
        "site "
            + name
            + " was not changed: the request took longer than its deadline; send it again",
        null);
  }

  /**
   * Why a Put of {@code spec} must wait: a deploy holds the site and the spec would replace its
   * instances; null when it may go ahead (a new instance count, pool or labels may).
   */
  static Reply busy(String name, State state, SiteSpec spec) {
    if (state.rollout() == null || !state.spec().needsNewInstances(spec)) {
      return null;
    }
    String deploy = state.rollout().deployId();
    return new Reply(
        Outcome.CONFLICT,
        "site "
            + name
            + " is being deployed by "
            + deploy
            + ": wait until it ends or abort it (POST /api/v1/deploys/"
            + deploy
            + "/abort), then change the spec",
        null);
  }

  static Reply notFound(String name) {
    return new Reply(Outcome.NOT_FOUND, "site " + name + " does not exist", null);
  }

  /**
   * Why a Put of {@code spec} is refused before its defaults are filled in; null when it is not.
   */
  static Reply invalidPut(SiteSpec spec) {
    if (spec != null && spec.instances() >= 2) {
      return null;
    }
    int n = spec == null ? 0 : spec.instances();
    return new Reply(
        Outcome.INVALID,
        "instances must be at least 2 (got "
            + n
            + "): Drover runs every site twice, on distinct hosts",
        null);
  }

  /** Why scaling site {@code name} to the spec {@code next} is refused; null when it is not. */
  static Reply invalidScale(String name, SiteSpec next) {
    List<String> problems = SiteSpecs.validate(name, next);
    return problems.isEmpty()
        ? null
        : new Reply(Outcome.INVALID, String.join("; ", problems), null);
  }

  /**
   * The generation of {@code spec} once set: a new one when the site is created or its instances
   * must be replaced, else the current one.
   */
  static long generation(State state, SiteSpec spec) {
    return !state.exists() || state.spec().needsNewInstances(spec)
        ? state.generation() + 1
        : state.generation();
  }
}
