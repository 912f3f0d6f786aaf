package io.drover.http;

import io.drover.actors.agent.InstanceState;
import io.drover.actors.agent.InstanceStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's metrics in Prometheus text format (Micrometer): instances by state, instance restarts,
 * HTTP request timings, where the cluster singletons run ({@link SingletonMeters}).
 */
public final class Metrics {

  /**
   * Every path the API serves, as a template; {@code {id}} matches one segment. A request whose
   * path matches none is counted as {@link #UNMATCHED}, so scanners add no series. A new route must
   * be added here to get its own series.
   */
  static final List<String> TEMPLATES =
      List.of(
          "/metrics",
          "/api/v1/health",
          "/api/v1/sites",
          "/api/v1/sites/{id}",
          "/api/v1/sites/{id}/scale",
          "/api/v1/sites/{id}/instances",
          "/api/v1/sites/{id}/instances/{id}/logs",
          "/api/v1/deploys",
          "/api/v1/deploys/{id}",
          "/api/v1/deploys/{id}/abort",
          "/api/v1/deploys/{id}/pause",
          "/api/v1/deploys/{id}/resume",
          "/api/v1/deploys/{id}/revert",
          "/api/v1/hosts",
          "/api/v1/hosts/{id}",
          "/api/v1/hosts/{id}/cordon",
          "/api/v1/hosts/{id}/uncordon",
          "/api/v1/hosts/{id}/drain",
          "/api/v1/revisions",
          "/api/v1/revisions/{id}",
          "/api/v1/revisions/{id}/archive",
          "/api/v1/revisions/{id}/fetch",
          "/api/v1/cluster/members",
          "/api/v1/cluster/join",
          "/api/v1/cluster/leave",
          "/api/v1/singletons",
          "/api/v1/deploys/{id}/events",
          "/api/v1/events",
          "/api/v1/cronjobs",
          "/api/v1/cronjobs/{id}",
          "/api/v1/cronjobs/{id}/runs",
          "/api/v1/cronjobs/{id}/runs/{id}/logs",
          "/api/v1/cronjobs/{id}/trigger",
          "/api/v1/tokens",
          "/api/v1/tokens/{id}",
          "/api/v1/audit",
          "/api/v1/whoami",
          "/ui",
          "/ui/{id}");

  /** The route label of every path that matches no template. */
  static final String UNMATCHED = "other";

  private static final List<String[]> SPLIT_TEMPLATES =
      TEMPLATES.stream().map(t -> t.substring(1).split("/")).toList();

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<InstanceState, AtomicInteger> byState = new EnumMap<>(InstanceState.class);
  private final Counter restarts;
  private final Map<String, Integer> lastRestarts = new HashMap<>();
  private volatile SingletonMeters singletons;

  public Metrics() {
    for (InstanceState s : InstanceState.values()) {
      AtomicInteger n = new AtomicInteger();
      byState.put(s, n);
      Gauge.builder("drover.instances", n, AtomicInteger::get)
          .description("Instances on this host by state")
          .tag("state", s.json())
          .register(registry);
    }
    restarts =
        Counter.builder("drover.instance.restarts")
            .description("Restarts of instances on this host after a crash or failed check")
            .register(registry);
  }

  /** Updates the instance gauges from the agent's current view. */
  public synchronized void observe(List<InstanceStatus> instances) {
    Map<InstanceState, Integer> counts = new EnumMap<>(InstanceState.class);
    Map<String, Integer> seen = new HashMap<>();
    for (InstanceStatus i : instances) {
      counts.merge(i.state(), 1, Integer::sum);
      int before = lastRestarts.getOrDefault(i.id(), 0);
      if (i.restarts() > before) {
        restarts.increment(i.restarts() - before);
      }
      seen.put(i.id(), i.restarts());
    }
    lastRestarts.clear();
    lastRestarts.putAll(seen);
    byState.forEach((s, n) -> n.set(counts.getOrDefault(s, 0)));
  }

  /** Records one HTTP request; {@code route} is a path template, never a raw path. */
  public void recordRequest(String method, String route, int status, long nanos) {
    Timer.builder("drover.http.requests")
        .description("HTTP API requests")
        .tag("method", method)
        .tag("route", route)
        .tag("status", Integer.toString(status))
        .register(registry)
        .record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * The path as a template, so that metrics have a bounded number of series: {@code
   * /api/v1/sites/hello/instances/hello-1/logs} becomes {@code
   * /api/v1/sites/{id}/instances/{id}/logs}; a path no route serves becomes {@value #UNMATCHED}.
   */
  public static String routeOf(String path) {
    String trimmed = path.replaceAll("^/+|/+$", "");
    String[] parts = trimmed.split("/+");
    for (int t = 0; t < TEMPLATES.size(); t++) {
      String[] template = SPLIT_TEMPLATES.get(t);
      if (matches(template, parts)) {
        return TEMPLATES.get(t);
      }
    }
    return UNMATCHED;
  }

  private static boolean matches(String[] template, String[] parts) {
    if (template.length != parts.length) {
      return false;
    }
    for (int i = 0; i < parts.length; i++) {
      if (!template[i].equals("{id}") ? !template[i].equals(parts[i]) : parts[i].isEmpty()) {
        return false;
      }
    }
    return true;
  }

  /** The registry, for meters kept elsewhere (deploys). */
  public MeterRegistry registry() {
    return registry;
  }

  /** Adds the singleton gauges ({@link SingletonMeters}) of {@code s}. */
  public void singletons(io.drover.actors.common.Singletons s) {
    singletons = new SingletonMeters(registry, s);
  }

  public String scrape() {
    SingletonMeters s = singletons;
    if (s != null) {
      s.refresh();
    }
    return registry.scrape();
  }
}
