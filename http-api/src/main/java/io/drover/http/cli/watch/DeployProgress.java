package io.drover.http.cli.watch;

import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where one deploy is, as a client follows it: built from {@code GET /api/v1/deploys/{id}} and then
 * each step of its event stream, in order. No I/O and no clock of its own ({@code now} is passed
 * in): every figure the progress bar shows comes from here.
 *
 * <p>Rules: a step whose {@code seq} is not after the last one applied is a duplicate and ignored;
 * a host that reached a terminal state ({@code done}, {@code failed}, {@code skipped}, {@code
 * vanished}) never changes again (the node's rule too), and neither does an ended deploy, so a
 * snapshot followed by older steps cannot move anything backwards.
 *
 * <p>ETA: none until a host is done; then the mean time of the done hosts (start to done) times the
 * hosts still pending, plus what the hosts in progress have left of that mean, divided by the hosts
 * that can run at once ({@code parallel}, at most {@code perPool} per pool, at most the hosts
 * left), plus what a canary bake has left.
 *
 * <p>Mutable and single-threaded: the watch owns it.
 */
public final class DeployProgress {

  /** Host states that never change again. */
  static final Set<String> TERMINAL = Set.of("done", "failed", "skipped", "vanished");

  /** Deploy states after which nothing changes. */
  static final Set<String> ENDED = Set.of("succeeded", "failed", "aborted", "reverted");

  /**
   * One host of the deploy.
   *
   * @param startedAt epoch ms it started in this deploy; 0 not yet (or unknown)
   * @param endedAt epoch ms it reached a terminal state; 0 not yet
   */
  public record Host(
      String name,
      String pool,
      boolean canary,
      String state,
      String reason,
      long startedAt,
      long endedAt) {

    public boolean terminal() {
      return TERMINAL.contains(state);
    }

    public boolean inProgress() {
      return !terminal() && !"pending".equals(state);
    }

    Host with(String newState, String newReason, long started, long ended) {
      return new Host(name, pool, canary, newState, newReason, started, ended);
    }
  }

  private final String id;
  private final int parallel;
  private final int perPool;
  private final Map<String, Host> hosts = new LinkedHashMap<>();
  private String state;
  private int totalHint;
  private long createdAt;
  private long startedAt;
  private long endedAt;
  private String endReason;
  private boolean baking;
  private long bakeUntil;
  private long pausedAt;
  private long lastSeq;

  private DeployProgress(String id, int parallel, int perPool) {
    this.id = id;
    this.parallel = Math.max(1, parallel);
    this.perPool = perPool <= 0 ? this.parallel : perPool;
  }

  /**
   * A deploy about to be followed from its first step: the ordered hosts of {@code deploy} (all
   * {@code pending}), its knobs and creation time; state {@code queued}. The stream's replay brings
   * the rest; when the replay has a gap (a node keeps at most 20,000 steps of a deploy), {@link
   * #snapshot} fills it in.
   */
  public static DeployProgress of(JsonNode deploy) {
    DeployProgress p =
        new DeployProgress(
            deploy.path("id").asText(""),
            deploy.path("parallel").asInt(1),
            deploy.path("perPool").asInt(0));
    p.state = "queued";
    p.createdAt = millis(deploy.path("createdAt"));
    p.learnHosts(deploy);
    return p;
  }

  /**
   * Takes the states of {@code deploy} (a fresh {@code GET}) as they are: used when steps were
   * missed. Terminal hosts and an ended deploy stay as the snapshot says.
   */
  public void snapshot(JsonNode deploy) {
    learnHosts(deploy);
    for (JsonNode h : deploy.path("hosts")) {
      String name = h.path("host").asText();
      Host known = hosts.get(name);
      if (known == null || known.terminal()) {
        continue;
      }
      hosts.put(
          name,
          known.with(
              h.path("state").asText("pending"),
              text(h.path("reason")),
              millis(h.path("startedAt")),
              millis(h.path("endedAt"))));
    }
    if (!ended()) {
      state = deploy.path("state").asText(state);
      startedAt = Math.max(startedAt, millis(deploy.path("startedAt")));
      endedAt = millis(deploy.path("endedAt"));
      endReason = text(deploy.path("endReason"));
      long bake = millis(deploy.path("bakeUntil"));
      if (bake > 0) {
        bakeUntil = bake;
      }
    }
  }

  /**
   * Learns the ordered hosts of {@code deploy} (known after it started), keeping what steps said
   * about hosts already known.
   */
  public void learnHosts(JsonNode deploy) {
    if (!deploy.path("hosts").isArray() || deploy.path("hosts").isEmpty()) {
      return;
    }
    Map<String, Host> before = new LinkedHashMap<>(hosts);
    hosts.clear();
    for (JsonNode h : deploy.path("hosts")) {
      String name = h.path("host").asText();
      Host known = before.remove(name);
      String pool = text(h.path("pool"));
      boolean canary = h.path("canary").asBoolean(false);
      hosts.put(
          name,
          known == null
              ? new Host(name, pool, canary, "pending", null, 0, 0)
              : new Host(
                  name,
                  pool,
                  canary,
                  known.state(),
                  known.reason(),
                  known.startedAt(),
                  known.endedAt()));
    }
    hosts.putAll(before);
  }

  /** True when hosts are expected but not known by name yet (the deploy started while queued). */
  public boolean hostsUnknown() {
    return hosts.isEmpty() && totalHint > 0;
  }

  /** True when {@code step} comes after a step that was never applied (the replay was cut). */
  public boolean gapBefore(DeployStep step) {
    return step.seq() > lastSeq + 1;
  }

  /**
   * Applies one step. Returns false for a duplicate or a step that changes nothing (a host step for
   * a host already terminal, anything but a duplicate end after the deploy ended).
   */
  public boolean apply(DeployStep s) {
    if (s.seq() <= lastSeq) {
      return false;
    }
    lastSeq = s.seq();
    if (ended()) {
      return false;
    }
    String type = s.type() == null ? "" : s.type();
    switch (type) {
      case "deploy-queued" -> {
        state = "queued";
        if (createdAt == 0) {
          createdAt = s.at();
        }
      }
      case "deploy-started" -> {
        state = "running";
        startedAt = s.at();
        if (hosts.isEmpty()) {
          totalHint = leadingNumber(s.reason());
        }
      }
      case "host-started", "instance-replaced", "host-progress" -> {
        Host h = host(s.host());
        if (h == null || h.terminal()) {
          return false;
        }
        String next = s.state() == null || s.state().isEmpty() ? "replacing" : s.state();
        hosts.put(h.name(), h.with(next, null, h.startedAt() == 0 ? s.at() : h.startedAt(), 0));
        if ("host-started".equals(type) && !h.canary()) {
          baking = false;
        }
      }
      case "host-done", "host-failed", "host-skipped", "host-vanished" -> {
        Host h = host(s.host());
        if (h == null || h.terminal()) {
          return false;
        }
        String next = type.substring("host-".length());
        hosts.put(h.name(), h.with(next, s.reason(), h.startedAt(), s.at()));
      }
      case "canary-baking" -> {
        baking = true;
        bakeUntil = untilMillis(s.reason());
      }
      case "deploy-paused" -> {
        state = "paused";
        pausedAt = s.at();
      }
      case "deploy-resumed" -> {
        if (pausedAt > 0 && bakeUntil > 0) {
          bakeUntil += Math.max(0, s.at() - pausedAt);
        }
        pausedAt = 0;
        state = startedAt == 0 ? "queued" : "running";
      }
      case "deploy-ended" -> {
        state = s.state() == null || s.state().isEmpty() ? "failed" : s.state();
        endedAt = s.at();
        endReason = s.reason();
        baking = false;
        for (Host h : List.copyOf(hosts.values())) {
          if (!h.terminal()) {
            hosts.put(h.name(), h.with("skipped", "the deploy ended first", h.startedAt(), s.at()));
          }
        }
      }
      default -> {
        // forced-abort and steps of newer nodes: shown, nothing to count
      }
    }
    return true;
  }

  private Host host(String name) {
    if (name == null) {
      return null;
    }
    return hosts.computeIfAbsent(name, n -> new Host(n, null, false, "pending", null, 0, 0));
  }

  public String id() {
    return id;
  }

  /**
   * {@code queued}, {@code running}, {@code baking} (running, canaries baking), {@code paused}, or
   * how it ended: {@code succeeded}, {@code failed}, {@code aborted}, {@code reverted}.
   */
  public String state() {
    return baking && "running".equals(state) ? "baking" : state;
  }

  public boolean ended() {
    return ENDED.contains(state);
  }

  public boolean succeeded() {
    return "succeeded".equals(state);
  }

  /** Why it ended, if it ended and the node said; else null. */
  public String endReason() {
    return endReason;
  }

  /** The last step applied; 0 for none. */
  public long lastSeq() {
    return lastSeq;
  }

  /** The deploy's hosts in deploy order. */
  public List<Host> hosts() {
    return List.copyOf(hosts.values());
  }

  /** Hosts in the deploy: known by name, or as the node counted them when it started. */
  public int total() {
    return Math.max(hosts.size(), totalHint);
  }

  public int done() {
    return count("done");
  }

  public int skipped() {
    return count("skipped");
  }

  public int vanished() {
    return count("vanished");
  }

  /** The hosts that failed, in deploy order, with their reasons. */
  public List<Host> failures() {
    List<Host> out = new ArrayList<>();
    for (Host h : hosts.values()) {
      if ("failed".equals(h.state())) {
        out.add(h);
      }
    }
    return out;
  }

  /** The names of the hosts in progress, in deploy order. */
  public List<String> inProgress() {
    List<String> out = new ArrayList<>();
    for (Host h : hosts.values()) {
      if (h.inProgress()) {
        out.add(h.name());
      }
    }
    return out;
  }

  private int count(String hostState) {
    int n = 0;
    for (Host h : hosts.values()) {
      if (hostState.equals(h.state())) {
        n++;
      }
    }
    return n;
  }

  /**
   * Since it started (since it was created while queued) until it ended or {@code now}; zero when
   * neither time is known.
   */
  public Duration elapsed(long now) {
    long from = startedAt > 0 ? startedAt : createdAt;
    if (from <= 0) {
      return Duration.ZERO;
    }
    long to = endedAt > 0 ? endedAt : now;
    return Duration.ofMillis(Math.max(0, to - from));
  }

  /** The estimated time left (see the class comment); empty until a host is done, or once ended. */
  public Optional<Duration> eta(long now) {
    if (ended()) {
      return Optional.empty();
    }
    long sum = 0;
    int n = 0;
    for (Host h : hosts.values()) {
      if ("done".equals(h.state()) && h.startedAt() > 0 && h.endedAt() >= h.startedAt()) {
        sum += h.endedAt() - h.startedAt();
        n++;
      }
    }
    if (n == 0) {
      return Optional.empty();
    }
    double mean = (double) sum / n;
    double work = 0;
    int left = 0;
    Map<String, Integer> leftPerPool = new HashMap<>();
    for (Host h : hosts.values()) {
      if (h.terminal()) {
        continue;
      }
      left++;
      leftPerPool.merge(h.pool() == null ? "" : h.pool(), 1, Integer::sum);
      if (h.inProgress() && h.startedAt() > 0) {
        work += Math.max(0, mean - Math.max(0, now - h.startedAt()));
      } else {
        work += mean;
      }
    }
    int extra = Math.max(0, total() - hosts.size());
    left += extra;
    work += extra * mean;
    if (extra > 0) {
      leftPerPool.merge("", extra, Integer::sum);
    }
    long bake = baking && bakeUntil > now ? bakeUntil - now : 0;
    if (left == 0) {
      return Optional.of(Duration.ofMillis(bake));
    }
    int lanes = 0;
    for (int inPool : leftPerPool.values()) {
      lanes += Math.min(perPool, inPool);
    }
    lanes = Math.max(1, Math.min(parallel, Math.min(lanes, left)));
    return Optional.of(Duration.ofMillis(Math.round(work / lanes) + bake));
  }

  private static int leadingNumber(String text) {
    if (text == null) {
      return 0;
    }
    int i = 0;
    while (i < text.length() && Character.isDigit(text.charAt(i))) {
      i++;
    }
    try {
      return i == 0 ? 0 : Integer.parseInt(text.substring(0, i));
    } catch (NumberFormatException tooBig) {
      return 0;
    }
  }

  /** The instant in a canary-baking reason, {@code until 2026-12-01T12:00:40Z}; 0 if none. */
  static long untilMillis(String reason) {
    if (reason == null) {
      return 0;
    }
    String t = reason.startsWith("until ") ? reason.substring("until ".length()).trim() : reason;
    try {
      return Instant.parse(t).toEpochMilli();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }

  private static long millis(JsonNode iso) {
    if (iso == null || !iso.isTextual()) {
      return 0;
    }
    try {
      return Instant.parse(iso.asText()).toEpochMilli();
    } catch (DateTimeParseException e) {
      return 0;
    }
  }

  private static String text(JsonNode n) {
    return n == null || n.isNull() || n.isMissingNode() ? null : n.asText();
  }

  /** When the canaries' bake ends (epoch ms); 0 when not baking or unknown. */
  public long bakeUntil() {
    return baking ? bakeUntil : 0;
  }
}
