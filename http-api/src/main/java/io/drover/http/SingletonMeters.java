package io.drover.http;

import io.drover.actors.common.Singletons;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashSet;
import java.util.Set;

/**
 * Two gauges per registered singleton, read from this node's local registry (no cluster ask per
 * scrape): {@code drover_singleton_running{singleton}} is 1 on the node where it runs and 0
 * elsewhere; {@code drover_singleton_since_seconds{singleton}} is the epoch second it started here,
 * 0 when it does not run here. Summed over nodes, {@code running} is 1 per singleton except during
 * a hand-over (0) or a split brain (2).
 */
final class SingletonMeters {

  private final MeterRegistry registry;
  private final Singletons singletons;
  private final Set<String> bound = new HashSet<>();

  SingletonMeters(MeterRegistry registry, Singletons singletons) {
    this.registry = registry;
    this.singletons = singletons;
    refresh();
  }

  /** Adds the gauges of singletons registered since the last call. */
  synchronized void refresh() {
    for (Singletons.Registration r : singletons.registered()) {
      String name = r.name();
      if (!bound.add(name)) {
        continue;
      }
      Gauge.builder("drover.singleton.running", singletons, s -> s.since(name).isPresent() ? 1 : 0)
          .description("1 while the cluster singleton runs on this node, else 0")
          .tag("singleton", name)
          .register(registry);
      Gauge.builder(
              "drover.singleton.since",
              singletons,
              s -> s.since(name).map(i -> (double) i.getEpochSecond()).orElse(0.0))
          .description("When the cluster singleton started on this node (epoch seconds), else 0")
          .baseUnit("seconds")
          .tag("singleton", name)
          .register(registry);
    }
  }
}
