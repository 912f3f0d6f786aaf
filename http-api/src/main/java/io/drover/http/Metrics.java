package io.drover.http;

import io.drover.actors.agent.InstanceState;
import io.drover.actors.agent.InstanceStatus;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
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
 * HTTP request timings.
 */
public final class Metrics {

  /** The first path segment after {@code /api/v1} of every resource the API serves. */
  private static final java.util.Set<String> RESOURCES =
      java.util.Set.of("sites", "revisions", "health", "cluster");

  /** Fixed sub-paths of {@code /api/v1/cluster}: actions, not ids. */
  private static final java.util.Set<String> CLUSTER_ACTIONS =
      java.util.Set.of("members", "join", "leave");

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final Map<InstanceState, AtomicInteger> byState = new EnumMap<>(InstanceState.class);
  private final Counter restarts;
  private final Map<String, Integer> lastRestarts = new HashMap<>();

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
   * /api/v1/sites/{id}/instances/{id}/logs}.
   */
  public static String routeOf(String path) {
    String[] parts = path.replaceAll("^/+|/+$", "").split("/+");
    if (path.equals("/metrics")) {
      return path;
    }
    if (parts.length < 3
        || !parts[0].equals("api")
        || !parts[1].equals("v1")
        || !RESOURCES.contains(parts[2])) {
      return "other";
    }
    StringBuilder b = new StringBuilder("/api/v1");
    for (int i = 2; i < parts.length; i++) {
      boolean action = parts[2].equals("cluster") && CLUSTER_ACTIONS.contains(parts[i]);
      b.append('/').append(i >= 3 && (i - 3) % 2 == 0 && !action ? "{id}" : parts[i]);
    }
    return b.toString();
  }

  public String scrape() {
    return registry.scrape();
  }
}
