package io.drover.actors.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SiteSpecsTest {

  private static final String REV = "0123456789abcdef".repeat(4);

  private static SiteSpec minimal() {
    return new SiteSpec(REV, List.of("java", "Hello.java"), 2, null, null, null, null);
  }

  private static SiteSpec full() {
    return new SiteSpec(
        REV,
        List.of("java", "-Xmx32m", "Hello.java"),
        3,
        "web",
        Map.of("GREETING", "hi", "_X1", ""),
        new HealthCheck("/healthz", null, null, "5s", "2s", "30s", 2),
        new RestartPolicy("1s", "1m", "2m"));
  }

  private static SiteSpec withHealth(HealthCheck h) {
    return new SiteSpec(REV, List.of("run"), 2, null, null, h, null);
  }

  private static SiteSpec withRestart(RestartPolicy r) {
    return new SiteSpec(REV, List.of("run"), 2, null, null, null, r);
  }

  private static SiteSpec withEnv(Map<String, String> env) {
    return new SiteSpec(REV, List.of("run"), 2, null, env, null, null);
  }

  private static HealthCheck health(String interval, String timeout, String start) {
    return new HealthCheck(null, true, null, interval, timeout, start, null);
  }

  /** Exactly one problem, mentioning every fragment. */
  private static void assertOneProblem(String name, SiteSpec spec, String... fragments) {
    List<String> problems = SiteSpecs.validate(name, spec);
    assertEquals(1, problems.size(), problems.toString());
    for (String fragment : fragments) {
      assertTrue(problems.get(0).contains(fragment), problems.get(0));
    }
  }

  @Test
  void aMinimalSpecIsValid() {
    assertEquals(List.of(), SiteSpecs.validate("hello", minimal()));
  }

  @Test
  void aFullSpecIsValid() {
    assertEquals(List.of(), SiteSpecs.validate("hello-2", full()));
  }

  @Test
  void defaultsOfValidSpecsAreValid() {
    for (SiteSpec spec : List.of(minimal(), full())) {
      SiteSpec filled = SiteSpecs.withDefaults(spec);
      assertEquals(List.of(), SiteSpecs.validate("hello", filled));
    }
    SiteSpec filled = SiteSpecs.withDefaults(minimal());
    assertEquals(SiteSpecs.DEFAULT_POOL, filled.pool());
    assertEquals(Boolean.TRUE, filled.health().tcp());
  }

  @Test
  void nameMustBeADnsLabel() {
    assertOneProblem("Hello", minimal(), "name 'Hello'");
    assertOneProblem("-hello", minimal(), "name");
    assertOneProblem("a".repeat(64), minimal(), "name");
    assertOneProblem("", minimal(), "name");
    assertOneProblem(null, minimal(), "name");
    assertEquals(List.of(), SiteSpecs.validate("a".repeat(63), minimal()));
  }

  @Test
  void specIsRequired() {
    assertOneProblem("hello", null, "spec is missing");
  }

  @Test
  void revisionIsASha256() {
    assertOneProblem("hello", minimal().withRevision(REV.toUpperCase()), "revision", "64");
    assertOneProblem("hello", minimal().withRevision("abc"), "revision");
    assertOneProblem("hello", minimal().withRevision(null), "revision");
  }

  @Test
  void commandIsANonEmptyListOfNonEmptyStrings() {
    assertOneProblem(
        "hello", new SiteSpec(REV, List.of(), 2, null, null, null, null), "command is empty");
    assertOneProblem(
        "hello", new SiteSpec(REV, null, 2, null, null, null, null), "command is empty");
    List<String> withNull = new ArrayList<>(List.of("java"));
    withNull.add(null);
    assertOneProblem(
        "hello", new SiteSpec(REV, withNull, 2, null, null, null, null), "command[1] is null");
    assertOneProblem(
        "hello",
        new SiteSpec(REV, List.of("", "x"), 2, null, null, null, null),
        "command[0] is empty");
  }

  @Test
  void instancesAtLeastTwoAtMostAThousand() {
    assertOneProblem(
        "hello",
        minimal().withInstances(1),
        "instances must be at least 2: Drover runs everything at least twice, on distinct hosts"
            + " when it can");
    assertOneProblem("hello", minimal().withInstances(0), "at least 2");
    assertOneProblem("hello", minimal().withInstances(1001), "at most 1000");
    assertEquals(List.of(), SiteSpecs.validate("hello", minimal().withInstances(1000)));
  }

  @Test
  void poolIsADnsLabelWhenSet() {
    assertOneProblem(
        "hello", new SiteSpec(REV, List.of("run"), 2, "Web_1", null, null, null), "pool 'Web_1'");
  }

  @Test
  void envNamesAreShellNames() {
    assertOneProblem("hello", withEnv(Map.of("1X", "v")), "env name '1X'");
    assertOneProblem("hello", withEnv(Map.of("A-B", "v")), "env name 'A-B'");
  }

  @Test
  void envValuesAreNotNull() {
    Map<String, String> env = new HashMap<>();
    env.put("A", null);
    assertOneProblem("hello", withEnv(env), "env 'A' has no value");
  }

  @Test
  void portAndDroverVariablesAreReserved() {
    assertOneProblem("hello", withEnv(Map.of("PORT", "80")), "'PORT' is reserved");
    assertOneProblem("hello", withEnv(Map.of("DROVER_INSTANCE", "x")), "reserved");
  }

  @Test
  void atMostOneKindOfHealthCheck() {
    assertOneProblem(
        "hello",
        withHealth(new HealthCheck("/h", true, null, null, null, null, null)),
        "more than one");
    assertOneProblem(
        "hello",
        withHealth(new HealthCheck("/h", null, List.of("true"), null, null, null, null)),
        "more than one");
    assertEquals(
        List.of(),
        SiteSpecs.validate(
            "hello", withHealth(new HealthCheck("/h", false, null, null, null, null, null))));
  }

  @Test
  void httpHealthIsAPath() {
    assertOneProblem(
        "hello",
        withHealth(new HealthCheck("healthz", null, null, null, null, null, null)),
        "health.http 'healthz'",
        "'/'");
  }

  @Test
  void execHealthIsNonEmpty() {
    assertOneProblem(
        "hello",
        withHealth(new HealthCheck(null, null, List.of(), null, null, null, null)),
        "health.exec is empty");
  }

  @Test
  void healthDurationsParseAndArePositive() {
    assertOneProblem("hello", withHealth(health("often", null, null)), "health.interval 'often'");
    assertOneProblem("hello", withHealth(health("0s", null, null)), "health.interval", "zero");
    assertOneProblem("hello", withHealth(health(null, "-1s", null)), "health.timeout");
    assertOneProblem("hello", withHealth(health(null, null, "soon")), "health.startTimeout");
  }

  @Test
  void healthTimeoutMayExceedIntervalButNotStartTimeout() {
    assertEquals(List.of(), SiteSpecs.validate("hello", withHealth(health("1s", "3s", "10s"))));
    assertOneProblem(
        "hello",
        withHealth(health(null, "20s", "10s")),
        "health.timeout (20s)",
        "health.startTimeout (10s)");
    assertOneProblem(
        "hello", withHealth(health(null, null, "1s")), "health.timeout (2s)", "startTimeout (1s)");
  }

  @Test
  void healthFailuresAtLeastOne() {
    assertOneProblem(
        "hello",
        withHealth(new HealthCheck(null, true, null, null, null, null, 0)),
        "health.failures must be at least 1");
  }

  @Test
  void restartDurationsParseArePositiveAndOrdered() {
    assertOneProblem(
        "hello", withRestart(new RestartPolicy("x", null, null)), "restart.initialBackoff 'x'");
    assertOneProblem("hello", withRestart(new RestartPolicy(null, "0ms", null)), "maxBackoff");
    assertOneProblem("hello", withRestart(new RestartPolicy(null, null, "-5s")), "resetAfter");
    assertOneProblem(
        "hello",
        withRestart(new RestartPolicy("1m", "10s", null)),
        "restart.initialBackoff (1m)",
        "restart.maxBackoff (10s)");
    assertOneProblem(
        "hello", withRestart(new RestartPolicy("45s", null, null)), "restart.maxBackoff (30s)");
  }

  @Test
  void everyDurationIsBoundedAndTheMessageSaysTheBound() {
    assertOneProblem(
        "hello",
        withHealth(health(null, null, "300d")),
        "health.startTimeout must be between 1s and 1h, got 300d");
    assertOneProblem(
        "hello",
        withHealth(health(null, "30d", null)),
        "health.timeout must be between 100ms and 5m, got 30d");
    assertOneProblem(
        "hello", withHealth(health("10ms", null, null)), "health.interval must be between");
    assertOneProblem(
        "hello", withHealth(health("2h", null, null)), "health.interval must be between");
    List<String> both =
        SiteSpecs.validate("hello", withRestart(new RestartPolicy("1d", "2d", null)));
    assertEquals(2, both.size(), both.toString());
    assertTrue(both.get(0).startsWith("restart.initialBackoff must be between"), both.get(0));
    assertTrue(both.get(1).startsWith("restart.maxBackoff must be between"), both.get(1));
    assertOneProblem(
        "hello",
        withRestart(new RestartPolicy(null, null, "400d")),
        "restart.resetAfter must be between");
    assertOneProblem(
        "hello", withHealth(health(null, null, "99999999999999999999999d")), "health.startTimeout");
    assertOneProblem(
        "hello",
        withHealth(new HealthCheck(null, true, null, null, null, null, 100_000)),
        "health.failures must be between 1 and 100");
  }

  @Test
  void httpHealthPathMustBeAUriPathAndQuery() {
    for (String bad :
        new String[] {"/a b", "/a\tb", "/%zz", "//host/x", "/a#frag", "/" + "x".repeat(2048)}) {
      List<String> problems =
          SiteSpecs.validate(
              "hello", withHealth(new HealthCheck(bad, null, null, null, null, null, null)));
      assertEquals(1, problems.size(), bad + " -> " + problems);
      assertTrue(problems.get(0).startsWith("health.http"), problems.get(0));
    }
    for (String good : new String[] {"/", "/healthz", "/a/b?x=1&y=%20z", "/%C3%A9t%C3%A9"}) {
      assertEquals(
          List.of(),
          SiteSpecs.validate(
              "hello", withHealth(new HealthCheck(good, null, null, null, null, null, null))),
          good);
    }
  }

  @Test
  void collectsEveryProblem() {
    SiteSpec bad =
        new SiteSpec(
            "nope",
            List.of(),
            1,
            "BAD",
            Map.of("PORT", "1"),
            new HealthCheck("x", true, null, "?", null, null, 0),
            new RestartPolicy("1m", "1s", null));
    List<String> problems = SiteSpecs.validate("Bad Name", bad);
    assertEquals(11, problems.size(), String.join("\n", problems));
  }
}
