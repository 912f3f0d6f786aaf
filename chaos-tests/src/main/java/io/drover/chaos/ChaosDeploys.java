package io.drover.chaos;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.http.Json;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;

/**
 * Deploys during chaos: before each fault one site starts a deploy to its other revision, so the
 * fault lands mid-deploy; after the fault healed, I5 is checked: the deploy (and its revert, if it
 * failed) ended, and every instance of the site runs the one revision that outcome implies.
 */
final class ChaosDeploys {

  /** How long a deploy may take to end after its fault healed. */
  static final Duration END_WITHIN = Duration.ofMinutes(4);

  /** After the end, how long the instances may take to all run the final revision. */
  static final Duration CONVERGE_WITHIN = Duration.ofSeconds(90);

  /** One deploy the harness started. */
  record Started(String id, String site, String from, String to) {}

  private final ChaosCluster cluster;
  private final List<Started> open = new ArrayList<>();
  private int next;

  ChaosDeploys(ChaosCluster cluster) {
    this.cluster = cluster;
  }

  /** Starts a deploy of the next site to the revision it does not run; a refusal is history. */
  void startOne() {
    List<String> sites = new ArrayList<>(new TreeSet<>(cluster.acknowledged().keySet()));
    if (sites.isEmpty()) {
      return;
    }
    String site = sites.get(next++ % sites.size());
    Invariants.Acked acked = cluster.acknowledged().get(site);
    if (acked == null) {
      return;
    }
    List<String> revs = cluster.revisions();
    String from = acked.revision();
    String to = from.equals(revs.get(0)) ? revs.get(1) : revs.get(0);
    String body =
        "{\"sites\":[\""
            + site
            + "\"],\"revision\":\""
            + to
            + "\",\"parallel\":2,\"canary\":{\"perPool\":0},\"deadlines\":{\"host\":\"3m\","
            + "\"deploy\":\"10m\"},\"reason\":\"chaos\"}";
    try {
      HttpResponse<String> r = cluster.request("POST", "/deploys", body);
      if (r.statusCode() != 201) {
        cluster.history.add("deploy of " + site + " refused: " + r.statusCode() + " " + r.body());
        return;
      }
      String id = Json.MAPPER.readTree(r.body()).path("id").asText();
      open.add(new Started(id, site, from, to));
      cluster.history.add("acknowledged deploy " + id + " of " + site + " to " + shortRev(to));
    } catch (Exception e) {
      cluster.history.add("deploy of " + site + " not acknowledged: " + e);
    }
  }

  /** I5 for every deploy started since the last check. */
  List<Violation> check() throws InterruptedException {
    List<Violation> out = new ArrayList<>();
    for (Started d : open) {
      Optional<Violation> v = check(d);
      v.ifPresent(out::add);
    }
    open.clear();
    return out;
  }

  private Optional<Violation> check(Started d) throws InterruptedException {
    JsonNode view = awaitEnded(d.id());
    if (view == null) {
      return Optional.of(violation(d, "deploy " + d.id() + " did not end within " + END_WITHIN));
    }
    String state = view.path("state").asText();
    String revertId = view.path("revertedBy").isTextual() ? view.path("revertedBy").asText() : null;
    String revertState = null;
    if (revertId != null) {
      JsonNode revert = awaitEnded(revertId);
      if (revert == null) {
        return Optional.of(
            violation(d, "revert " + revertId + " did not end within " + END_WITHIN));
      }
      revertState = revert.path("state").asText();
    }
    Optional<String> expected = expectedRevision(state, revertState, d.from(), d.to());
    if (expected.isEmpty()) {
      return Optional.of(
          violation(
              d,
              "deploy "
                  + d.id()
                  + " ended "
                  + state
                  + (revertId == null ? "" : ", its revert " + revertState)
                  + ": the site is left on a mix of revisions"));
    }
    cluster.history.add(
        "deploy "
            + d.id()
            + " ended "
            + state
            + (revertId == null ? "" : " (revert " + revertState + ")")
            + ": "
            + d.site()
            + " must run "
            + shortRev(expected.get()));
    String mismatch = awaitAllOn(d.site(), expected.get());
    if (mismatch != null) {
      return Optional.of(violation(d, mismatch));
    }
    cluster.deployed(d.site(), expected.get());
    return Optional.empty();
  }

  /**
   * The one revision every host of a site must end on (I5): the target after a success, the one
   * before after a failure or abort whose revert succeeded; empty when the outcome leaves a mix.
   *
   * @param revertState the end state of the revert deploy; null when there was none
   */
  static Optional<String> expectedRevision(
      String state, String revertState, String from, String to) {
    if ("succeeded".equals(state)) {
      return Optional.of(to);
    }
    if (revertState != null) {
      return "succeeded".equals(revertState) ? Optional.of(from) : Optional.empty();
    }
    return Optional.empty();
  }

  private JsonNode awaitEnded(String id) throws InterruptedException {
    long deadline = System.nanoTime() + END_WITHIN.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = cluster.request("GET", "/deploys/" + id, null);
        if (r.statusCode() == 200) {
          JsonNode view = Json.MAPPER.readTree(r.body());
          String s = view.path("state").asText();
          if (s.equals("succeeded")
              || s.equals("failed")
              || s.equals("aborted")
              || s.equals("reverted")) {
            return view;
          }
        }
      } catch (Exception e) {
        // a node going away mid-request: ask again
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
    return null;
  }

  /** Null once the site's spec and every instance report {@code revision}; else what differs. */
  private String awaitAllOn(String site, String revision) throws InterruptedException {
    long deadline = System.nanoTime() + CONVERGE_WITHIN.toNanos();
    String last = "site " + site + " did not answer";
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = cluster.request("GET", "/sites/" + site, null);
        if (r.statusCode() == 200) {
          JsonNode s = Json.MAPPER.readTree(r.body());
          List<String> off = new ArrayList<>();
          if (!revision.equals(s.path("spec").path("revision").asText())) {
            off.add("spec on " + shortRev(s.path("spec").path("revision").asText()));
          }
          for (JsonNode i : s.path("instances")) {
            if (!revision.equals(i.path("revision").asText())) {
              off.add(i.path("id").asText() + " on " + shortRev(i.path("revision").asText()));
            }
          }
          if (off.isEmpty()) {
            return null;
          }
          last = "site " + site + " not all on " + shortRev(revision) + ": " + off;
        }
      } catch (Exception e) {
        last = "site " + site + ": " + e;
      }
      TimeUnit.MILLISECONDS.sleep(500);
    }
    return last + " " + CONVERGE_WITHIN.toSeconds() + " s after the deploy ended";
  }

  private static Violation violation(Started d, String what) {
    return new Violation("I5", d.site(), what, System.currentTimeMillis());
  }

  private static String shortRev(String r) {
    return r == null || r.length() < 12 ? String.valueOf(r) : r.substring(0, 12);
  }
}
