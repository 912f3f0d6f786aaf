package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.actors.site.HealthCheck;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InstanceEnvTest {

  @TempDir Path dir;

  private final ExecutorService blocking = Executors.newCachedThreadPool();

  @AfterEach
  void stop() {
    blocking.shutdownNow();
  }

  @Test
  void baseSiteAndAgentVariablesOnly() {
    Map<String, String> node = new HashMap<>();
    node.put("PATH", "/opt/bin:/usr/bin");
    node.put("HOME", "/home/drover");
    node.put("TZ", "UTC");
    node.put("DROVER_JDBC_PASSWORD", "secret");
    node.put("DROVER_HTTP_PORT", "8080");
    node.put("JAVA_TOOL_OPTIONS", "-Xmx8g");
    node.put("AWS_SECRET_ACCESS_KEY", "k");
    Map<String, String> env =
        InstanceEnv.of(
            node,
            Map.of("GREETING", "hi", "TZ", "Europe/Paris"),
            Map.of("PORT", "20001", "DROVER_SITE", "shop"));
    assertEquals(
        Map.of(
            "PATH", "/opt/bin:/usr/bin",
            "HOME", "/home/drover",
            "TZ", "Europe/Paris",
            "GREETING", "hi",
            "PORT", "20001",
            "DROVER_SITE", "shop"),
        env);
  }

  @Test
  void aPathEvenWhenTheNodeHasNone() {
    assertEquals(
        InstanceEnv.DEFAULT_PATH, InstanceEnv.of(Map.of(), Map.of(), Map.of()).get("PATH"));
  }

  /** A variable of this JVM's environment that an instance must not see; empty if there is none. */
  private static Optional<String> inheritedOnly() {
    Set<String> shellOwn = Set.of("PWD", "OLDPWD", "SHLVL", "_");
    return System.getenv().keySet().stream()
        .filter(k -> !InstanceEnv.BASE.contains(k) && !shellOwn.contains(k))
        .filter(k -> k.matches("[A-Za-z_][A-Za-z0-9_]*"))
        .sorted()
        .findFirst();
  }

  private static Map<String, String> parse(Path file) throws Exception {
    Map<String, String> env = new HashMap<>();
    for (String line : Files.readAllLines(file)) {
      int eq = line.indexOf('=');
      if (eq > 0) {
        env.put(line.substring(0, eq), line.substring(eq + 1));
      }
    }
    return env;
  }

  @Test
  void anExecCheckSeesOnlyTheInstanceEnvironment() throws Exception {
    Optional<String> leaked = inheritedOnly();
    assumeTrue(leaked.isPresent(), "the test JVM has no variable outside the base");
    Map<String, String> env =
        InstanceEnv.of(System.getenv(), Map.of("GREETING", "hi"), Map.of("DROVER_SITE", "shop"));
    HealthCheck exec =
        new HealthCheck(null, null, List.of("sh", "-c", "env > env.txt"), "5s", "10s", "60s", 3);
    String failure =
        HealthProbe.check(exec, 1, 0, dir, env, Duration.ofSeconds(10), blocking)
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    assertNull(failure);
    Map<String, String> seen = parse(dir.resolve("env.txt"));
    assertFalse(seen.containsKey(leaked.get()), leaked.get() + " leaked into " + seen.keySet());
    assertEquals("hi", seen.get("GREETING"));
    assertEquals("shop", seen.get("DROVER_SITE"));
    assertTrue(seen.containsKey("PATH"));
  }

  @Test
  void aProcessStartedWithItSeesOnlyTheInstanceEnvironment() throws Exception {
    Optional<String> leaked = inheritedOnly();
    assumeTrue(leaked.isPresent(), "the test JVM has no variable outside the base");
    Map<String, String> env =
        InstanceEnv.of(System.getenv(), Map.of("GREETING", "hi"), Map.of("PORT", "1"));
    Path out = dir.resolve("env2.txt");
    Process p =
        InstanceEnv.apply(new ProcessBuilder("env"), env)
            .redirectErrorStream(true)
            .redirectOutput(out.toFile())
            .start();
    assertTrue(p.waitFor(30, TimeUnit.SECONDS));
    Map<String, String> seen = parse(out);
    assertEquals(env, seen);
  }
}
