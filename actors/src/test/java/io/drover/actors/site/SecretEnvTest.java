package io.drover.actors.site;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.cron.CronSpec;
import io.drover.actors.cron.CronSpecs;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A site's and a cronjob's secretEnv: validated like env, merged over it, never printed. */
class SecretEnvTest {

  private static final String REV = "0123456789abcdef".repeat(4);

  private static SiteSpec site(Map<String, String> env, Map<String, String> secrets, String user) {
    return new SiteSpec(REV, List.of("run"), 2, null, env, null, null, null, null, secrets, user);
  }

  private static CronSpec job(Map<String, String> secrets, String user) {
    return new CronSpec(
        "@every 10s",
        null,
        REV,
        List.of("run"),
        Map.of("A", "1"),
        null,
        null,
        null,
        null,
        null,
        null,
        null,
        secrets,
        user);
  }

  @Test
  void secretEnvIsValidatedLikeEnvAndNeverQuotesAValue() {
    Map<String, String> bad = new HashMap<>();
    bad.put("1X", "hunter2");
    bad.put("DROVER_TOKEN", "hunter2");
    bad.put("PORT", "hunter2");
    bad.put("EMPTY", null);
    List<String> problems = SiteSpecs.validate("shop", site(null, bad, null));
    assertEquals(4, problems.size(), problems.toString());
    assertTrue(problems.stream().allMatch(p -> p.startsWith("secretEnv ")), problems.toString());
    assertFalse(problems.toString().contains("hunter2"), problems.toString());
    assertEquals(
        4, CronSpecs.validate("nightly", job(bad, null)).size(), "the cronjob's the same way");
    assertTrue(SiteSpecs.validate("shop", site(null, Map.of("TOKEN", "x"), null)).isEmpty());
  }

  @Test
  void userIsAValidNonRootName() {
    assertTrue(SiteSpecs.validate("shop", site(null, null, "web")).isEmpty());
    assertTrue(SiteSpecs.validate("shop", site(null, null, "root")).get(0).contains("root"));
    assertTrue(
        SiteSpecs.validate("shop", site(null, null, "Web User"))
            .get(0)
            .contains("not a valid user name"));
    assertTrue(CronSpecs.validate("nightly", job(null, "root")).get(0).contains("root"));
  }

  @Test
  void secretsAreMergedOverEnvForTheProcesses() {
    SiteSpec s = site(Map.of("A", "1", "KEY", "public"), Map.of("KEY", "secret"), null);
    assertEquals(Map.of("A", "1", "KEY", "secret"), s.processEnv());
    assertEquals(Map.of("A", "1"), site(Map.of("A", "1"), null, null).processEnv());
  }

  @Test
  void changingOnlyASecretValueOrTheUserReplacesTheInstances() {
    SiteSpec a = SiteSpecs.withDefaults(site(null, Map.of("KEY", "v1"), null));
    assertFalse(a.needsNewInstances(SiteSpecs.withDefaults(site(null, Map.of("KEY", "v1"), null))));
    assertTrue(a.needsNewInstances(SiteSpecs.withDefaults(site(null, Map.of("KEY", "v2"), null))));
    assertTrue(a.needsNewInstances(SiteSpecs.withDefaults(site(null, Map.of("KEY", "v1"), "w"))));
    SiteSpec none = SiteSpecs.withDefaults(site(null, null, null));
    assertNull(none.secretEnv(), "absent stays absent");
    assertFalse(none.needsNewInstances(SiteSpecs.withDefaults(site(null, Map.of(), null))));
    assertEquals(a.secretEnv(), a.withRevision(REV).secretEnv());
    assertEquals(a.secretEnv(), a.withInstances(5).secretEnv());
  }

  @Test
  void toStringShowsKeysNeverValues() {
    SiteSpec s = site(Map.of("A", "1"), Map.of("KEY", "hunter2"), null);
    assertFalse(s.toString().contains("hunter2"), s.toString());
    assertTrue(s.toString().contains("secretEnv={KEY=***}"), s.toString());
    assertFalse(job(Map.of("KEY", "hunter2"), null).toString().contains("hunter2"));
    assertTrue(job(Map.of("KEY", "hunter2"), null).toString().contains("KEY=***"));
  }

  @Test
  void theMaskPutBackKeepsTheStoredValue() {
    SecretEnvs.Kept kept =
        SecretEnvs.keep(Map.of("KEY", SiteSpec.MASK, "NEW", "n"), Map.of("KEY", "stored"));
    assertNull(kept.problem());
    assertEquals(Map.of("KEY", "stored", "NEW", "n"), kept.secretEnv());

    SecretEnvs.Kept unknown = SecretEnvs.keep(Map.of("KEY", SiteSpec.MASK), Map.of());
    assertTrue(unknown.problem().contains("secretEnv 'KEY'"), unknown.problem());
    assertTrue(SecretEnvs.keep(Map.of("KEY", SiteSpec.MASK), null).problem() != null);

    assertEquals(Map.of("K", "v"), SecretEnvs.keep(Map.of("K", "v"), null).secretEnv());
    assertNull(SecretEnvs.keep(null, Map.of("K", "v")).secretEnv(), "removed when left out");
  }
}
