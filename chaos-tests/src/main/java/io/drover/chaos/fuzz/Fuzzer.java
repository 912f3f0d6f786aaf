package io.drover.chaos.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.http.Json;
import java.io.IOException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Sends generated requests to one node, one at a time, and checks after each: no 5xx, an answer at
 * all, no refused (4xx) write changed the sites, revisions or hosts (a snapshot before and after
 * it), every error answered as problem+json, and no request that every correct node refuses was
 * accepted. Every {@value #HEALTH_EVERY} requests and at the end the node must answer {@code GET
 * /api/v1/health} with 200. Findings are grouped by a signature (check, request kind, status, the
 * answer's detail without numbers) and the first request of each is kept with its index, so {@code
 * seed} and index reproduce it.
 */
public final class Fuzzer {

  static final int HEALTH_EVERY = 100;

  /** One request in this many loses its token or has it corrupted ({@link AuthMutation}). */
  static final int AUTH_MUTATION_EVERY = 10;

  /** Every error answer is {@code application/problem+json} with a detail that says what to fix. */
  private static final String PROBLEM_JSON = "application/problem+json";

  /** Methods the HTTP server knows; any other may be answered 501, as RFC 9110 says. */
  private static final Set<String> KNOWN_METHODS =
      Set.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS", "TRACE", "CONNECT");

  /**
   * One kind of failure, with the first request that showed it.
   *
   * @param signature what groups it: check, request kind, status and the answer's detail
   * @param index the request's position in the run (0-based)
   * @param request the request
   * @param status the status answered; 0 for none
   * @param detail the answer's body or what went wrong
   * @param count how many requests showed it
   */
  public record Finding(
      String signature, int index, FuzzRequest request, int status, String detail, int count) {

    /** The finding as a reader reproduces it. */
    public String describe(long seed) {
      return signature
          + " (x"
          + count
          + ")\n  first at request #"
          + index
          + " of seed "
          + seed
          + ", answered "
          + status
          + ": "
          + RawHttp.abbreviate(detail)
          + "\n  "
          + request.describe().replace("\n", "\n  ");
    }
  }

  /**
   * What a run found.
   *
   * @param seed the seed that reproduces it
   * @param requests how many requests were sent
   * @param fiveXx how many were answered 5xx (allowed ones excluded)
   * @param findings one per distinct failure, in the order first seen
   * @param statuses how many answers of each status
   * @param healthy the node answered its health check 200 at the end
   * @param metricSeries the number of request timer series on {@code /metrics} at the end
   * @param elapsed how long the run took
   */
  public record Result(
      long seed,
      int requests,
      int fiveXx,
      List<Finding> findings,
      Map<Integer, Integer> statuses,
      Map<String, Long> millisByKind,
      boolean healthy,
      int metricSeries,
      Duration elapsed) {

    /** Every finding, reproducible; "no findings" when clean. */
    public String report() {
      StringBuilder b = new StringBuilder();
      b.append("seed ").append(seed).append(", statuses ").append(statuses);
      b.append(", ").append(metricSeries).append(" request metric series\n");
      b.append("slowest kinds (ms in all, checks included): ");
      millisByKind.entrySet().stream()
          .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
          .limit(6)
          .forEach(e -> b.append(e.getKey()).append('=').append(e.getValue()).append(' '));
      b.append('\n');
      if (findings.isEmpty()) {
        b.append("no findings\n");
      }
      for (Finding f : findings) {
        b.append(f.describe(seed)).append('\n');
      }
      return b.toString();
    }

    /** The headline: count, 5xx, health, refusals. */
    public String headline() {
      long changed =
          findings.stream().filter(f -> f.signature().startsWith("refused-but-changed")).count();
      long accepted = findings.stream().filter(f -> f.signature().startsWith("accepted")).count();
      return "fuzz: "
          + requests
          + " requests, "
          + fiveXx
          + " answered 5xx, node "
          + (healthy ? "healthy" : "NOT healthy")
          + ", "
          + (changed == 0
              ? "state unchanged by refusals"
              : changed + " kinds of refusal changed state")
          + (accepted == 0 ? "" : ", " + accepted + " kinds of must-refuse request accepted")
          + (findings.isEmpty() ? "" : " (" + findings.size() + " distinct findings)");
    }
  }

  /** The most request timer series a node may show; more means a path leaks into a label. */
  public static final int MAX_METRIC_SERIES = 400;

  private final RawHttp http;
  private final RequestGenerator.Target target;
  private final BooleanSupplier alive;
  private final Consumer<String> log;
  private final boolean skipKnown;

  /**
   * @param http the node's API
   * @param target what the generator needs to know of the node; uploads are added to its revisions
   * @param alive whether the node's process still runs
   * @param log progress lines
   * @param skipKnown leave out the request kinds of {@link KnownBugs#SKIPPED_KINDS}
   */
  public Fuzzer(
      RawHttp http,
      RequestGenerator.Target target,
      BooleanSupplier alive,
      Consumer<String> log,
      boolean skipKnown) {
    this.skipKnown = skipKnown;
    this.http = http;
    this.target = target;
    this.alive = alive;
    this.log = log;
  }

  /** Sends {@code count} requests from {@code seed}. */
  public Result run(long seed, int count) throws IOException {
    long start = System.nanoTime();
    Random rnd = new Random(seed);
    // its own stream, so the requests of a seed are those made before authentication came
    Random authRnd = new Random(seed ^ 0x5eed_a07bL);
    RequestGenerator gen =
        new RequestGenerator(target, skipKnown ? KnownBugs.SKIPPED_KINDS : Set.of());
    Map<String, Finding> findings = new LinkedHashMap<>();
    Map<Integer, Integer> statuses = new TreeMap<>();
    Map<String, Long> millis = new TreeMap<>();
    int fiveXx = 0;
    StateSnapshot state = StateSnapshot.take(http);
    int sent = 0;
    boolean died = false;
    for (int i = 0; i < count; i++) {
      FuzzRequest r = neutralise(gen.next(rnd));
      if (authRnd.nextInt(AUTH_MUTATION_EVERY) == 0) {
        r = AuthMutation.apply(r, authRnd);
      }
      long t0 = System.nanoTime();
      RawHttp.Answer a;
      try {
        a = http.send(r);
      } catch (IOException e) {
        record(findings, "no-answer " + r.kind(), i, r, 0, e.toString());
        sent++;
        if (!alive.getAsBoolean() || !recovers()) {
          record(
              findings,
              "node-down after " + r.kind(),
              i,
              r,
              0,
              "the node's process exited or its API stayed down for "
                  + RECOVERY.toSeconds()
                  + " s");
          died = true;
          break;
        }
        state = snapshot(findings, i, r);
        continue;
      }
      sent++;
      statuses.merge(a.status(), 1, Integer::sum);
      int s = a.status();
      if (s >= 500 && !allowed5xx(r, s)) {
        fiveXx++;
        record(findings, "5xx " + r.kind() + " " + s + " " + detailKey(a), i, r, s, a.body());
      }
      if (s >= 400 && !r.method().equals("HEAD") && !a.contentType().startsWith(PROBLEM_JSON)) {
        record(
            findings,
            "not-problem-json " + s + " " + detailKey(a),
            i,
            r,
            s,
            a.contentType() + ": " + a.body());
      }
      String authWrong = AuthMutation.withoutValidToken(r) ? AuthMutation.wrongAnswer(r, s) : null;
      if (authWrong != null) {
        record(
            findings,
            "auth-not-401 " + r.kind() + " " + s,
            i,
            r,
            s,
            authWrong + " | answer: " + a.body());
      }
      if (s >= 200 && s < 300 && r.mustRefuse() != null) {
        record(
            findings,
            "accepted "
                + r.kind()
                + ": "
                + r.mustRefuse().replaceAll("\"[^\"]*\"", "V").replaceAll("-?\\d+", "N"),
            i,
            r,
            s,
            r.mustRefuse() + "; answered " + a.body());
      }
      if (s >= 200 && s < 300 && r.kind().startsWith("revisions.upload")) {
        learnRevision(a);
      }
      if (s >= 400 && s < 500 && r.isWrite()) {
        StateSnapshot after = snapshot(findings, i, r);
        List<String> changes =
            after == null || state == null ? List.of() : after.changesSince(state);
        if (!changes.isEmpty()) {
          record(
              findings,
              "refused-but-changed " + r.kind() + " " + s,
              i,
              r,
              s,
              String.join("; ", changes) + " | answer: " + a.body());
        }
        state = after;
      } else if (r.isWrite() || s >= 500) {
        state = snapshot(findings, i, r);
      }
      millis.merge(r.kind(), (System.nanoTime() - t0) / 1_000_000, Long::sum);
      if ((i + 1) % HEALTH_EVERY == 0 || state == null) {
        if (!alive.getAsBoolean()) {
          record(findings, "node-died " + r.kind(), i, r, 0, "the node's process exited");
          died = true;
          break;
        }
        if (!healthy()) {
          record(
              findings,
              "unhealthy",
              i,
              r,
              0,
              "GET /api/v1/health did not answer 200 after this request");
        }
        if ((i + 1) % (HEALTH_EVERY * 10) == 0) {
          log.accept(
              "fuzz: "
                  + (i + 1)
                  + " requests, "
                  + fiveXx
                  + " 5xx, "
                  + findings.size()
                  + " findings");
        }
      }
    }
    boolean healthy = !died && alive.getAsBoolean() && healthy();
    String scrape = healthy ? scrape() : "";
    int series = MetricLabels.series(scrape);
    FuzzRequest metrics = new FuzzRequest("metrics", "GET", "/metrics", List.of(), new byte[0]);
    if (series > MAX_METRIC_SERIES) {
      record(
          findings,
          "metrics-unbounded",
          sent - 1,
          metrics,
          200,
          series + " request timer series after " + sent + " requests");
    }
    List<String> notRoutes = MetricLabels.notRoutes(scrape);
    if (!notRoutes.isEmpty()) {
      record(
          findings,
          "metrics-label-not-a-route",
          sent - 1,
          metrics,
          200,
          notRoutes.size()
              + " route labels are no route of the API, e.g. "
              + notRoutes.subList(0, Math.min(5, notRoutes.size())));
    }
    return new Result(
        seed,
        sent,
        fiveXx,
        List.copyOf(findings.values()),
        statuses,
        millis,
        healthy,
        series,
        Duration.ofNanos(System.nanoTime() - start));
  }

  /**
   * The sites, revisions and hosts now; {@code null} (and a finding) when the node cannot list
   * them, which also makes the next comparison skip.
   */
  private StateSnapshot snapshot(Map<String, Finding> findings, int index, FuzzRequest after) {
    try {
      return StateSnapshot.take(http);
    } catch (IOException e) {
      record(
          findings,
          "unlistable after " + after.kind(),
          index,
          after,
          0,
          "the sites, revisions or hosts could not be listed after this request: "
              + e.getMessage());
      return null;
    }
  }

  /** How long a node that stopped answering may take to answer its health check again. */
  private static final Duration RECOVERY = Duration.ofSeconds(30);

  /** Polls the health check until it answers 200, for at most {@link #RECOVERY}. */
  private boolean recovers() {
    long deadline = System.nanoTime() + RECOVERY.toNanos();
    while (System.nanoTime() < deadline && alive.getAsBoolean()) {
      if (healthy()) {
        return true;
      }
      try {
        Thread.sleep(200);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return false;
  }

  /** 501 for a method the server does not know (RFC 9110), 507 for an upload on a full disk. */
  static boolean allowed5xx(FuzzRequest r, int status) {
    return (status == 501 && !KNOWN_METHODS.contains(r.method()))
        || (status == 507 && r.kind().startsWith("revisions.upload"));
  }

  /**
   * Belt and braces on top of the generator: a leave naming this node's cluster port would stop it,
   * so such a body is replaced by one that names no member.
   */
  FuzzRequest neutralise(FuzzRequest r) {
    String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    if (r.path().contains("leave") && body.contains(Integer.toString(target.clusterPort()))) {
      return new FuzzRequest(
          r.kind(),
          r.method(),
          r.target(),
          r.headers(),
          "{\"address\":\"127.0.0.1:1\"}".getBytes(java.nio.charset.StandardCharsets.UTF_8),
          r.note(),
          r.mustRefuse());
    }
    return r;
  }

  private void learnRevision(RawHttp.Answer a) {
    try {
      String id = Json.MAPPER.readTree(a.body()).path("id").asText("");
      if (!id.isEmpty() && !target.revisions().contains(id)) {
        target.revisions().add(id);
      }
    } catch (IOException e) {
      // not JSON: nothing to learn
    }
  }

  private boolean healthy() {
    try {
      return http.send(new FuzzRequest("health", "GET", "/api/v1/health", List.of(), new byte[0]))
              .status()
          == 200;
    } catch (IOException e) {
      return false;
    }
  }

  private String scrape() {
    try {
      return http.send(new FuzzRequest("metrics", "GET", "/metrics", List.of(), new byte[0]))
          .body();
    } catch (IOException e) {
      return "";
    }
  }

  /** The answer's problem detail with numbers, hex ids and quoted values blanked, for grouping. */
  static String detailKey(RawHttp.Answer a) {
    String detail = a.body();
    try {
      JsonNode n = Json.MAPPER.readTree(a.body());
      if (n != null && n.has("detail")) {
        detail = n.get("detail").asText();
      }
    } catch (IOException e) {
      // not JSON: group by the raw text
    }
    String key =
        detail
            .replaceAll("'[^']*'", "'V'")
            .replaceAll("[0-9a-f]{16,}", "H")
            .replaceAll("\\d+", "N");
    return key.length() <= 100 ? key : key.substring(0, 100);
  }

  private static void record(
      Map<String, Finding> findings,
      String signature,
      int index,
      FuzzRequest r,
      int status,
      String detail) {
    findings.merge(
        signature,
        new Finding(signature, index, r, status, detail, 1),
        (old, now) ->
            new Finding(
                old.signature(),
                old.index(),
                old.request(),
                old.status(),
                old.detail(),
                old.count() + 1));
  }
}
