package io.drover.chaos.fuzz;

import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Checks the {@code route} labels of the node's request metrics: each must be a route template of
 * the API, {@code /metrics} or {@code other}, so that the number of series stays bounded whatever
 * paths clients send.
 */
final class MetricLabels {

  private static final String SERIES = "drover_http_requests_seconds_count{";
  private static final Pattern ROUTE = Pattern.compile("route=\"([^\"]*)\"");

  /** Every route template the API serves, plus the two catch-alls. */
  static final List<String> ROUTES =
      List.of(
          "other",
          "/metrics",
          "/api/v1/health",
          "/api/v1/sites",
          "/api/v1/sites/{id}",
          "/api/v1/sites/{id}/scale",
          "/api/v1/sites/{id}/instances",
          "/api/v1/sites/{id}/instances/{id}/logs",
          "/api/v1/revisions",
          "/api/v1/revisions/{id}",
          "/api/v1/revisions/{id}/archive",
          "/api/v1/revisions/{id}/fetch",
          "/api/v1/hosts",
          "/api/v1/hosts/{id}",
          "/api/v1/hosts/{id}/cordon",
          "/api/v1/hosts/{id}/uncordon",
          "/api/v1/hosts/{id}/drain",
          "/api/v1/cluster/members",
          "/api/v1/cluster/join",
          "/api/v1/cluster/leave");

  private MetricLabels() {}

  /** How many request timer series a Prometheus scrape shows. */
  static int series(String scrape) {
    return (int) scrape.lines().filter(l -> l.startsWith(SERIES)).count();
  }

  /** The route labels of a scrape that are not route templates of the API, sorted. */
  static List<String> notRoutes(String scrape) {
    TreeSet<String> bad = new TreeSet<>();
    scrape
        .lines()
        .filter(l -> l.startsWith(SERIES))
        .forEach(
            l -> {
              Matcher m = ROUTE.matcher(l);
              if (m.find() && !ROUTES.contains(m.group(1))) {
                bad.add(m.group(1));
              }
            });
    return List.copyOf(bad);
  }
}
