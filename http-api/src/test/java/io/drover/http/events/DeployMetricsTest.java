package io.drover.http.events;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.deploy.Step;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class DeployMetricsTest {

  @Test
  void countsDeploysTimesStepsAndForgetsEndedDeploys() {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    DeployMetrics m = new DeployMetrics(registry);
    m.record(new Step("d", 1, 10_000, "deploy-started", null, null, "running", "3 hosts"));
    m.record(new Step("d", 2, 11_000, "host-started", "h1", null, "replacing", null));
    m.record(new Step("d", 3, 12_000, "host-progress", "h2", "web", "fetching", null));
    String running = registry.scrape();
    assertTrue(running.contains("drover_deploys_started_total 1.0"), running);
    assertTrue(running.contains("drover_deploy_hosts{state=\"pending\"} 1.0"), running);
    assertTrue(running.contains("drover_deploy_hosts{state=\"replacing\"} 1.0"), running);
    assertTrue(running.contains("drover_deploy_hosts{state=\"fetching\"} 1.0"), running);

    m.record(new Step("d", 4, 14_000, "host-done", "h1", null, "done", null));
    m.record(new Step("d", 5, 15_000, "deploy-ended", null, null, "succeeded", null));
    String ended = registry.scrape();
    assertTrue(ended.contains("drover_deploys_ended_total{outcome=\"succeeded\"} 1.0"), ended);
    assertTrue(ended.contains("drover_deploy_duration_seconds_sum 5.0"), ended);
    assertTrue(ended.contains("drover_deploy_host_step_seconds_sum{outcome=\"done\"} 3.0"), ended);
    assertTrue(ended.contains("drover_deploy_hosts{state=\"pending\"} 0.0"), ended);
    assertTrue(ended.contains("drover_deploy_hosts{state=\"done\"} 0.0"), ended);
    assertTrue(ended.contains("drover_deploy_hosts{state=\"fetching\"} 0.0"), ended);
  }
}
