package io.drover.actors.host;

import io.drover.persistence.CborSerializable;
import java.time.Instant;
import java.util.Map;

/**
 * The control-plane record of one host, as {@link HostEntity} answers and publishes it.
 *
 * @param name the host name (the entity id)
 * @param pool the pool its agent last registered with
 * @param labels the labels its agent last registered with
 * @param incarnation the latest incarnation of its agent; changes every time its node starts
 * @param address the cluster address of the node that last registered it, e.g. {@code
 *     pekko://drover@10.0.0.5:2552}
 * @param cordoned takes no new instances; the ones it runs stay. Survives restarts of the host
 *     until {@code Uncordon}
 * @param draining cordoned, and every instance on it is moved to other hosts (each replacement
 *     ready before the old copy stops); instances with nowhere to go keep running here
 * @param registeredAt when the latest incarnation registered
 * @param version grows with every change of the record; of two copies of a record the higher
 *     version is the newer one (pub-sub and answers may arrive out of order)
 */
public record HostRecord(
    String name,
    String pool,
    Map<String, String> labels,
    String incarnation,
    String address,
    boolean cordoned,
    boolean draining,
    Instant registeredAt,
    long version)
    implements CborSerializable {

  public HostRecord {
    labels = labels == null ? Map.of() : Map.copyOf(labels);
  }

  /** Takes no new placements (cordoned or draining). */
  public boolean unschedulable() {
    return cordoned || draining;
  }
}
