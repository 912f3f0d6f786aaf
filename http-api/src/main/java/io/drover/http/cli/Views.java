package io.drover.http.cli;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.http.cli.Table.Tone;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/** The server's JSON as tables and lines: what each column shows, and what comes first. Pure. */
final class Views {

  private Views() {}

  private static final Set<String> GOOD =
      Set.of("ok", "up", "ready", "running", "succeeded", "done", "yes", "schedulable");
  private static final Set<String> BAD =
      Set.of(
          "failed",
          "unreachable",
          "degraded",
          "down",
          "aborted",
          "reverted",
          "lost",
          "vanished",
          "crashed",
          "unavailable",
          "missed",
          "no");

  /** A state word's tone: good, bad, or worth a look. */
  static Tone tone(String state) {
    if (state == null || state.isEmpty()) {
      return Tone.PLAIN;
    }
    if (GOOD.contains(state)) {
      return Tone.GOOD;
    }
    if (BAD.contains(state)) {
      return Tone.BAD;
    }
    return Tone.WARN;
  }

  static Table.Cell state(String s) {
    return Table.cell(s, tone(s));
  }

  static String s(JsonNode n, String field) {
    if (n == null) {
      return "";
    }
    JsonNode v = n.get(field);
    return v == null || v.isNull() ? "" : v.isValueNode() ? v.asText() : JsonTree.write(v);
  }

  /** The first 12 characters of a revision id (enough to tell them apart, as git does). */
  static String rev(String id) {
    return id == null ? "" : id.length() > 12 ? id.substring(0, 12) : id;
  }

  static String joined(JsonNode array, String sep) {
    List<String> parts = new ArrayList<>();
    if (array != null && array.isArray()) {
      array.forEach(x -> parts.add(x.asText()));
    }
    return String.join(sep, parts);
  }

  // ---- sites ----

  /** Whether a site needs a look: degraded, or fewer ready than desired. */
  static boolean siteDegraded(JsonNode site) {
    JsonNode st = site.path("status");
    return st.path("degraded").asBoolean(false)
        || st.path("ready").asInt(0) < st.path("desired").asInt(0);
  }

  static String siteProblems(JsonNode site) {
    return joined(site.path("status").path("problems"), "; ");
  }

  /** Sites, degraded ones first (then by name). */
  static Table sites(JsonNode sites) {
    Table t = new Table("name", "ready", "hosts", "revision", "pool", "state", "problems");
    for (JsonNode x : sorted(sites, Views::siteDegraded, "name")) {
      JsonNode st = x.path("status");
      boolean bad = siteDegraded(x);
      t.row(
          s(x, "name"),
          Table.cell(
              st.path("ready").asInt() + "/" + st.path("desired").asInt(),
              st.path("ready").asInt() < st.path("desired").asInt() ? Tone.BAD : Tone.GOOD),
          st.path("distinctHosts").asText(""),
          rev(s(x.path("spec"), "revision")),
          s(x.path("spec"), "pool"),
          state(bad ? "degraded" : "ok"),
          siteProblems(x));
    }
    return t;
  }

  /** One site: its spec and status as "key: value" lines. */
  static String site(JsonNode x) {
    JsonNode spec = x.path("spec");
    JsonNode st = x.path("status");
    StringBuilder b = new StringBuilder();
    kv(b, "name", s(x, "name"));
    kv(b, "revision", s(spec, "revision"));
    kv(b, "command", joined(spec.path("command"), " "));
    kv(
        b,
        "instances",
        st.path("ready").asInt()
            + "/"
            + spec.path("instances").asInt()
            + " ready"
            + ", on "
            + st.path("distinctHosts").asInt()
            + " distinct host(s)");
    kv(b, "pool", s(spec, "pool"));
    if (spec.path("env").size() > 0) {
      List<String> env = new ArrayList<>();
      spec.path("env")
          .fields()
          .forEachRemaining(e -> env.add(e.getKey() + "=" + e.getValue().asText()));
      env.sort(null);
      kv(b, "env", String.join(" ", env));
    }
    if (spec.path("labels").size() > 0) {
      kv(b, "labels", JsonTree.write(spec.path("labels")));
    }
    kv(b, "state", siteDegraded(x) ? "degraded" : "ok");
    for (JsonNode p : st.path("problems")) {
      kv(b, "problem", p.asText());
    }
    return b.toString();
  }

  private static void kv(StringBuilder b, String k, String v) {
    b.append(String.format("%-10s %s%n", k + ":", v));
  }

  static Table instances(JsonNode instances) {
    Table t =
        new Table(
            "id", "host", "state", "pid", "port", "revision", "restarts", "last exit", "message");
    for (JsonNode i : instances) {
      t.row(
          s(i, "id"),
          s(i, "host"),
          state(s(i, "state")),
          s(i, "pid"),
          s(i, "port"),
          rev(s(i, "revision")),
          s(i, "restarts"),
          s(i, "lastExit"),
          s(i, "message"));
    }
    return t;
  }

  // ---- hosts and members ----

  /** A host's schedulability: unreachable, draining, cordoned or schedulable. */
  static String hostState(JsonNode h) {
    if (!h.path("reachable").asBoolean(true)) {
      return "unreachable";
    }
    if (h.path("draining").asBoolean(false)) {
      return "draining";
    }
    if (h.path("cordoned").asBoolean(false)) {
      return "cordoned";
    }
    return "schedulable";
  }

  static Table hosts(JsonNode hosts) {
    Table t = new Table("name", "pool", "state", "instances", "address");
    for (JsonNode h : sorted(hosts, x -> !hostState(x).equals("schedulable"), "name")) {
      t.row(
          s(h, "name"), s(h, "pool"), state(hostState(h)), s(h, "instanceCount"), s(h, "address"));
    }
    return t;
  }

  /** A member's trouble: unreachable, or a status other than up; empty when fine. */
  static String memberTrouble(JsonNode m) {
    if (!m.path("reachable").asBoolean(true)) {
      return "unreachable from this node";
    }
    String st = s(m, "status");
    return st.equals("up") ? "" : "status " + st;
  }

  static Table members(JsonNode members) {
    Table t = new Table("address", "status", "reachable", "age", "leader", "roles", "reason");
    for (JsonNode m : sorted(members, x -> !memberTrouble(x).isEmpty(), "address")) {
      List<String> roles = new ArrayList<>();
      m.path("roles")
          .forEach(
              r -> {
                if (!r.asText().startsWith("drover-api:")) {
                  roles.add(r.asText());
                }
              });
      boolean reachable = m.path("reachable").asBoolean(true);
      t.row(
          s(m, "address") + (m.path("self").asBoolean(false) ? " (self)" : ""),
          state(s(m, "status")),
          state(reachable ? "yes" : "no"),
          s(m, "age"),
          m.path("leader").asBoolean(false) ? "leader" : "",
          String.join(",", roles),
          memberTrouble(m));
    }
    return t;
  }

  /** The headline of {@code drover status}: counts, and how many need a look. */
  static String summary(JsonNode members, JsonNode hosts, JsonNode sites) {
    int badMembers = count(members, m -> !memberTrouble(m).isEmpty());
    int badHosts = count(hosts, h -> !hostState(h).equals("schedulable"));
    int badSites = count(sites, Views::siteDegraded);
    return members.size()
        + " member(s), "
        + badMembers
        + " in trouble; "
        + hosts.size()
        + " host(s), "
        + badHosts
        + " not schedulable; "
        + sites.size()
        + " site(s), "
        + badSites
        + " degraded";
  }

  // ---- deploys ----

  static Table deploys(JsonNode deploys) {
    Table t = new Table("id", "state", "sites", "revision", "started by", "created", "reason");
    for (JsonNode d : deploys) {
      String state = s(d, "state");
      if (state.equals("queued") && d.path("queuePosition").asInt(0) > 0) {
        state = "queued #" + d.path("queuePosition").asInt();
      }
      t.row(
          s(d, "id"),
          Table.cell(state, tone(s(d, "state"))),
          joined(d.path("sites"), ","),
          rev(s(d, "revision")),
          s(d, "startedBy"),
          s(d, "createdAt"),
          s(d, "reason"));
    }
    return t;
  }

  /** One deploy: its summary lines, then its hosts in deploy order. */
  static String deploy(JsonNode d, boolean colour) {
    StringBuilder b = new StringBuilder();
    kv(b, "id", s(d, "id"));
    kv(
        b,
        "state",
        s(d, "state") + (d.hasNonNull("endReason") ? " (" + s(d, "endReason") + ")" : ""));
    kv(b, "sites", joined(d.path("sites"), ", "));
    kv(b, "revision", s(d, "revision"));
    JsonNode c = d.path("counters");
    kv(
        b,
        "hosts",
        c.path("done").asInt()
            + "/"
            + c.path("total").asInt()
            + " done, "
            + c.path("inProgress").asInt()
            + " in progress, "
            + c.path("failed").asInt()
            + " failed, "
            + c.path("skipped").asInt()
            + " skipped, "
            + c.path("vanished").asInt()
            + " vanished");
    kv(
        b,
        "parallel",
        s(d, "parallel")
            + " (per pool "
            + s(d, "perPool")
            + "), canary "
            + s(d.path("canary"), "perPool")
            + " per pool, bake "
            + s(d.path("canary"), "bake"));
    if (d.hasNonNull("reason")) {
      kv(b, "reason", s(d, "reason"));
    }
    kv(
        b,
        "by",
        s(d, "startedBy") + (d.hasNonNull("endedBy") ? ", ended by " + s(d, "endedBy") : ""));
    kv(b, "created", s(d, "createdAt"));
    if (d.hasNonNull("endedAt")) {
      kv(b, "ended", s(d, "endedAt"));
    }
    if (d.hasNonNull("revertOf")) {
      kv(b, "revert of", s(d, "revertOf"));
    }
    if (d.hasNonNull("revertedBy")) {
      kv(b, "reverted by", s(d, "revertedBy"));
    }
    if (d.path("hosts").size() > 0) {
      Table t = new Table("host", "pool", "state", "canary", "replaced", "reason");
      for (JsonNode h : d.path("hosts")) {
        t.row(
            s(h, "host"),
            s(h, "pool"),
            state(s(h, "state")),
            h.path("canary").asBoolean(false) ? "canary" : "",
            s(h, "replaced"),
            s(h, "reason"));
      }
      b.append('\n').append(t.render(colour));
    }
    return b.toString();
  }

  // ---- singletons, cron, tokens ----

  static Table singletons(JsonNode singletons) {
    Table t = new Table("name", "state", "host", "since", "reason");
    for (JsonNode x : singletons) {
      t.row(s(x, "name"), state(s(x, "state")), s(x, "host"), s(x, "since"), s(x, "reason"));
    }
    return t;
  }

  static Table cronjobs(JsonNode jobs) {
    Table t = new Table("name", "schedule", "pool", "revision", "suspended", "next", "last run");
    for (JsonNode j : jobs) {
      JsonNode spec = j.has("spec") ? j.get("spec") : j;
      JsonNode next = j.path("next");
      JsonNode last =
          j.path("runs").isArray() && j.path("runs").size() > 0 ? j.path("runs").get(0) : null;
      t.row(
          s(j, "name"),
          s(spec, "schedule"),
          s(spec, "pool"),
          rev(s(spec, "revision")),
          spec.path("suspend").asBoolean(false) ? "yes" : "",
          next.isArray() && next.size() > 0 ? next.get(0).asText() : "",
          last == null ? "" : s(last, "state") + " " + s(last, "tick"));
    }
    return t;
  }

  static Table runs(JsonNode runs) {
    Table t = new Table("run", "state", "host", "exit", "started", "ended", "reason");
    for (JsonNode r : runs) {
      t.row(
          s(r, "run") + (r.path("manual").asBoolean(false) ? " (manual)" : ""),
          state(s(r, "state")),
          s(r, "host"),
          s(r, "exitCode"),
          s(r, "startedAt"),
          s(r, "endedAt"),
          s(r, "reason")
              + (r.path("count").asInt(0) > 1 ? " (" + r.path("count").asInt() + " ticks)" : ""));
    }
    return t;
  }

  static Table tokens(JsonNode tokens) {
    Table t = new Table("name", "role", "created", "expires", "last used", "created by");
    for (JsonNode x : tokens) {
      t.row(
          s(x, "name"),
          s(x, "role"),
          s(x, "created"),
          s(x, "expires"),
          s(x, "lastUsed"),
          s(x, "createdBy"));
    }
    return t;
  }

  // ---- helpers ----

  /** The elements of {@code array}: those needing a look first, then by {@code field}. */
  static List<JsonNode> sorted(
      JsonNode array, java.util.function.Predicate<JsonNode> trouble, String field) {
    List<JsonNode> l = new ArrayList<>();
    if (array != null) {
      Iterator<JsonNode> it = array.elements();
      it.forEachRemaining(l::add);
    }
    // (not Comparator.comparing: the JDK's own lambdas are spun at run time, ~1 ms a command)
    l.sort(
        (a, b) -> {
          boolean ta = trouble.test(a);
          if (ta != trouble.test(b)) {
            return ta ? -1 : 1;
          }
          return s(a, field).compareTo(s(b, field));
        });
    return l;
  }

  private static int count(JsonNode array, java.util.function.Predicate<JsonNode> p) {
    int n = 0;
    for (JsonNode x : array) {
      if (p.test(x)) {
        n++;
      }
    }
    return n;
  }
}
