package io.drover.chaos.fuzz;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.function.Function;

/**
 * Makes requests for every route of the HTTP API ({@code /api/v1/sites}, {@code /revisions}, {@code
 * /hosts}, {@code /cluster}, {@code /health}, {@code /metrics}) and for none: valid ones, so that
 * writes succeed, and mutated, malformed and hostile ones. The same seed gives the same requests as
 * long as the same revisions were stored.
 *
 * <p>Two valid requests are never made, because they would end the run rather than test it: {@code
 * POST /api/v1/cluster/leave} naming the node itself (the node would drain and exit), and joins to
 * addresses off this machine (the node is already a member, so a join is refused, but no address
 * other than loopback or an unroutable literal is ever sent). Valid instance counts stay at 2 or 3
 * so a run does not start hundreds of processes.
 */
public final class RequestGenerator {

  /**
   * What the generator knows about the node under test.
   *
   * @param host the node's host name
   * @param clusterPort its cluster port: never named in a leave request
   * @param revisions revision ids the node stores (the fuzzer adds uploads as they succeed)
   */
  public record Target(String host, int clusterPort, List<String> revisions) {}

  /** Names of sites that valid requests create; a small set, so that writes meet existing sites. */
  static final List<String> SITES = List.of("fz-a", "fz-b", "fz-c");

  private static final List<String> STANDARD_METHODS =
      List.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS");

  private static final String API = "/api/v1";

  private final Target target;
  private final java.util.Set<String> skipped;

  public RequestGenerator(Target target) {
    this(target, java.util.Set.of());
  }

  /** A generator that never makes requests of the {@code skipped} kinds. */
  public RequestGenerator(Target target, java.util.Set<String> skipped) {
    this.target = target;
    this.skipped = java.util.Set.copyOf(skipped);
  }

  /** One kind of request and how to make it. */
  private record Route(String kind, int weight, Function<Random, FuzzRequest> make) {}

  private List<Route> routes() {
    List<Route> r = new ArrayList<>();
    r.add(new Route("sites.list", 2, rnd -> get("sites.list", API + "/sites")));
    r.add(
        new Route(
            "site.put.valid",
            8,
            rnd -> json("site.put.valid", "PUT", sitePath(rnd, true), validSpec(rnd))));
    r.add(new Route("site.put.mutated", 16, this::mutatedPut));
    r.add(
        new Route(
            "site.put.text",
            3,
            rnd -> raw("site.put.text", "PUT", sitePath(rnd, true), randomText(rnd))));
    r.add(new Route("site.get", 3, rnd -> get("site.get", sitePath(rnd, false))));
    r.add(
        new Route(
            "site.delete",
            3,
            rnd -> req("site.delete", "DELETE", sitePath(rnd, false), List.of(), new byte[0])));
    r.add(new Route("site.scale", 6, this::scale));
    r.add(
        new Route(
            "site.instances",
            2,
            rnd -> get("site.instances", sitePath(rnd, false) + "/instances")));
    r.add(new Route("site.logs", 4, this::logs));
    r.add(new Route("revisions.upload", 10, this::upload));
    r.add(new Route("revisions.list", 2, rnd -> get("revisions.list", API + "/revisions")));
    r.add(
        new Route(
            "revision.get", 2, rnd -> get("revision.get", API + "/revisions/" + revisionId(rnd))));
    r.add(
        new Route(
            "revision.archive",
            2,
            rnd -> get("revision.archive", API + "/revisions/" + revisionId(rnd) + "/archive")));
    r.add(new Route("hosts.list", 2, rnd -> get("hosts.list", API + "/hosts")));
    r.add(new Route("host.get", 2, rnd -> get("host.get", API + "/hosts/" + hostName(rnd))));
    r.add(new Route("host.action", 4, this::hostAction));
    r.add(new Route("cluster.members", 1, rnd -> get("cluster.members", API + "/cluster/members")));
    r.add(new Route("cluster.join", 4, rnd -> clusterAction(rnd, "join")));
    r.add(new Route("cluster.leave", 3, rnd -> clusterAction(rnd, "leave")));
    r.add(new Route("health", 1, rnd -> get("health", API + "/health")));
    r.add(new Route("metrics", 1, rnd -> get("metrics", "/metrics")));
    r.add(new Route("wrong-method", 5, this::wrongMethod));
    r.add(new Route("random-path", 6, this::randomPath));
    return r;
  }

  private final List<Route> routes = routes();
  private final int totalWeight = routes.stream().mapToInt(Route::weight).sum();

  /** The kinds of request this generator makes. */
  public List<String> kinds() {
    return routes.stream().map(Route::kind).toList();
  }

  /** The next request: a route by weight, then random query strings and headers on top. */
  public FuzzRequest next(Random rnd) {
    for (int tries = 0; tries < 1_000; tries++) {
      FuzzRequest r = any(rnd);
      if (!skipped.contains(r.kind())) {
        return r;
      }
    }
    throw new IllegalStateException("every request made was of a skipped kind: " + skipped);
  }

  private FuzzRequest any(Random rnd) {
    int w = rnd.nextInt(totalWeight);
    Route chosen = routes.get(routes.size() - 1);
    for (Route r : routes) {
      w -= r.weight();
      if (w < 0) {
        chosen = r;
        break;
      }
    }
    FuzzRequest base = chosen.make().apply(rnd);
    return decorate(base, rnd);
  }

  /** Adds a random query string, extra headers or an odd content type, now and then. */
  private FuzzRequest decorate(FuzzRequest r, Random rnd) {
    String t = r.target();
    if (rnd.nextInt(5) == 0) {
      t = t + (t.contains("?") ? "&" : "?") + Strings.query(rnd);
    }
    List<FuzzRequest.Header> headers = new ArrayList<>(r.headers());
    if (rnd.nextInt(4) == 0) {
      headers.removeIf(h -> h.name().equalsIgnoreCase("Content-Type"));
      headers.add(new FuzzRequest.Header("Content-Type", Strings.contentType(rnd)));
    }
    int extra = rnd.nextInt(3) == 0 ? 1 + rnd.nextInt(3) : 0;
    for (int i = 0; i < extra; i++) {
      headers.add(Strings.header(rnd));
    }
    return r.with(t, headers);
  }

  // ---- sites

  private String sitePath(Random rnd, boolean mostlyValid) {
    String name =
        rnd.nextInt(mostlyValid ? 6 : 3) != 0
            ? Mutations.pick(rnd, SITES.toArray(String[]::new))
            : Strings.name(rnd);
    return API + "/sites/" + name;
  }

  /** A spec any node must accept (when its revision is stored). */
  ObjectNode validSpec(Random rnd) {
    JsonNodeFactory f = JsonNodeFactory.instance;
    ObjectNode spec = f.objectNode();
    spec.put("revision", revisionId(rnd, true));
    spec.set("command", f.arrayNode().add("sleep").add("600"));
    spec.put("instances", 2 + rnd.nextInt(2));
    if (rnd.nextBoolean()) {
      spec.put("pool", "default");
    }
    if (rnd.nextBoolean()) {
      spec.set("env", f.objectNode().put("APP_MODE", "fuzz").put("EMPTY", ""));
    }
    ObjectNode health = f.objectNode();
    switch (rnd.nextInt(3)) {
      case 0 -> health.set("exec", f.arrayNode().add("true"));
      case 1 -> health.put("tcp", true);
      default -> health.put("http", "/healthz");
    }
    if (rnd.nextBoolean()) {
      health.put("interval", Mutations.pick(rnd, "1s", "5s", "500ms"));
      health.put("timeout", Mutations.pick(rnd, "1s", "2s"));
      health.put("startTimeout", Mutations.pick(rnd, "10s", "60s"));
      health.put("failures", 1 + rnd.nextInt(5));
    }
    spec.set("health", health);
    if (rnd.nextBoolean()) {
      ObjectNode restart = f.objectNode();
      restart.put("initialBackoff", Mutations.pick(rnd, "100ms", "1s"));
      restart.put("maxBackoff", Mutations.pick(rnd, "10s", "30s"));
      restart.put("resetAfter", Mutations.pick(rnd, "30s", "60s"));
      spec.set("restart", restart);
    }
    return spec;
  }

  private FuzzRequest mutatedPut(Random rnd) {
    Mutations.Mutated m = Mutations.mutate(validSpec(rnd), rnd);
    FuzzRequest r =
        req(
            "site.put.mutated",
            "PUT",
            sitePath(rnd, true),
            List.of(new FuzzRequest.Header("Content-Type", "application/json")),
            m.body());
    return r.withExpectation(m.what(), m.mustRefuse());
  }

  private FuzzRequest scale(Random rnd) {
    String body =
        switch (rnd.nextInt(8)) {
          case 0, 1 -> "{\"instances\":" + (2 + rnd.nextInt(2)) + "}";
          case 2 ->
              "{\"instances\":"
                  + Mutations.pick(rnd, "-1", "0", "1", "1001", "2147483647", "2147483648", "1e10")
                  + "}";
          case 3 -> "{\"instances\":\"two\"}";
          case 4 -> "{}";
          case 5 -> "[]";
          case 6 -> "{\"instances\":2,\"extra\":" + Mutations.anyValue(rnd) + "}";
          default -> new String(randomText(rnd), StandardCharsets.UTF_8);
        };
    FuzzRequest r = json("site.scale", "POST", sitePath(rnd, false) + "/scale", body);
    String n = body.replaceAll("^\\{\"instances\":(-?\\d+)}$", "$1");
    if (!n.equals(body)
        && n.length() < 10
        && (Integer.parseInt(n) < 2 || Integer.parseInt(n) > 1000)) {
      return r.withExpectation("instances " + n, "instances " + n + " is out of 2..1000");
    }
    return r;
  }

  private FuzzRequest logs(Random rnd) {
    String instance =
        rnd.nextBoolean()
            ? Mutations.pick(rnd, SITES.toArray(String[]::new)) + "-" + rnd.nextInt(4)
            : Strings.name(rnd);
    String path = sitePath(rnd, false) + "/instances/" + instance + "/logs";
    if (rnd.nextInt(3) != 0) {
      path +=
          "?tail="
              + Mutations.pick(
                  rnd,
                  "1",
                  "100",
                  "10000",
                  "0",
                  "-1",
                  "10001",
                  "abc",
                  "",
                  "99999999999",
                  "1e3",
                  "%20");
    }
    return get("site.logs", path);
  }

  // ---- revisions

  private String revisionId(Random rnd) {
    return revisionId(rnd, rnd.nextBoolean());
  }

  private String revisionId(Random rnd, boolean known) {
    List<String> ids = target.revisions();
    if (known && !ids.isEmpty()) {
      return ids.get(rnd.nextInt(ids.size()));
    }
    return Mutations.pick(
        rnd,
        "0".repeat(64),
        "f".repeat(63),
        "F".repeat(64),
        "not-a-revision",
        "..",
        "%2e%2e",
        "a".repeat(300));
  }

  private FuzzRequest upload(Random rnd) {
    Archives.Archive a = Archives.any(rnd);
    String type =
        Mutations.pick(
            rnd,
            "application/gzip",
            "application/octet-stream",
            "application/x-gzip",
            "application/json");
    FuzzRequest r =
        req(
            "revisions.upload." + a.kind(),
            "POST",
            API + "/revisions",
            List.of(new FuzzRequest.Header("Content-Type", type)),
            a.bytes());
    return r.withExpectation(a.kind(), a.mustRefuse());
  }

  // ---- hosts

  private String hostName(Random rnd) {
    return rnd.nextBoolean() ? target.host() : Strings.name(rnd);
  }

  private FuzzRequest hostAction(Random rnd) {
    String action = Mutations.pick(rnd, "cordon", "uncordon", "uncordon", "drain");
    return req(
        "host." + action,
        "POST",
        API + "/hosts/" + hostName(rnd) + "/" + action,
        List.of(),
        new byte[0]);
  }

  // ---- cluster

  private FuzzRequest clusterAction(Random rnd, String action) {
    String address =
        Mutations.pick(
            rnd,
            "999.1.1.1:2552",
            "127.0.0.1:1",
            "127.0.0.1:" + (target.clusterPort() == 65535 ? 65534 : target.clusterPort() + 1),
            "127.0.0.1",
            "127.0.0.1:0",
            "127.0.0.1:70000",
            "127.0.0.1:-5",
            ":2552",
            "[::1]:2553",
            "[::1",
            "nohost.invalid:2552",
            "pekko://drover@127.0.0.1:1",
            "pekko://other@127.0.0.1:1",
            "akka://drover@127.0.0.1:1",
            "pekko://drover@999.999.999.999:1",
            "pekko://drover@",
            "pekko://drover@127.0.0.1:99999",
            "http://127.0.0.1:1",
            "",
            " ",
            "a".repeat(5000));
    String body =
        switch (rnd.nextInt(6)) {
          case 0 -> "{}";
          case 1 -> "{\"address\":" + Mutations.anyValue(rnd) + "}";
          case 2 -> new String(randomText(rnd), StandardCharsets.UTF_8);
          default -> JsonNodeFactory.instance.objectNode().put("address", address).toString();
        };
    return json("cluster." + action, "POST", API + "/cluster/" + action, body);
  }

  // ---- anything

  private FuzzRequest wrongMethod(Random rnd) {
    String path =
        Mutations.pick(
            rnd,
            API + "/sites",
            API + "/sites/fz-a",
            API + "/sites/fz-a/scale",
            API + "/sites/fz-a/instances",
            API + "/revisions",
            API + "/revisions/" + revisionId(rnd),
            API + "/hosts",
            API + "/hosts/" + target.host() + "/cordon",
            API + "/cluster/members",
            API + "/cluster/join",
            API + "/health",
            "/metrics");
    String method =
        rnd.nextInt(4) == 0
            ? Mutations.pick(
                rnd, "TRACE", "CONNECT", "PROPFIND", "BREW", "get", "X-" + rnd.nextInt(100))
            : STANDARD_METHODS.get(rnd.nextInt(STANDARD_METHODS.size()));
    byte[] body = rnd.nextBoolean() ? new byte[0] : randomText(rnd);
    return req("wrong-method", method, path, List.of(), body);
  }

  private FuzzRequest randomPath(Random rnd) {
    String method = STANDARD_METHODS.get(rnd.nextInt(STANDARD_METHODS.size()));
    return req(
        "random-path",
        method,
        Strings.path(rnd),
        List.of(),
        rnd.nextInt(3) == 0 ? randomText(rnd) : new byte[0]);
  }

  private static byte[] randomText(Random rnd) {
    return Strings.body(rnd).getBytes(StandardCharsets.UTF_8);
  }

  private static FuzzRequest get(String kind, String path) {
    return req(kind, "GET", path, List.of(), new byte[0]);
  }

  private static FuzzRequest json(String kind, String method, String path, Object body) {
    return req(
        kind,
        method,
        path,
        List.of(new FuzzRequest.Header("Content-Type", "application/json")),
        body.toString().getBytes(StandardCharsets.UTF_8));
  }

  private static FuzzRequest raw(String kind, String method, String path, byte[] body) {
    return req(
        kind,
        method,
        path,
        List.of(new FuzzRequest.Header("Content-Type", "application/json")),
        body);
  }

  private static FuzzRequest req(
      String kind, String method, String path, List<FuzzRequest.Header> headers, byte[] body) {
    return new FuzzRequest(kind, method, path, headers, body);
  }
}
