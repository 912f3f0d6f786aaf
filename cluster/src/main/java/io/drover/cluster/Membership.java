package io.drover.cluster;

import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Starts joining the way the settings say; becoming Up happens later, asynchronously. */
final class Membership {

  private static final Logger log = LoggerFactory.getLogger(Membership.class);

  private Membership() {}

  static void join(ActorSystem<?> system, ClusterSettings settings) {
    Cluster cluster = Cluster.get(system);
    switch (settings.mode()) {
      case SELF -> cluster.manager().tell(Join.create(cluster.selfMember().address()));
      case SEEDS ->
          // Pekko joins pekko.cluster.seed-nodes (set from drover.join) by itself at start.
          log.info("joining through seed nodes {}", settings.join());
      case DISCOVERY -> {
        PekkoManagement.get(system)
            .start()
            .whenComplete(
                (uri, e) -> {
                  if (e != null) {
                    log.error(
                        "Pekko Management did not start on port {}: {} (choose"
                            + " --management-port)",
                        settings.discovery().managementPort(),
                        e.toString());
                    system.terminate();
                  } else {
                    log.info("Pekko Management listening on {}", uri);
                  }
                });
        ClusterBootstrap.get(system).start();
        log.info(
            "cluster bootstrap: {} discovery of '{}', forming a new cluster needs {} contact points",
            settings.discovery().method().name().toLowerCase(java.util.Locale.ROOT),
            settings.discovery().serviceName(),
            settings.discovery().expectNodes());
      }
      case MANUAL -> {
        // Nothing: POST /api/v1/cluster/join sends Join later.
      }
    }
  }
}
