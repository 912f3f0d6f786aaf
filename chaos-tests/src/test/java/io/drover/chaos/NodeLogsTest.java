package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NodeLogsTest {

  private static long at(LocalDate day, String time) {
    return day.atTime(LocalTime.parse(time))
        .atZone(ZoneId.systemDefault())
        .toInstant()
        .toEpochMilli();
  }

  @Test
  void logTimesAreTakenOnTheDayNearestTheFault(@TempDir Path dir) throws Exception {
    LocalDate day = LocalDate.of(2026, 12, 1);
    long fault = at(day, "03:40:00.000");
    assertEquals(
        at(day, "03:40:05.250"),
        NodeLogs.time("03:40:05.250 INFO  X - cron scheduler started on", fault).orElseThrow());
    // Just before midnight, a line just after it belongs to the next day.
    long late = at(day, "23:59:59.000");
    assertEquals(
        at(day.plusDays(1), "00:00:03.000"),
        NodeLogs.time("00:00:03.000 WARN x", late).orElseThrow());
    assertTrue(NodeLogs.time("Exception in thread", fault).isEmpty());

    Path log = dir.resolve("n1-node.log");
    Files.write(
        log,
        List.of(
            "03:39:58.000 INFO  S - cron scheduler started on a with fencing token 1",
            "  at some.Stack(Trace.java:1)",
            "03:40:06.500 INFO  S - cron scheduler started on b with fencing token 2"));
    assertEquals(
        at(day, "03:40:06.500"), NodeLogs.firstAfter(log, "cron scheduler started on", fault));
    assertEquals(-1, NodeLogs.firstAfter(log, "SBR took decision", fault));
    assertEquals(-1, NodeLogs.firstAfter(dir.resolve("none"), "x", fault));
  }
}
