package io.drover.http.cli.watch;

import static io.drover.http.cli.watch.DeployProgressTest.T0;
import static io.drover.http.cli.watch.DeployProgressTest.deploy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.http.cli.watch.DeployProgressTest.Steps;
import java.time.Duration;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ProgressRenderTest {

  private static final ZoneId UTC = ZoneOffset.UTC;

  /** 20 hosts h1..h20 in one pool, parallel 4; h1..h14 done 3 s each, h15 h16 in progress. */
  private static DeployProgress fourteenOfTwenty(Steps s) {
    String[] hosts = new String[20];
    for (int i = 0; i < 20; i++) {
      hosts[i] = "h" + (i + 1) + ":a";
    }
    DeployProgress p = DeployProgress.of(deploy("queued", 4, 4, hosts));
    p.apply(s.queued());
    p.apply(s.started(20));
    for (int i = 1; i <= 14; i++) {
      p.apply(s.hostStarted(3L * (i - 1) / 4, "h" + i));
      p.apply(s.step(3L * (i - 1) / 4 + 3, "host-done", "h" + i, "done", null));
    }
    p.apply(s.hostStarted(36, "h15"));
    p.apply(s.hostStarted(36, "h16"));
    return p;
  }

  @Test
  void theLiveLineShowsBarCountsInProgressFailuresElapsedAndEta() {
    Steps s = new Steps();
    DeployProgress p = fourteenOfTwenty(s);
    p.apply(s.hostStarted(36, "h17"));
    p.apply(s.step(37, "host-failed", "h17", "failed", "exit 1"));
    // mean 3 s; h15 h16 started at 36, now 37: 2 s left each; h18..h20 pending 9 s: 13 s / 4
    assertEquals(
        "[##############......] 14/20 hosts  2 in progress (h15,h16)  1 failed  00:37 elapsed"
            + "  ETA 00:03",
        ProgressRender.liveLine(p, T0 + 37_000, 100));
    assertEquals(
        "[#########.....] 14/20 hosts  2 in progress  1 failed  00:37 elapsed  ETA 00:03",
        ProgressRender.liveLine(p, T0 + 37_000, 80),
        "80 columns: the names go first, then the bar narrows");
  }

  @Test
  void noEtaBeforeAHostIsDoneAndTheStateShowsWhenNotRunning() {
    DeployProgress p = DeployProgress.of(deploy("queued", 2, 2, "h1:a", "h2:a"));
    Steps s = new Steps();
    p.apply(s.queued());
    assertEquals(
        "[....................] 0/2 hosts  queued  00:03 elapsed",
        ProgressRender.liveLine(p, T0 + 1_000, 80));
    p.apply(s.started(2));
    p.apply(s.hostStarted(0, "h1"));
    p.apply(s.step(1, "deploy-paused", null, "paused", null));
    assertEquals(
        "[....................] 0/2 hosts  paused  1 in progress (h1)  01:05 elapsed",
        ProgressRender.liveLine(p, T0 + 65_000, 80));
  }

  @Test
  void aNarrowTerminalLosesNamesBarWidthElapsedBarEtaInThatOrderAndNeverWraps() {
    Steps s = new Steps();
    DeployProgress p = fourteenOfTwenty(s);
    long now = T0 + 37_000;
    assertEquals(
        "[#############......] 14/20 hosts  2 in progress  ETA 00:04",
        ProgressRender.liveLine(p, now, 60),
        "then the elapsed time");
    String at20 = ProgressRender.liveLine(p, now, 20);
    assertEquals("14/20 hosts  2 in p", at20);
    for (int w = 20; w <= 200; w++) {
      String l = ProgressRender.liveLine(p, now, w);
      assertTrue(l.length() < w, w + ": " + l);
      assertTrue(l.chars().noneMatch(c -> c < 0x20), l);
    }
  }

  @Test
  void redrawReturnsToTheStartAndClearsTheRest() {
    assertEquals("\r[#] 1/1 hosts\033[K", ProgressRender.redraw("[#] 1/1 hosts"));
  }

  @Test
  void plainLinesOnePerStepWithTheDoneCountAndNoControlCharacters() {
    DeployProgress p = DeployProgress.of(deploy("queued", 2, 2, "h1:a", "h2:a", "h3:a"));
    Steps s = new Steps();
    List<String> lines = new ArrayList<>();
    for (DeployStep step :
        List.of(
            s.queued(),
            s.started(3),
            s.hostStarted(1, "h1"),
            new DeployStep(
                "d-1", ++s.seq, T0 + 1_200, "host-progress", "h1", "web", "building", null),
            new DeployStep(
                "d-1",
                ++s.seq,
                T0 + 1_500,
                "instance-replaced",
                "h1",
                "web",
                "replacing",
                "1 replaced"),
            s.done(2, "h1"),
            s.step(3, "host-failed", "h2", "failed", "exit 1: \033[31mred\033[0m\nsecond line"),
            s.ended(3, "failed", "host h2 failed"))) {
      p.apply(step);
      lines.add(ProgressRender.plain(step, p, UTC));
    }
    assertEquals(
        List.of(
            "11:59:58 deploy-queued: why",
            "12:00:00 deploy-started: 3 hosts",
            "12:00:01 host-started h1 (0/3)",
            "12:00:01 host-progress h1 web building (0/3)",
            "12:00:01 instance-replaced h1 web (0/3): 1 replaced",
            "12:00:02 host-done h1 (1/3)",
            "12:00:03 host-failed h2 (1/3): exit 1:  [31mred [0m | second line",
            "12:00:03 deploy-ended failed: host h2 failed"),
        lines);
    assertEquals(
        "deploy d-1 failed: host h2 failed (1/3 hosts done in 3.0s)", ProgressRender.outcome(p));
  }

  @Test
  void terminalNotesForFailuresAndStateChangesWithTheLogTailIndented() {
    DeployProgress p = DeployProgress.of(deploy("queued", 2, 2, "c1:a:canary", "h2:a"));
    Steps s = new Steps();
    List<String> notes = new ArrayList<>();
    for (DeployStep step :
        List.of(
            s.queued(),
            s.started(2),
            s.hostStarted(0, "c1"),
            s.done(2, "c1"),
            s.step(2, "canary-baking", null, "running", "until 2026-12-01T12:00:12Z"),
            s.step(4, "deploy-paused", null, "paused", "errors up"),
            s.step(5, "deploy-resumed", null, "running", null),
            s.hostStarted(13, "h2"),
            s.step(14, "host-failed", "h2", "failed", "exit 3\n  last log line\n"),
            s.step(14, "host-vanished", "h9", "vanished", "unreachable, then gone"),
            s.step(15, "forced-abort", null, "running", "aborted deploy d-0 (force)"))) {
      p.apply(step);
      notes.addAll(ProgressRender.notes(step, p, UTC));
    }
    assertEquals(
        List.of(
            "deploy d-1 started: 2 hosts",
            "canaries baking until 12:00:12",
            "deploy paused: errors up",
            "deploy resumed",
            "host h2 failed: exit 3",
            "    last log line",
            "host h9 vanished: unreachable, then gone",
            "aborted deploy d-0 (force)"),
        notes);
  }

  @Test
  void outcomeLines() {
    DeployProgress p = DeployProgress.of(deploy("queued", 2, 2, "h1:a", "h2:a"));
    Steps s = new Steps();
    p.apply(s.queued());
    p.apply(s.started(2));
    p.apply(s.hostStarted(0, "h1"));
    p.apply(s.done(30, "h1"));
    p.apply(s.hostStarted(30, "h2"));
    p.apply(s.done(72, "h2"));
    p.apply(s.ended(72, "succeeded", null));
    assertEquals("deploy d-1 succeeded in 1m12s (2/2 hosts)", ProgressRender.outcome(p));

    DeployProgress a = DeployProgress.of(deploy("queued", 2, 2, "h1:a"));
    Steps t = new Steps();
    a.apply(t.queued());
    a.apply(t.started(1));
    a.apply(t.ended(4, "aborted", null));
    assertEquals("deploy d-1 aborted (0/1 hosts done in 4.0s)", ProgressRender.outcome(a));
  }

  @Test
  void durationsClocksAndWidth() {
    assertEquals("0.8s", ProgressRender.duration(Duration.ofMillis(850)));
    assertEquals("42s", ProgressRender.duration(Duration.ofSeconds(42)));
    assertEquals("1m12s", ProgressRender.duration(Duration.ofSeconds(72)));
    assertEquals("2h3m4s", ProgressRender.duration(Duration.ofSeconds(7384)));
    assertEquals("00:42", ProgressRender.clock(Duration.ofSeconds(42)));
    assertEquals("1:01:01", ProgressRender.clock(Duration.ofSeconds(3661)));
    assertEquals(80, ProgressRender.width(null));
    assertEquals(80, ProgressRender.width("wide"));
    assertEquals(80, ProgressRender.width("5"));
    assertEquals(132, ProgressRender.width(" 132 "));
  }

  @Test
  void theEveryDeployStreamNamesTheDeploy() {
    DeployStep step = new DeployStep("d-7", 4, T0 + 1_000, "host-done", "h3", null, "done", null);
    assertEquals("12:00:01 d-7 host-done h3", ProgressRender.global(step, UTC));
    DeployStep end =
        new DeployStep("d-7", 9, T0 + 2_000, "deploy-ended", null, null, "aborted", "by ci");
    assertEquals("12:00:02 d-7 deploy-ended aborted: by ci", ProgressRender.global(end, UTC));
  }
}
