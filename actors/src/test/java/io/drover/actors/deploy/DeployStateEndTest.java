package io.drover.actors.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.deploy.DeployEntity.Ended;
import io.drover.actors.deploy.DeployEntity.HostDone;
import io.drover.actors.deploy.DeployEntity.HostProgressed;
import io.drover.actors.deploy.DeployEntity.HostStarted;
import io.drover.actors.deploy.DeployEntity.Requested;
import io.drover.actors.deploy.DeployEntity.Started;
import io.drover.actors.deploy.DeployState.HostRow;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DeployStateEndTest {

  private static final String REV = "a".repeat(64);

  private static HostRow pending(String host, boolean canary) {
    return new HostRow(host, "default", canary, HostState.PENDING, null, 0, 0, 0);
  }

  /** A running deploy of one site on h1 (done), h2 (replacing), h3 (fetching), h4 (pending). */
  private static DeployState running() {
    DeploySpec spec =
        new DeploySpec(
            "d1",
            List.of("web"),
            Map.of("web", REV),
            REV,
            10,
            10,
            1,
            1_000,
            300_000,
            3_600_000,
            true,
            3,
            "seed",
            null,
            "test",
            false,
            null,
            1_000);
    List<String> web = List.of("web");
    return DeployState.empty()
        .apply(new Requested(spec))
        .apply(
            new Started(
                2_000,
                Map.of("web", "b".repeat(64)),
                List.of(
                    pending("h1", true),
                    pending("h2", false),
                    pending("h3", false),
                    pending("h4", false)),
                Map.of("h1", web, "h2", web, "h3", web, "h4", web)))
        .apply(new HostStarted("h1", 3_000))
        .apply(new HostDone("h1", 4_000))
        .apply(new HostStarted("h2", 5_000))
        .apply(new HostStarted("h3", 5_000))
        .apply(new HostProgressed("h3", HostState.FETCHING, 0, "web", 5_100));
  }

  @Test
  void anEndedDeployLeavesNoHostInFlight() {
    for (DeployStatus end : List.of(DeployStatus.ABORTED, DeployStatus.FAILED)) {
      DeployState s = running().apply(new Ended(end, "why", "api", 6_000, null));
      assertEquals(end, s.status());
      for (HostRow h : s.hosts()) {
        assertTrue(h.state().terminal(), end + ": " + h);
        assertTrue(h.endedAt() > 0, end + ": " + h);
      }
      assertEquals(HostState.DONE, s.host("h1").state(), "a done host stays done");
      HostRow h2 = s.host("h2");
      assertEquals(HostState.SKIPPED, h2.state());
      assertEquals(5_000, h2.startedAt(), "it keeps when it started");
      assertEquals(6_000, h2.endedAt());
      assertTrue(h2.reason().contains("while the host was replacing"), h2.reason());
      assertTrue(s.host("h3").reason().contains("while the host was fetching"));
      assertEquals("the deploy ended first", s.host("h4").reason());
      assertEquals(0, DeployView.of(s).counters().inProgress());
    }
  }
}
