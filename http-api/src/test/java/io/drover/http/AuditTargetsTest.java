package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class AuditTargetsTest {

  @Test
  void theTargetIsTheResourceTheRequestActsOn() {
    assertEquals("site hello", AuditTargets.of("/api/v1/sites/hello", null));
    assertEquals("site hello", AuditTargets.of("/api/v1/sites/hello/scale", null));
    assertEquals("deploy d-42", AuditTargets.of("/api/v1/deploys/d-42/abort", null));
    assertEquals("host h1", AuditTargets.of("/api/v1/hosts/h1/drain", null));
    assertEquals("cronjob nightly", AuditTargets.of("/api/v1/cronjobs/nightly/trigger", null));
    assertEquals("revision abc", AuditTargets.of("/api/v1/revisions/abc/fetch", null));
    assertEquals("token ci", AuditTargets.of("/api/v1/tokens/ci", null));
    assertEquals("cluster", AuditTargets.of("/api/v1/cluster/leave", null));
    assertEquals("cluster", AuditTargets.of("/api/v1/cluster/join", null));
    assertEquals("singletons", AuditTargets.of("/api/v1/singletons", null));
    assertEquals("metrics", AuditTargets.of("/metrics", null));
    assertEquals("api", AuditTargets.of("/api/v1", null));
    assertEquals("api", AuditTargets.of("/", null));
    assertEquals("api", AuditTargets.of(null, null));
  }

  @Test
  void aPostToACollectionIsNamedByItsBody() {
    assertEquals("token ci", AuditTargets.of("/api/v1/tokens", "ci"));
    assertEquals("deploy d-7", AuditTargets.of("/api/v1/deploys", "d-7"));
    assertEquals("deploys", AuditTargets.of("/api/v1/deploys", null));
    assertEquals("revisions", AuditTargets.of("/api/v1/revisions", " "));
    // a path that names the instance wins over the body
    assertEquals("site a", AuditTargets.of("/api/v1/sites/a", "b"));
  }

  @Test
  void onlyCollectionsNameNoInstance() {
    assertTrue(AuditTargets.namesNoInstance("/api/v1/deploys"));
    assertTrue(AuditTargets.namesNoInstance("/api/v1/tokens/"));
    assertTrue(AuditTargets.namesNoInstance("/api/v1/revisions"));
    assertFalse(AuditTargets.namesNoInstance("/api/v1/deploys/d-1/revert"));
    assertFalse(AuditTargets.namesNoInstance("/api/v1/cluster"));
    assertFalse(AuditTargets.namesNoInstance("/api/v1"));
  }

  @Test
  void longTargetsAreCut() {
    assertEquals(200, AuditTargets.of("/api/v1/sites/" + "x".repeat(500), null).length());
  }
}
