package io.drover.chaos.fuzz;

import java.util.List;
import java.util.Set;

/**
 * Findings of this fuzzer that bugs owned elsewhere in issue 7 explain, so that {@code FuzzIT} can
 * pass until those fixes land: request kinds it does not send, and findings it reports without
 * failing. {@code bench/fuzz} sends and counts everything unless told {@code --skip-known}.
 */
public final class KnownBugs {

  private KnownBugs() {}

  /**
   * Request kinds not sent when known bugs are skipped, because they harm the node for the rest of
   * the run.
   */
  public static final Set<String> SKIPPED_KINDS =
      Set.of(
          // TODO(issue 7, archives: "PAX and GNU long-name headers and very deep paths are read
          // without bound"): a PAX path of 10,000+ segments makes the node run out of heap: 500
          // OutOfMemoryError or 503 after 20 s, then the JVM exits (jvm-exit-on-fatal-error).
          "revisions.upload.pax-deep-path");

  /** Prefixes of finding signatures reported but not failed on when known bugs are skipped. */
  public static final List<String> TOLERATED =
      List.of(
          // TODO(issue 7, spec bounds: "Bound every duration in a spec", "health.http '/a b' is
          // accepted"): durations such as "300d" and unusable health paths are accepted today.
          "accepted site.put.mutated: health.",
          "accepted site.put.mutated: restart.",
          // TODO(issue 7, archives: "Bound entry count, name length and depth"): names of
          // 100,000+ characters are stored today (and could never be unpacked).
          "accepted revisions.upload.pax-long-path",
          "accepted revisions.upload.gnu-long-name",
          // TODO(issue 7, cluster join: "POST /api/v1/cluster/join {"address":"999.1.1.1:2552"}
          // answers 500"): leave parses addresses the same way and answers 500 too.
          "5xx cluster.join 500 internal error: java.net.MalformedURLException",
          "5xx cluster.leave 500 internal error: java.net.MalformedURLException",
          // TODO(issue 7, entity passivation: "every unknown path adds a metrics series"): a path
          // such as /api/v1/sites/a/<anything>/b becomes the label
          // /api/v1/sites/{id}/<anything>/{id}. (Not checked here: every /api/v1/hosts route is
          // labelled "other", as Metrics.RESOURCES lacks "hosts".)
          "metrics-label-not-a-route");

  /** True when {@code signature} is a finding explained by a known bug. */
  public static boolean tolerated(String signature) {
    return TOLERATED.stream().anyMatch(signature::startsWith);
  }
}
