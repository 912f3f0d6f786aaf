package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.drover.actors.agent.HostAgent.Assign;
import io.drover.actors.agent.HostAgent.Assignment;
import io.drover.actors.agent.HostAgent.SiteReport;
import io.drover.actors.host.HostInfo;
import io.drover.actors.site.HealthCheck;
import io.drover.actors.site.RestartPolicy;
import io.drover.actors.site.SiteSpec;
import io.drover.actors.site.SiteSpecs;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The agent with real processes: a tiny Java HTTP server and shell scripts. */
class HostAgentTest {

  private static final Config CONFIG =
      ConfigFactory.parseString("pekko.actor.provider = local").withFallback(ConfigFactory.load());
  private static final Duration DEADLINE = Duration.ofSeconds(60);
  private static final String REVISION = "ab".repeat(32);
  private static final String SITE = "shop";

  private static final String SERVER =
      """
      import com.sun.net.httpserver.HttpServer;
      import java.net.InetSocketAddress;
      import java.nio.charset.StandardCharsets;

      public class Server {
        public static void main(String[] args) throws Exception {
          int port = Integer.parseInt(System.getenv("PORT"));
          HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
          server.createContext("/healthz", x -> {
            byte[] body = ("ok " + System.getenv("DROVER_INSTANCE")).getBytes(StandardCharsets.UTF_8);
            x.sendResponseHeaders(200, body.length);
            x.getResponseBody().write(body);
            x.close();
          });
          server.start();
          System.out.println("listening on " + port);
        }
      }
      """;

  @TempDir Path tmp;
  private Path dataDir;
  private Path releaseDir;
  private int portMin;
  private final List<ActorTestKit> kits = new ArrayList<>();
  private final Set<Long> seenPids = ConcurrentHashMap.newKeySet();

  @BeforeEach
  void setUp() throws IOException {
    dataDir = Files.createDirectories(tmp.resolve("data"));
    releaseDir = Files.createDirectories(tmp.resolve("release"));
    Files.writeString(releaseDir.resolve("Server.java"), SERVER);
    portMin = 20_000 + ThreadLocalRandom.current().nextInt(400) * 100;
  }

  @AfterEach
  void killEverything() throws IOException {
    for (ActorTestKit kit : kits) {
      kit.shutdownTestKit();
    }
    for (long pid : seenPids) {
      ProcessGroups.kill(pid);
      ProcessGroups.killProcess(pid);
    }
    Path idFile = dataDir.resolve("agent").resolve("id");
    if (Files.exists(idFile)) {
      for (long pid : OrphanReaper.markedProcesses(Files.readString(idFile).strip()).keySet()) {
        ProcessGroups.killProcess(pid);
      }
    }
  }

  private ActorTestKit kit() {
    ActorTestKit kit = ActorTestKit.create("agent-test", CONFIG);
    kits.add(kit);
    return kit;
  }

  private ActorRef<HostAgent.Command> agent(ActorTestKit kit) {
    return agent(kit, 1_000_000);
  }

  private ActorRef<HostAgent.Command> agent(ActorTestKit kit, long logMaxBytes) {
    AgentSettings settings =
        new AgentSettings(
            "host-a",
            "web",
            Map.of("zone", "z1"),
            dataDir,
            portMin,
            portMin + 49,
            Duration.ofSeconds(2),
            logMaxBytes,
            Duration.ofSeconds(1));
    return kit.spawn(HostAgent.create(settings, revision -> releaseDir));
  }

  private static SiteSpec spec(List<String> command, HealthCheck health) {
    return SiteSpecs.withDefaults(
        new SiteSpec(
            REVISION,
            command,
            2,
            "web",
            Map.of("GREETING", "hi"),
            health,
            new RestartPolicy("200ms", "2s", "60s")));
  }

  private static SiteSpec javaServer() {
    return spec(
        List.of("java", "-Xmx48m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "Server.java"),
        new HealthCheck("/healthz", null, null, "1s", "2s", "60s", 3));
  }

  /** A script with no socket; ready as soon as it runs. */
  private static SiteSpec script(String script) {
    return spec(
        List.of("sh", "-c", script),
        new HealthCheck(null, null, List.of("true"), "1s", "2s", "30s", 3));
  }

  private static Assign assign(ActorRef<SiteReport> reportTo, SiteSpec spec, String... ids) {
    List<Assignment> list = new ArrayList<>();
    for (String id : ids) {
      list.add(new Assignment(id, Long.parseLong(id.substring(id.lastIndexOf('-') + 1)), spec));
    }
    return new Assign(SITE, list, reportTo);
  }

  /** Waits for a report that satisfies {@code done}; remembers every pid for clean-up. */
  private SiteReport await(TestProbe<SiteReport> probe, Predicate<List<InstanceStatus>> done) {
    List<SiteReport> seen =
        probe.fishForMessage(
            DEADLINE,
            r -> {
              r.instances().forEach(i -> seenPids.add(i.pid()));
              seenPids.remove(0L);
              return done.test(r.instances())
                  ? FishingOutcomes.complete()
                  : FishingOutcomes.continueAndIgnore();
            });
    return seen.get(seen.size() - 1);
  }

  private static Predicate<List<InstanceStatus>> allReady(int n) {
    return l -> l.size() == n && l.stream().allMatch(InstanceStatus::isReady);
  }

  private static InstanceStatus only(SiteReport r) {
    assertEquals(1, r.instances().size(), r.toString());
    return r.instances().get(0);
  }

  private static String get(int port, String path) throws Exception {
    HttpResponse<String> res =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                    .timeout(Duration.ofSeconds(10))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertEquals(200, res.statusCode());
    return res.body();
  }

  private static void sigkill(long pid) throws Exception {
    Process p = new ProcessBuilder("kill", "-9", Long.toString(pid)).start();
    assertTrue(p.waitFor(10, TimeUnit.SECONDS));
    assertEquals(0, p.exitValue());
  }

  private static void awaitGone(ActorTestKit kit, long... pids) {
    TestProbe<Object> waiter = kit.createTestProbe();
    waiter.awaitAssert(
        DEADLINE,
        Duration.ofMillis(100),
        () -> {
          for (long pid : pids) {
            assertFalse(ProcessGroups.isRunning(pid), "pid " + pid + " still running");
          }
          return null;
        });
  }

  @Test
  void anAgentThatFailsIsRestartedAndKeepsSupervisingItsInstances() throws Exception {
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    agent.tell(assign(reports.getRef(), script("exec sleep 300"), "shop-1"));
    InstanceStatus before = only(await(reports, allReady(1)));
    TestProbe<HostInfo> info = kit.createTestProbe();
    agent.tell(new HostAgent.Describe(info.getRef()));
    String incarnation = info.receiveMessage(DEADLINE).incarnation();

    // a malformed assignment (no spec) makes the agent throw
    agent.tell(
        new Assign("broken", List.of(new Assignment("broken-1", 1, null)), reports.getRef()));

    TestProbe<HostAgent.Instances> instances = kit.createTestProbe();
    agent.tell(new HostAgent.GetInstances(instances.getRef()));
    List<InstanceStatus> after = instances.receiveMessage(DEADLINE).instances();
    assertEquals(1, after.size(), after.toString());
    assertEquals(before.pid(), after.get(0).pid(), "the same process, adopted");
    assertTrue(ProcessHandle.of(before.pid()).map(ProcessHandle::isAlive).orElse(false));
    agent.tell(new HostAgent.Describe(info.getRef()));
    assertEquals(incarnation, info.receiveMessage(DEADLINE).incarnation(), "same incarnation");

    // still supervised: a crash is restarted, and a stop is carried out
    sigkill(before.pid());
    InstanceStatus restarted =
        only(await(reports, l -> l.size() == 1 && l.get(0).isReady() && l.get(0).restarts() > 0));
    assertNotEquals(before.pid(), restarted.pid());
    agent.tell(assign(reports.getRef(), script("exec sleep 300")));
    await(reports, List::isEmpty);
    awaitGone(kit, restarted.pid());
  }

  @Test
  void twoInstancesBecomeReadyOnDistinctPortsAndAnswerHttp() throws Exception {
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    agent.tell(assign(reports.getRef(), javaServer(), "shop-1", "shop-2"));
    agent.tell(assign(reports.getRef(), javaServer(), "shop-1", "shop-2"));

    SiteReport ready = await(reports, allReady(2));

    assertEquals("host-a", ready.host());
    InstanceStatus a = ready.instances().get(0);
    InstanceStatus b = ready.instances().get(1);
    assertNotEquals(a.port(), b.port());
    assertNotEquals(a.pid(), b.pid());
    for (InstanceStatus i : ready.instances()) {
      assertTrue(i.port() >= portMin && i.port() <= portMin + 49);
      assertEquals(REVISION, i.revision());
      assertEquals(0, i.restarts());
      assertEquals("ok " + i.id(), get(i.port(), "/healthz"));
      assertTrue(ProcessHandle.of(i.pid()).isPresent());
    }
    // re-sending the same assignment changes nothing
    agent.tell(assign(reports.getRef(), javaServer(), "shop-1", "shop-2"));
    TestProbe<HostAgent.Instances> instances = kit.createTestProbe();
    agent.tell(new HostAgent.GetInstances(instances.getRef()));
    List<InstanceStatus> all = instances.receiveMessage(DEADLINE).instances();
    // The answer crosses nodes (hosts API, graceful leave from another node): it must serialize.
    kit.serializationTestKit().verifySerialization(new HostAgent.Instances(all), true);
    assertEquals(Set.of(a.pid(), b.pid()), Set.of(all.get(0).pid(), all.get(1).pid()));

    TestProbe<HostInfo> info = kit.createTestProbe();
    agent.tell(new HostAgent.Describe(info.getRef()));
    HostInfo host = info.receiveMessage(DEADLINE);
    assertEquals("host-a", host.name());
    assertEquals("web", host.pool());
    assertNotNull(host.incarnation());
    assertEquals(agent, host.agent());
  }

  @Test
  void killedInstanceIsRestartedOnTheSamePort() throws Exception {
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    agent.tell(assign(reports.getRef(), javaServer(), "shop-7"));
    InstanceStatus first = only(await(reports, allReady(1)));

    sigkill(first.pid());

    InstanceStatus again =
        only(
            await(
                reports,
                l ->
                    l.size() == 1
                        && l.get(0).isReady()
                        && l.get(0).pid() != first.pid()
                        && l.get(0).pid() != 0));
    assertEquals(first.port(), again.port());
    assertEquals(1, again.restarts());
    assertEquals(137, again.lastExit());
    assertEquals("ok shop-7", get(again.port(), "/healthz"));
    awaitGone(kit, first.pid());
  }

  @Test
  void firstCrashAfterAStableRunRestartsAtOnceTheNextOneBacksOff() throws Exception {
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    // a backoff far longer than the test's deadline: only an immediate first restart passes
    SiteSpec spec =
        SiteSpecs.withDefaults(
            new SiteSpec(
                REVISION,
                List.of("sh", "-c", "exec sleep 300"),
                2,
                "web",
                Map.of(),
                new HealthCheck(null, null, List.of("true"), "1s", "2s", "30s", 3),
                new RestartPolicy("10m", "10m", "3s")));
    agent.tell(assign(reports.getRef(), spec, "shop-12"));
    InstanceStatus stable = only(await(reports, allReady(1)));
    kit.createTestProbe()
        .awaitAssert(
            DEADLINE,
            Duration.ofMillis(100),
            () -> {
              assertTrue(System.currentTimeMillis() - stable.sinceMillis() > 3_500);
              return null;
            });

    sigkill(stable.pid());
    InstanceStatus again =
        only(
            await(
                reports,
                l -> l.size() == 1 && l.get(0).isReady() && l.get(0).pid() != stable.pid()));
    assertEquals(1, again.restarts());
    awaitGone(kit, stable.pid());

    // a second crash soon after: this one waits initialBackoff (10m)
    sigkill(again.pid());
    InstanceStatus waiting =
        only(
            await(
                reports,
                l ->
                    l.size() == 1
                        && l.get(0).state() == InstanceState.BACKOFF
                        && l.get(0).restarts() == 2));
    assertEquals(0, waiting.pid());
    // still waiting two agent report ticks later
    int[] ticks = {0};
    await(
        reports,
        l -> {
          assertEquals(InstanceState.BACKOFF, l.get(0).state(), l.toString());
          return ++ticks[0] >= 2;
        });
    awaitGone(kit, again.pid());
  }

  @Test
  void crashingCommandBacksOffWithExitCodeAndLogTail() {
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    agent.tell(
        assign(
            reports.getRef(),
            script("echo starting $GREETING; echo 'fatal: no config' >&2; exit 1"),
            "shop-3"));

    InstanceStatus crashed =
        only(await(reports, l -> l.size() == 1 && l.get(0).state() == InstanceState.BACKOFF));
    assertEquals(1, crashed.lastExit());
    assertEquals(0, crashed.pid());
    assertTrue(crashed.restarts() >= 1);
    assertTrue(crashed.message().contains("exited with code 1"), crashed.message());
    assertTrue(crashed.message().contains("fatal: no config"), crashed.message());
    assertTrue(crashed.message().contains("starting hi"), crashed.message());

    // it keeps retrying, with growing delays, and says so every time
    InstanceStatus later =
        only(
            await(
                reports,
                l ->
                    l.size() == 1
                        && l.get(0).state() == InstanceState.BACKOFF
                        && l.get(0).restarts() >= 3));
    assertEquals(1, later.lastExit());
  }

  @Test
  void emptyAssignmentStopsTheWholeProcessGroup() {
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    agent.tell(assign(reports.getRef(), script("sleep 300 & exec sleep 300"), "shop-4"));
    InstanceStatus ready = only(await(reports, allReady(1)));
    long leader = ready.pid();
    List<Long> children = awaitChildren(kit, leader);
    seenPids.addAll(children);

    agent.tell(new Assign(SITE, List.of(), reports.getRef()));

    await(reports, List::isEmpty);
    long[] all = new long[children.size() + 1];
    all[0] = leader;
    for (int i = 0; i < children.size(); i++) {
      all[i + 1] = children.get(i);
    }
    awaitGone(kit, all);
    // the periodic report still tells the site it has nothing here
    await(reports, List::isEmpty);
  }

  private static List<Long> awaitChildren(ActorTestKit kit, long pid) {
    TestProbe<Object> waiter = kit.createTestProbe();
    return waiter.awaitAssert(
        DEADLINE,
        Duration.ofMillis(100),
        () -> {
          List<Long> kids =
              ProcessHandle.of(pid).orElseThrow().children().map(ProcessHandle::pid).toList();
          assertFalse(kids.isEmpty(), "no child of " + pid + " yet");
          return kids;
        });
  }

  @Test
  void stopAllStopsEverythingAndAnswersDone() {
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    // ignores SIGTERM: only the SIGKILL after the stop grace ends it
    agent.tell(
        assign(reports.getRef(), script("trap '' TERM; while true; do sleep 1; done"), "shop-5"));
    InstanceStatus ready = only(await(reports, allReady(1)));

    TestProbe<Done> done = kit.createTestProbe();
    agent.tell(new HostAgent.StopAll(done.getRef()));
    done.expectMessage(DEADLINE, Done.getInstance());
    assertFalse(ProcessGroups.isRunning(ready.pid()));
  }

  @Test
  void orphansOfACrashedAgentAreKilledByTheNextOne() throws Exception {
    ActorTestKit first = kit();
    TestProbe<SiteReport> reports = first.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(first);
    agent.tell(assign(reports.getRef(), script("sleep 300 & exec sleep 300"), "shop-6"));
    InstanceStatus ready = only(await(reports, allReady(1)));
    List<Long> children = awaitChildren(first, ready.pid());
    seenPids.addAll(children);
    // a process the ledger does not know, found by its environment marker only
    String agentId = Files.readString(dataDir.resolve("agent").resolve("id")).strip();
    ProcessBuilder stray = new ProcessBuilder("sleep", "300");
    stray.environment().put("DROVER_AGENT_ID", agentId);
    stray.environment().put("DROVER_SITE", SITE);
    stray.environment().put("DROVER_INSTANCE", "shop-stray");
    long strayPid = stray.start().pid();
    seenPids.add(strayPid);

    // crash: the actor system goes away without StopAll, the processes keep running
    first.shutdownTestKit();
    assertTrue(ProcessGroups.isRunning(ready.pid()));
    assertTrue(ProcessGroups.isRunning(strayPid));

    ActorTestKit second = kit();
    ActorRef<HostAgent.Command> next = agent(second);
    TestProbe<HostAgent.Instances> instances = second.createTestProbe();
    next.tell(new HostAgent.GetInstances(instances.getRef()));
    assertEquals(List.of(), instances.receiveMessage(DEADLINE).instances());

    long[] all = new long[children.size() + 2];
    all[0] = ready.pid();
    all[1] = strayPid;
    for (int i = 0; i < children.size(); i++) {
      all[i + 2] = children.get(i);
    }
    awaitGone(second, all);
    assertEquals(
        "[]",
        Files.readString(dataDir.resolve("agent").resolve("ledger.json")).replaceAll("\\s", ""));
  }

  @Test
  void logsAreTailedAndUnknownInstancesRejected() {
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    agent.tell(
        assign(
            reports.getRef(),
            script("i=1; while [ $i -le 50 ]; do echo line-$i; i=$((i+1)); done; exec sleep 300"),
            "shop-8"));
    await(reports, allReady(1));

    TestProbe<StatusReply<String>> logs = kit.createTestProbe();
    logs.awaitAssert(
        DEADLINE,
        Duration.ofMillis(200),
        () -> {
          agent.tell(new HostAgent.GetLogs("shop-8", 3, logs.getRef()));
          StatusReply<String> reply = logs.receiveMessage(DEADLINE);
          assertTrue(reply.isSuccess(), reply.toString());
          assertEquals("line-48\nline-49\nline-50", reply.getValue());
          return null;
        });
    agent.tell(new HostAgent.GetLogs("shop-8", 100_000, logs.getRef()));
    assertEquals(50, logs.receiveMessage(DEADLINE).getValue().split("\n").length);

    TestProbe<StatusReply<LogChunk>> chunks = kit.createTestProbe();
    agent.tell(new HostAgent.ReadLogs("shop-8", "end", 2, chunks.getRef()));
    LogChunk end = chunks.receiveMessage(DEADLINE).getValue();
    assertEquals(List.of("line-49", "line-50"), end.lines());
    agent.tell(new HostAgent.ReadLogs("shop-8", "0", 0, chunks.getRef()));
    LogChunk all = chunks.receiveMessage(DEADLINE).getValue();
    assertEquals(50, all.lines().size());
    assertEquals(end.next(), all.next(), "the end of the last whole line, however reached");
    // The request comes from the node that serves the HTTP call: both ways cross nodes.
    kit.serializationTestKit()
        .verifySerialization(new HostAgent.ReadLogs("shop-8", "4-1f", 5, chunks.getRef()), true);
    kit.serializationTestKit().verifySerialization(StatusReply.success(end), true);
    agent.tell(new HostAgent.ReadLogs("nope-1", "0", 0, chunks.getRef()));
    assertEquals(
        "no instance nope-1 on host host-a",
        chunks.receiveMessage(DEADLINE).getError().getMessage());

    agent.tell(new HostAgent.GetLogs("nope-1", 10, logs.getRef()));
    StatusReply<String> unknown = logs.receiveMessage(DEADLINE);
    assertTrue(unknown.isError());
    assertEquals("no instance nope-1 on host host-a", unknown.getError().getMessage());
    assertTrue(
        Files.exists(dataDir.resolve("logs").resolve(SITE).resolve("shop-8.log")),
        Arrays.toString(dataDir.resolve("logs").toFile().list()));
  }

  @Test
  void failingLivenessMakesItUnhealthyAndRestartsIt() throws IOException {
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    SiteSpec spec =
        spec(
            List.of("sh", "-c", "exec sleep 300"),
            new HealthCheck(
                null,
                null,
                List.of("sh", "-c", "test ! -e $DROVER_INSTANCE.sick"),
                "300ms",
                "2s",
                "30s",
                2));
    agent.tell(assign(reports.getRef(), spec, "shop-9"));
    InstanceStatus ready = only(await(reports, allReady(1)));

    Path sick = Files.createFile(releaseDir.resolve("shop-9.sick"));
    InstanceStatus unhealthy =
        only(await(reports, l -> l.size() == 1 && l.get(0).state() == InstanceState.UNHEALTHY));
    assertTrue(unhealthy.message().contains("2 failed checks in a row"), unhealthy.message());
    Files.delete(sick);

    InstanceStatus again =
        only(
            await(
                reports,
                l -> l.size() == 1 && l.get(0).isReady() && l.get(0).pid() != ready.pid()));
    assertEquals(1, again.restarts());
    assertEquals(ready.port(), again.port());
    awaitGone(kit, ready.pid());
  }

  @Test
  void neverReadyCountsAsAFailedStart() {
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    SiteSpec spec =
        spec(
            List.of("sh", "-c", "echo waiting forever; exec sleep 300"),
            new HealthCheck(null, null, List.of("false"), "1s", "2s", "1s", 3));
    agent.tell(assign(reports.getRef(), spec, "shop-10"));
    InstanceStatus starting = only(await(reports, l -> l.size() == 1 && l.get(0).pid() != 0));

    InstanceStatus failed =
        only(await(reports, l -> l.size() == 1 && l.get(0).state() == InstanceState.BACKOFF));
    assertTrue(failed.message().startsWith("not ready within 1s"), failed.message());
    assertTrue(failed.message().contains("waiting forever"), failed.message());
    assertEquals(137, failed.lastExit());
    awaitGone(kit, starting.pid());
  }

  @Test
  void largeLogsAreRotatedWhileTheProcessKeepsWriting() {
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit, 2_000);
    agent.tell(
        assign(
            reports.getRef(),
            script(
                "i=1; while [ $i -le 200 ]; do echo before-$i; i=$((i+1)); done;"
                    + " while true; do echo after; sleep 0.2; done"),
            "shop-11"));
    await(reports, allReady(1));
    Path log = dataDir.resolve("logs").resolve(SITE).resolve("shop-11.log");

    TestProbe<Object> waiter = kit.createTestProbe();
    waiter.awaitAssert(
        DEADLINE,
        Duration.ofMillis(200),
        () -> {
          Path old = LogFiles.rotated(log);
          assertTrue(Files.exists(old), "no rotated log yet");
          assertTrue(Files.readString(old).contains("before-200"));
          String current = Files.readString(log);
          assertTrue(current.length() < 2_000, "log not truncated: " + current.length());
          assertTrue(current.contains("after"), "the process writes on after truncation");
          assertFalse(current.startsWith("\0"), "O_APPEND: no hole at the start");
          return null;
        });
  }

  /**
   * A python app whose first start finds a squatter (in its own session, so not of the instance's
   * group) on its PORT; later starts serve {@code healthz} of the release directory.
   *
   * @param squatterDir what the squatter serves
   * @param firstRunRest what the first run does once the squatter is started
   */
  private SiteSpec squattedApp(Path squatterDir, String firstRunRest) throws IOException {
    Files.writeString(releaseDir.resolve("healthz"), "ok\n");
    String server = "exec python3 -m http.server $PORT --bind 127.0.0.1";
    String script =
        "if [ ! -e first ]; then touch first;"
            + " setsid python3 -m http.server $PORT --bind 127.0.0.1 --directory '"
            + squatterDir
            + "' >/dev/null 2>&1 & echo $! > squatter.pid; "
            + firstRunRest
            + "; fi; "
            + server;
    return spec(
        List.of("sh", "-c", script), new HealthCheck("/healthz", null, null, "1s", "2s", "60s", 3));
  }

  private long squatterPid() throws IOException {
    long pid = Long.parseLong(Files.readString(releaseDir.resolve("squatter.pid")).strip());
    seenPids.add(pid);
    return pid;
  }

  @Test
  void aStartThatCannotBindGetsANewPort() throws Exception {
    // The squatter answers 404 (nothing to serve): only the failed bind can move the instance.
    Path empty = Files.createDirectories(tmp.resolve("empty"));
    String waitForSquatter =
        "until python3 -c \"import socket,os; socket.create_connection(('127.0.0.1',"
            + " int(os.environ['PORT'])))\" 2>/dev/null; do sleep 0.05; done";
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    agent.tell(assign(reports.getRef(), squattedApp(empty, waitForSquatter), "shop-12"));
    InstanceStatus first = only(await(reports, l -> l.size() == 1 && l.get(0).pid() != 0));

    InstanceStatus ready = only(await(reports, allReady(1)));
    long squatter = squatterPid();
    assertNotEquals(first.port(), ready.port(), "moved off the squatted port");
    assertTrue(ready.port() >= portMin && ready.port() <= portMin + 49);
    assertEquals(1, ready.restarts());
    assertEquals("ok\n", get(ready.port(), "/healthz"));
    assertInstanceOf(
        SocketOwners.Verdict.Foreign.class, SocketOwners.SYSTEM.check(first.port(), ready.pid()));
    assertTrue(ProcessGroups.isRunning(squatter), "the squatter is not the agent's to kill");
  }

  @Test
  void aReadinessAnswerFromAnotherProcessFailsAndMovesThePort() throws Exception {
    // The squatter answers 200 on /healthz, and the first run never binds at all.
    Path squat = Files.createDirectories(tmp.resolve("squat"));
    Files.writeString(squat.resolve("healthz"), "squatter\n");
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    agent.tell(assign(reports.getRef(), squattedApp(squat, "exec sleep 300"), "shop-13"));
    InstanceStatus first = only(await(reports, l -> l.size() == 1 && l.get(0).pid() != 0));

    InstanceStatus failed =
        only(await(reports, l -> l.size() == 1 && l.get(0).state() == InstanceState.BACKOFF));
    long squatter = squatterPid();
    assertTrue(
        failed
            .message()
            .startsWith(
                "not ready: port "
                    + first.port()
                    + " is held by pid "
                    + squatter
                    + ", not by this instance"),
        failed.message());

    InstanceStatus ready = only(await(reports, allReady(1)));
    assertNotEquals(first.port(), ready.port());
    assertEquals("ok\n", get(ready.port(), "/healthz"));
    assertEquals("squatter\n", get(first.port(), "/healthz"));
    awaitGone(kit, first.pid());
  }

  /** An HTTP server answering its pid, bound with SO_REUSEPORT so that a second one can join. */
  private static final String REUSE_PORT_APP =
      """
      import http.server, os, socket

      class Server(http.server.HTTPServer):
          def server_bind(self):
              self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
              super().server_bind()

      class Handler(http.server.BaseHTTPRequestHandler):
          def do_GET(self):
              body = str(os.getpid()).encode()
              self.send_response(200)
              self.send_header("Content-Length", str(len(body)))
              self.end_headers()
              self.wfile.write(body)

          def log_message(self, *args):
              pass

      Server(("127.0.0.1", int(os.environ["PORT"])), Handler).serve_forever()
      """;

  @Test
  void aForeignListenerJoiningAReadyInstancesPortFailsLivenessAndMovesIt() throws Exception {
    Files.writeString(releaseDir.resolve("reuse.py"), REUSE_PORT_APP);
    SiteSpec spec =
        spec(
            List.of("python3", "reuse.py"),
            new HealthCheck("/", null, null, "300ms", "2s", "60s", 2));
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    agent.tell(assign(reports.getRef(), spec, "shop-14"));
    InstanceStatus ready = only(await(reports, allReady(1)));

    ProcessBuilder pb =
        new ProcessBuilder("setsid", "python3", "reuse.py")
            .directory(releaseDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.DISCARD);
    pb.environment().put("PORT", Integer.toString(ready.port()));
    Process foreign = pb.start();
    seenPids.add(foreign.pid());
    try {
      InstanceStatus unhealthy =
          only(await(reports, l -> l.size() == 1 && l.get(0).state() == InstanceState.UNHEALTHY));
      assertTrue(
          unhealthy
              .message()
              .contains(
                  "port "
                      + ready.port()
                      + " is held by pid "
                      + foreign.pid()
                      + ", not by this instance"),
          unhealthy.message());
      InstanceStatus moved =
          only(
              await(
                  reports,
                  l -> l.size() == 1 && l.get(0).isReady() && l.get(0).pid() != ready.pid()));
      assertNotEquals(ready.port(), moved.port());
      assertEquals(Long.toString(moved.pid()), get(moved.port(), "/"));
      awaitGone(kit, ready.pid());
    } finally {
      foreign.destroyForcibly();
    }
  }

  @Test
  void aStartThatFailsAfterTheProcessStartedLeavesNoOrphan() throws Exception {
    // 300d cannot be scheduled (a spec stored before durations were bounded): the runner must
    // still kill what it started, every time it retries
    Path pids = tmp.resolve("pids.txt");
    SiteSpec spec =
        spec(
            List.of("sh", "-c", "echo $$ >> " + pids + "; exec sleep 300"),
            new HealthCheck(null, null, List.of("true"), "1s", "2s", "300d", 3));
    ActorTestKit kit = kit();
    TestProbe<SiteReport> reports = kit.createTestProbe();
    ActorRef<HostAgent.Command> agent = agent(kit);
    agent.tell(assign(reports.getRef(), spec, "shop-9"));
    try {
      InstanceStatus failed =
          only(
              await(
                  reports,
                  l ->
                      l.size() == 1
                          && l.get(0).state() == InstanceState.BACKOFF
                          && l.get(0).restarts() >= 2));
      assertTrue(failed.message().contains("could not supervise"), failed.message());
      // every started pid was reported (the ledger knows it) and is gone
      long[] started = seenPids.stream().mapToLong(Long::longValue).toArray();
      assertTrue(started.length >= 2, Arrays.toString(started));
      awaitGone(kit, started);
    } finally {
      if (Files.exists(pids)) {
        for (String line : Files.readAllLines(pids)) {
          ProcessGroups.kill(Long.parseLong(line.strip()));
        }
      }
    }
  }
}
