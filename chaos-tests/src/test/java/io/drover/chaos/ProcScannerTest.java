package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ProcScannerTest {

  @Test
  void findsInstanceLeadersByTheirEnvironmentButNotTheirChildren() throws Exception {
    String agent = UUID.randomUUID().toString();
    ProcessBuilder pb = new ProcessBuilder("sh", "-c", "sleep 60 & exec sleep 60");
    pb.environment().put("DROVER_AGENT_ID", agent);
    pb.environment().put("DROVER_SITE", "web");
    pb.environment().put("DROVER_INSTANCE", "web-7");
    Process p = pb.start();
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
    }
  }
}
