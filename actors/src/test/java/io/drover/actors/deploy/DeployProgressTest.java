package io.drover.actors.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.deploy.DeployEntity.Event;
import io.drover.actors.deploy.DeployState.HostRow;
import io.drover.actors.host.HostDirectory;
import io.drover.actors.site.SiteEntity;
import io.drover.actors.site.SiteRollout.Step;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DeployProgressTest {

  private static final String R1 = "a".repeat(64);
  private static final String R2 = "b".repeat(64);

  private static DeployState running(HostState h1, long bakeUntil) {
    DeploySpec spec =
        new DeploySpec(
            "d1",
            List.of("api", "web"),
            Map.of("api", R2, "web", R2),
            R2,
            10,
            10,
            1,
            60_000,
            300_000,
            3_600_000,
            true,
            3,
            "seed",
            "why",
            "ops",
            false,
            null,
            1);
    DeployState s = DeployState.empty().apply(new DeployEntity.Requested(spec));
    s =
        s.apply(
            new DeployEntity.Started(
                10,
                Map.of("api", R1, "web", R1),
                List.of(
                    new HostRow("h1", "p", true, HostState.PENDING, null, 0, 0, 0),
                    new HostRow("h2", "p", false, HostState.PENDING, null, 0, 0, 0)),
                Map.of("h1", List.of("api", "web"), "h2", List.of("web"))));
    s = s.apply(new DeployEntity.HostStarted("h1", 20));
    if (h1 == HostState.DONE) {
      // done with three instances of the target ready: api 1, web 2
      s = s.apply(new DeployEntity.HostProgressed("h1", HostState.REPLACING, 3, "web", 25));
      s = s.apply(new DeployEntity.HostDone("h1", 30));
    }
    if (bakeUntil > 0) {
      s = s.apply(new DeployEntity.BakeStarted(30, bakeUntil));
    }
    return s;
  }

  private static SiteEntity.HostProgress report(String site, String host, Step step, int n) {
    return restarting(site, host, step, n, 0);
  }

  private static SiteEntity.HostProgress restarting(
      String site, String host, Step step, int n, int restarting) {
    return new SiteEntity.HostProgress(
        "d1", site, host, step, n, restarting, step == Step.FAILED ? "exit 3: boom" : null);
  }

  @Test
  void aHostIsDoneOnlyWhenEverySiteOnItIsDone() {
    DeployState s = running(HostState.REPLACING, 0);
    Map<String, SiteEntity.HostProgress> by = new HashMap<>();
    SiteEntity.HostProgress web = report("web", "h1", Step.DONE, 2);
    by.put("web", web);
    List<Event> first = DeployProgress.onReport(s, web, by, false, 40);
    assertEquals(1, first.size(), "one site of two: progress only");
    assertInstanceOf(DeployEntity.HostProgressed.class, first.get(0));
    SiteEntity.HostProgress api = report("api", "h1", Step.DONE, 1);
    by.put("api", api);
    List<Event> both = DeployProgress.onReport(s, api, by, false, 50);
    DeployEntity.HostProgressed p =
        assertInstanceOf(DeployEntity.HostProgressed.class, both.get(0));
    assertEquals(3, p.replaced());
    assertInstanceOf(DeployEntity.HostDone.class, both.get(1));
  }

  @Test
  void aFailedSiteFailsTheHostWithItsReason() {
    DeployState s = running(HostState.REPLACING, 0);
    SiteEntity.HostProgress api = report("api", "h1", Step.FAILED, 0);
    List<Event> e = DeployProgress.onReport(s, api, Map.of("api", api), false, 40);
    DeployEntity.HostFailed f = assertInstanceOf(DeployEntity.HostFailed.class, e.get(0));
    assertEquals("site api: exit 3: boom", f.reason());
  }

  @Test
  void nothingLeftOnAnUnreachableHostIsNotDone() {
    DeployState s = running(HostState.REPLACING, 0);
    Map<String, SiteEntity.HostProgress> by =
        Map.of("api", report("api", "h1", Step.DONE, 0), "web", report("web", "h1", Step.DONE, 0));
    assertEquals(List.of(), DeployProgress.onReport(s, by.get("web"), by, true, 40));
  }

  @Test
  void aCanaryThatTurnsUnhealthyWhileBakingFails() {
    DeployState s = running(HostState.DONE, 1_000);
    SiteEntity.HostProgress api = report("api", "h1", Step.DONE, 1);
    // one of web's two instances crashed and is restarting
    SiteEntity.HostProgress web = report("web", "h1", Step.REPLACING, 1);
    Map<String, SiteEntity.HostProgress> by = Map.of("api", api, "web", web);
    List<Event> e = DeployProgress.onReport(s, web, by, false, 500);
    DeployEntity.HostFailed f = assertInstanceOf(DeployEntity.HostFailed.class, e.get(0));
    assertTrue(f.reason().contains("canary turned unhealthy while baking"), f.reason());
    assertTrue(f.reason().contains("2 of 3 instances ready"), f.reason());
    assertEquals(
        List.of(),
        DeployProgress.onReport(s, web, by, false, 2_000),
        "after the bake a done host stays done");
  }

  @Test
  void aCanaryWhoseNewInstanceFailsToStartWhileBakingFails() {
    DeployState s = running(HostState.DONE, 1_000);
    SiteEntity.HostProgress web = report("web", "h1", Step.FAILED, 2);
    List<Event> e = DeployProgress.onReport(s, web, Map.of("web", web), false, 500);
    DeployEntity.HostFailed f = assertInstanceOf(DeployEntity.HostFailed.class, e.get(0));
    assertTrue(f.reason().contains("exit 3: boom"), f.reason());
  }

  @Test
  void aCanaryInstanceThatCrashesAfterAnotherWasPlacedThereStillFails() {
    // web: a displaced instance became ready there (3 ready in all), then one of the canary's own
    // crashed and is restarting: the ready count is back to 2 + 1 = 3, the restart still tells
    DeployState s = running(HostState.DONE, 1_000);
    SiteEntity.HostProgress api = report("api", "h1", Step.DONE, 1);
    SiteEntity.HostProgress web = restarting("web", "h1", Step.REPLACING, 2, 1);
    List<Event> e = DeployProgress.onReport(s, web, Map.of("api", api, "web", web), false, 500);
    DeployEntity.HostFailed f = assertInstanceOf(DeployEntity.HostFailed.class, e.get(0));
    assertTrue(f.reason().contains("1 instance restarted and not ready"), f.reason());
  }

  @Test
  void anInstanceDisplacedOntoABakingCanaryIsNotAFault() {
    // a host elsewhere vanished; its web instance is placed on the canary and starts there
    DeployState s = running(HostState.DONE, 1_000);
    SiteEntity.HostProgress api = report("api", "h1", Step.DONE, 1);
    SiteEntity.HostProgress web = report("web", "h1", Step.REPLACING, 2);
    assertEquals(
        List.of(), DeployProgress.onReport(s, web, Map.of("api", api, "web", web), false, 500));
    // after the entity restarted, only web has reported again: no count to judge by yet
    SiteEntity.HostProgress down = report("web", "h1", Step.REPLACING, 0);
    assertEquals(List.of(), DeployProgress.onReport(s, down, Map.of("web", down), false, 500));
  }

  @Test
  void departedHostsAreVanishedWhenTheyWereUnreachableElseSkipped() {
    DeployState s = running(HostState.REPLACING, 0);
    HostDirectory.Hosts hosts =
        new HostDirectory.Hosts(
            List.of(), Set.of(), Set.of(), Set.of(), Set.of("h1", "h2"), Map.of(), Set.of());
    List<Event> e = DeployProgress.departed(s, hosts, Set.of("h1"), 60);
    assertEquals(HostState.VANISHED, ((DeployEntity.HostSkipped) e.get(0)).state());
    assertEquals(HostState.SKIPPED, ((DeployEntity.HostSkipped) e.get(1)).state());
  }

  @Test
  void theRevertGoesBackWithTheSameSeedAndNoCanary() {
    DeployState s = running(HostState.REPLACING, 0);
    DeploySpec r = DeployProgress.revertSpec(s, "d1-revert", 99);
    assertEquals("seed", r.seed());
    assertEquals(Map.of("api", R1, "web", R1), r.revisions());
    assertEquals(R1, r.revision());
    assertEquals("d1", r.revertOf());
    assertEquals(0, r.canaryPerPool());
    assertEquals(false, r.autoRevert());
  }
}
