package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The build step with real processes: {@code sh -c} scripts counting their runs in a file. */
class BuildsTest {

  private static final String REVISION = "ef".repeat(32);
  private static final Duration DEADLINE = Duration.ofSeconds(60);

  /** Counts its runs in {@code count}, then sleeps a little so that a second ask overlaps it. */
  private static final List<String> COUNTING =
      List.of("sh", "-c", "n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count; sleep 1");

  @TempDir Path tmp;

  private ExecutorService blocking;
  private Path release;
  private Path instanceLog;

  @BeforeEach
  void setUp() throws IOException {
    blocking = Executors.newCachedThreadPool();
    release = Files.createDirectories(tmp.resolve("releases").resolve(REVISION));
    instanceLog = tmp.resolve("logs").resolve("shop").resolve("shop-1.log");
  }

  @AfterEach
  void tearDown() {
    blocking.shutdownNow();
  }

  private Builds.Request request(String instanceId, List<String> argv) {
    return new Builds.Request(
        "shop",
        instanceId,
        "host-b",
        REVISION,
        argv,
        release,
        Builds.env(Map.of("PATH", System.getenv("PATH")), Map.of(), "shop", REVISION, "agent-x"),
        instanceLog.resolveSibling(instanceId + ".log"));
  }

  private static Builds.Result await(Builds.Wait w) throws Exception {
    return w.result().toCompletableFuture().get(DEADLINE.toSeconds(), TimeUnit.SECONDS);
  }

  private int count() throws IOException {
    Path f = release.resolve("count");
    return Files.exists(f) ? Integer.parseInt(Files.readString(f).strip()) : 0;
  }

  @Test
  void twoInstancesAskingAtOnceShareOneRunAndALaterOneIsCached() throws Exception {
    Builds builds = new Builds(Duration.ofMinutes(1), blocking);
    Builds.Wait first = builds.ensure(request("shop-1", COUNTING));
    Builds.Wait second = builds.ensure(request("shop-2", COUNTING));
    assertEquals("shop-1", second.startedBy());
    Builds.Result a = await(first);
    Builds.Result b = await(second);
    assertTrue(a.ok(), a.toString());
    assertTrue(b.ok(), b.toString());
    assertFalse(a.cached());
    assertEquals(1, count());
    assertTrue(Builds.isBuilt(release, REVISION, COUNTING));

    long t0 = System.nanoTime();
    Builds.Result third = await(builds.ensure(request("shop-3", COUNTING)));
    long cachedMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
    assertTrue(third.ok());
    assertTrue(third.cached());
    assertEquals(1, count());
    Builds afterRestart = new Builds(Duration.ofMinutes(1), blocking);
    assertTrue(await(afterRestart.ensure(request("shop-4", COUNTING))).cached());
    assertEquals(1, count(), "the marker outlives the agent");
    System.out.printf(
        "build timing: first run %d ms (shared by 2 instances), cached %d ms%n",
        a.millis(), cachedMillis);

    // the summary lands in each waiting instance's log, the output in the build log
    String log1 = Files.readString(instanceLog.resolveSibling("shop-1.log"));
    String log2 = Files.readString(instanceLog.resolveSibling("shop-2.log"));
    assertTrue(log1.contains("succeeded in"), log1);
    assertTrue(log2.contains("succeeded in"), log2);
    assertTrue(
        Files.exists(Builds.logFile(instanceLog, Builds.key(REVISION, COUNTING))),
        "build log next to the instance log");
  }

  @Test
  void aFailedBuildSaysItsExitCodeAndLastLinesAndRunsAgainNextTime() throws Exception {
    Builds builds = new Builds(Duration.ofMinutes(1), blocking);
    List<String> failing =
        List.of(
            "sh",
            "-c",
            "n=$(cat count 2>/dev/null || echo 0); echo $((n+1)) > count;"
                + " echo compiling; echo 'error: no such module' >&2; exit 3");
    Builds.Result r = await(builds.ensure(request("shop-1", failing)));
    assertFalse(r.ok());
    assertEquals(3, r.exitCode());
    String message = r.failure(builds.timeout());
    assertTrue(message.startsWith("build failed (exit 3): "), message);
    assertTrue(message.contains("compiling\nerror: no such module"), message);
    assertFalse(message.contains("[drover]"), message);
    assertFalse(Builds.isBuilt(release, REVISION, failing));
    assertTrue(
        Files.readString(instanceLog).contains("error: no such module"),
        "the last lines are in the instance log");

    Builds.Result again = await(builds.ensure(request("shop-1", failing)));
    assertFalse(again.ok());
    assertEquals(2, count(), "no marker after a failure: the next start builds again");
  }

  @Test
  void aChangedBuildArgvRunsAgain() throws Exception {
    Builds builds = new Builds(Duration.ofMinutes(1), blocking);
    assertTrue(await(builds.ensure(request("shop-1", COUNTING))).ok());
    List<String> changed = List.of(COUNTING.get(0), COUNTING.get(1), COUNTING.get(2) + " ");
    Builds.Result r = await(builds.ensure(request("shop-2", changed)));
    assertTrue(r.ok());
    assertFalse(r.cached());
    assertEquals(2, count());
    assertTrue(await(builds.ensure(request("shop-3", changed))).cached());
    assertEquals(2, count());
  }

  @Test
  void aBuildPastTheTimeoutHasItsProcessGroupKilled() throws Exception {
    Builds builds = new Builds(Duration.ofSeconds(1), blocking);
    List<String> slow = List.of("sh", "-c", "sleep 60 & echo $! > child; echo waiting; wait");
    Builds.Result r = await(builds.ensure(request("shop-1", slow)));
    assertFalse(r.ok());
    assertTrue(r.timedOut());
    String message = r.failure(builds.timeout());
    assertTrue(
        message.startsWith("build failed (exit " + r.exitCode() + "): still running after 1s"),
        message);
    assertTrue(message.endsWith("waiting"), message);
    long child = Long.parseLong(Files.readString(release.resolve("child")).strip());
    Waits.exited(child, DEADLINE);
    assertFalse(ProcessGroups.isRunning(child), "the build's background child is killed");
    assertFalse(Builds.isBuilt(release, REVISION, slow));
  }

  @Test
  void whenEveryWaiterLeavesTheRunIsKilled() throws Exception {
    Builds builds = new Builds(Duration.ofMinutes(1), blocking);
    List<String> slow = List.of("sh", "-c", "echo $$ > pid; exec sleep 60");
    Builds.Wait a = builds.ensure(request("shop-1", slow));
    Builds.Wait b = builds.ensure(request("shop-2", slow));
    Path pidFile = release.resolve("pid");
    Waits.nonEmptyFile(pidFile, DEADLINE);
    long pid = Long.parseLong(Files.readString(pidFile).strip());
    a.leave();
    a.leave();
    assertTrue(ProcessGroups.isRunning(pid), "one waiter is left: the build goes on");
    b.leave();
    Waits.exited(pid, DEADLINE);
    assertFalse(ProcessGroups.isRunning(pid), "the build is killed");
    assertFalse(await(a).ok());
    assertFalse(builds.isRunning(release, REVISION, slow));
    assertFalse(Builds.isBuilt(release, REVISION, slow));
  }

  @Test
  void aBuildThatCannotStartSaysWhy() throws Exception {
    Builds builds = new Builds(Duration.ofMinutes(1), blocking);
    Files.delete(release);
    Builds.Result r = await(builds.ensure(request("shop-1", COUNTING)));
    assertFalse(r.ok());
    assertNull(r.exitCode());
    assertTrue(r.failure(builds.timeout()).startsWith("build failed: could not start"), r.tail());
  }

  @Test
  void theBuildSeesTheSiteAndRevisionButNoPort() throws Exception {
    Builds builds = new Builds(Duration.ofMinutes(1), blocking);
    List<String> argv =
        List.of(
            "sh",
            "-c",
            "echo \"$DROVER_SITE $DROVER_REVISION ${PORT:-noport} ${DROVER_INSTANCE:-none}\""
                + " > env.txt");
    assertTrue(await(builds.ensure(request("shop-1", argv))).ok());
    assertEquals(
        "shop " + REVISION + " noport none", Files.readString(release.resolve("env.txt")).strip());
  }

  @Test
  void theKeyHashesRevisionAndArgvSeparatedByNul() {
    String k = Builds.key(REVISION, List.of("make", "all"));
    assertEquals(64, k.length());
    assertEquals(k, Builds.key(REVISION, List.of("make", "all")));
    assertNotEquals(k, Builds.key(REVISION, List.of("make all")));
    assertNotEquals(k, Builds.key("01".repeat(32), List.of("make", "all")));
  }

  @Test
  void theTimeoutIsBounded() {
    assertEquals(Duration.ofSeconds(1), Builds.checkTimeout(Duration.ofSeconds(1)));
    assertEquals(Duration.ofHours(2), Builds.checkTimeout(Duration.ofHours(2)));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> Builds.checkTimeout(Duration.ofMillis(500)));
    assertEquals("drover.agent.build-timeout must be between 1s and 2h, got 500ms", e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Builds.checkTimeout(Duration.ofHours(3)));
  }
}
