package io.drover.actors.site;

import io.drover.actors.site.SiteEntity.Event;
import io.drover.actors.site.SiteEntity.InstanceLost;
import io.drover.actors.site.SiteEntity.InstancePlaced;
import io.drover.actors.site.SiteEntity.InstanceRemoved;
import io.drover.actors.site.SiteEntity.Placed;
import io.drover.actors.site.SiteEntity.SpecSet;
import io.drover.actors.site.SiteEntity.State;
import org.slf4j.Logger;

/** One log line, for operators, per persisted event of a site. */
final class SiteEventLog {

  private SiteEventLog() {}

  /**
   * @param before the state before the events were persisted (it still has removed placements)
   */
  static void log(Logger log, String name, Event e, State before) {
    if (e instanceof SpecSet s) {
      log.info(
          "site {} spec set: revision {}, {} instances in pool {}, generation {}",
          name,
          s.spec().revision(),
          s.spec().instances(),
          s.spec().pool(),
          s.generation());
    } else if (e instanceof InstancePlaced p) {
      log.info(
          "site {} placed instance {} on host {} (epoch {}, generation {})",
          name,
          p.instanceId(),
          p.host(),
          p.epoch(),
          p.generation());
    } else if (e instanceof InstanceLost l) {
      Placed lost = before.placements().get(l.instanceId());
      log.warn(
          "site {} lost instance {} on host {} (epoch {}): {}; placing a replacement",
          name,
          l.instanceId(),
          lost == null ? "?" : lost.host(),
          lost == null ? "?" : lost.epoch(),
          l.reason());
    } else if (e instanceof InstanceRemoved r) {
      Placed gone = before.placements().get(r.instanceId());
      log.info(
          "site {} removed instance {} from host {} (epoch {}): {}",
          name,
          r.instanceId(),
          gone == null ? "?" : gone.host(),
          gone == null ? "?" : gone.epoch(),
          r.reason());
    }
  }
}
