package io.drover.actors.cron;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class CronRoundTest {

  static final Instant T0 = Instant.parse("2026-12-01T03:00:00Z");

  static CronState withJob(CronState s, String name, String schedule, String concurrency) {
    CronSpec spec =
        CronSpecs.withDefaults(
            new CronSpec(
                schedule,
                null,
                "a".repeat(64),
                List.of("true"),
                Map.of(),
                null,
                null,
                concurrency,
                null,
                null,
                null,
                null));
    return s.apply(new CronEvent.Fenced(s.fence() + 1, "a", T0.toEpochMilli()))
        .apply(new CronEvent.JobPut(name, spec, T0.toEpochMilli(), true));
  }

  static HostDirectory.Hosts hosts(Map<String, Integer> load) {
    return new HostDirectory.Hosts(
        load.keySet().stream()
            .sorted()
            .map(h -> new HostInfo(h, "default", Map.of(), "i", null))
            .toList(),
        Set.of(),
        Set.of(),
        Set.of(),
        Set.of(),
        load);
  }

  static CronRound.Round round(CronState s, HostDirectory.Hosts h, Instant now) {
    return CronRound.plan(s, h, now, (n, spec) -> CronSpecs.schedule(spec));
  }

  @Test
  void aDueTickStartsOnTheLeastLoadedHostOfItsPool() {
    CronState s = withJob(CronState.empty(), "a", "@every 10s", null);
    CronRound.Round r = round(s, hosts(Map.of("h1", 3, "h2", 1)), T0.plusSeconds(10));
    assertEquals(1, r.events().size());
    CronEvent.TickStarted t = assertInstanceOf(CronEvent.TickStarted.class, r.events().get(0));
    assertEquals("h2", t.run().host());
    assertEquals("a-20261201T030010Z", t.run().run());
    assertEquals(1, t.run().fence());
    assertTrue(round(s, hosts(Map.of("h1", 0)), T0.plusSeconds(9)).events().isEmpty(), "not due");
  }

  @Test
  void withoutAHostNothingIsDecidedYet() {
    CronState s = withJob(CronState.empty(), "a", "@every 10s", null);
    assertTrue(round(s, hosts(Map.of()), T0.plusSeconds(10)).events().isEmpty());
  }

  @Test
  void replaceStopsTheRunningRun() {
    CronState s = withJob(CronState.empty(), "a", "@every 10s", "replace");
    CronRound.Round first = round(s, hosts(Map.of("h1", 0)), T0.plusSeconds(10));
    for (CronEvent e : first.events()) {
      s = s.apply(e);
    }
    CronRound.Round second = round(s, hosts(Map.of("h1", 0)), T0.plusSeconds(20));
    assertEquals(
        List.of("a-20261201T030010Z"), second.stop().stream().map(RunRecord::run).toList());
    assertInstanceOf(CronEvent.TickStarted.class, second.events().get(0));
  }
}
