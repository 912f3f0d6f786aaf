package io.drover.actors.cron;

import java.util.List;
import org.slf4j.Logger;

/** The scheduler's lines for operators: one per tick decided, run ended or warning. */
final class CronLog {

  private CronLog() {}

  static void log(Logger log, List<CronEvent> events) {
    for (CronEvent e : events) {
      if (e instanceof CronEvent.TickStarted t) {
        log.info(
            "cronjob {} tick {}: run {} dispatched to host {} (fencing token {}{}{})",
            t.job(),
            t.run().tick(),
            t.run().run(),
            t.run().host(),
            t.run().fence(),
            t.run().manual() ? ", manual" : "",
            t.run().attempt() > 0 ? ", retry " + t.run().attempt() : "");
      } else if (e instanceof CronEvent.TickRecorded t) {
        log.info(
            "cronjob {} tick {}: {}: {}",
            t.job(),
            t.record().tick(),
            t.record().state(),
            t.record().reason());
      } else if (e instanceof CronEvent.RunEnded r && r.state().equals(RunRecord.LOST)) {
        // The agent logs exits; a lost run is the scheduler's own finding.
        log.warn("cronjob {} run {}: lost: {}", r.job(), r.run(), r.reason());
      } else if (e instanceof CronEvent.RunEnded r) {
        log.debug(
            "cronjob {} run {}: {}{}{}",
            r.job(),
            r.run(),
            r.state(),
            r.exitCode() == null ? "" : " (exit code " + r.exitCode() + ")",
            r.reason() == null ? "" : ": " + r.reason());
      } else if (e instanceof CronEvent.JobWarned w) {
        log.warn("cronjob {}: {}", w.job(), w.message());
      }
    }
  }
}
