package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProcScannerTest {

  @Test
  void findsInstanceLeadersByTheirEnvironmentButNotTheirChildrenNorHealthChecks() throws Exception {
    String agent = UUID.randomUUID().toString();
    // started as the agent starts an instance: through setsid, with a child of its own
    Process p =
        withInstanceEnv(new ProcessBuilder("setsid", "sh", "-c", "sleep 60 & exec sleep 60"), agent)
            .start();
    // an exec health check: the instance's environment, but the starter's session
    Process check = withInstanceEnv(new ProcessBuilder("sleep", "60"), agent).start();
    try {
      List<Observation.Proc> found = List.of();
      long deadline = System.nanoTime() + 10_000_000_000L;
      while (System.nanoTime() < deadline) {
        found = ProcScanner.scan(Map.of(agent, "host-a"));
        if (!found.isEmpty()) {
          break;
        }
        p.waitFor(50, java.util.concurrent.TimeUnit.MILLISECONDS);
      }
      assertEquals(1, found.size(), found.toString());
      assertEquals(new Observation.Proc("host-a", "web", "web-7", p.pid()), found.get(0));
      assertTrue(ProcScanner.scan(Map.of("other-agent", "x")).isEmpty());
    } finally {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      check.destroyForcibly();
      p.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
      check.waitFor(10, java.util.concurrent.TimeUnit.SECONDS);
    }
  }

  private static ProcessBuilder withInstanceEnv(ProcessBuilder pb, String agent) {
    pb.environment().put("DROVER_AGENT_ID", agent);
    pb.environment().put("DROVER_SITE", "web");
    pb.environment().put("DROVER_INSTANCE", "web-7");
    return pb;
  }
}
