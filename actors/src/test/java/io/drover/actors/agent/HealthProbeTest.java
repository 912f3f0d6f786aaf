package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.site.HealthCheck;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HealthProbeTest {

  @TempDir Path dir;

  private final ExecutorService blocking = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    blocking.shutdownNow();
  }

  private String run(HealthCheck check, int port, Duration timeout) throws Exception {
    CompletionStage<String> stage =
        HealthProbe.check(check, port, jvmGroup(), dir, Map.of(), timeout, blocking);
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** This JVM's process group: the listeners of these tests are its own. */
  private static long jvmGroup() throws java.io.IOException {
    String stat = java.nio.file.Files.readString(Path.of("/proc/self/stat"));
    String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    return Long.parseLong(fields[2]);
  }

  @Test
  void aTcpCheckWithAHugeTimeoutStillConnects() throws Exception {
    try (ServerSocket server = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
      HealthCheck tcp = new HealthCheck(null, true, null, "5s", "30d", "60s", 3);
      assertNull(run(tcp, server.getLocalPort(), Duration.ofDays(30)));
    }
  }

  @Test
  void anHttpPathThatIsNotAUriFailsTheCheckInsteadOfThrowing() throws Exception {
    HealthCheck http = new HealthCheck("/a b", null, null, "5s", "2s", "60s", 3);
    String failure = run(http, 1, Duration.ofSeconds(2));
    assertNotNull(failure);
    assertTrue(failure.contains("/a b"), failure);
  }

  @Test
  void anExecCheckWithAHugeTimeoutRuns() throws Exception {
    HealthCheck exec = new HealthCheck(null, null, List.of("true"), "5s", "30d", "60s", 3);
    assertNull(run(exec, 1, Duration.ofDays(30)));
  }
}
