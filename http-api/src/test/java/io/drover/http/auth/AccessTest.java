package io.drover.http.auth;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The role every route needs; {@code public} for none. Unknown writes need admin. */
class AccessTest {

  @ParameterizedTest(name = "{0} {1} -> {2}")
  @CsvSource({
    // public: health only
    "GET, /api/v1/health, public",
    "HEAD, /api/v1/health, viewer",
    "POST, /api/v1/health, admin",
    "GET, /ui, public",
    "GET, /ui/, public",
    "GET, /ui/app.js, public",
    "POST, /ui/, admin",
    "GET, /uix, viewer",
    "GET, /api/v1/ui, viewer",
    // viewer: every read
    "GET, /metrics, viewer",
    "GET, /api/v1/sites, viewer",
    "GET, /api/v1/sites/web, viewer",
    "GET, /api/v1/sites/web/instances, viewer",
    "GET, /api/v1/sites/web/instances/i-1/logs, viewer",
    "GET, /api/v1/hosts, viewer",
    "GET, /api/v1/hosts/h1, viewer",
    "GET, /api/v1/deploys, viewer",
    "GET, /api/v1/deploys/d1, viewer",
    "GET, /api/v1/deploys/d1/events, viewer",
    "GET, /api/v1/events, viewer",
    "GET, /api/v1/revisions, viewer",
    "GET, /api/v1/revisions/r1, viewer",
    "GET, /api/v1/revisions/r1/archive, viewer",
    "GET, /api/v1/cronjobs, viewer",
    "GET, /api/v1/cronjobs/c1, viewer",
    "GET, /api/v1/cronjobs/c1/runs, viewer",
    "GET, /api/v1/cronjobs/c1/runs/r1/logs, viewer",
    "GET, /api/v1/cluster/members, viewer",
    "GET, /api/v1/singletons, viewer",
    "GET, /api/v1/audit, viewer",
    "GET, /api/v1/whoami, viewer",
    "POST, /api/v1/whoami, admin",
    "GET, /api/v1/nothing/here, viewer",
    "GET, /, viewer",
    // deployer
    "POST, /api/v1/revisions, deployer",
    "POST, /api/v1/deploys, deployer",
    "POST, /api/v1/deploys/d1/abort, deployer",
    "POST, /api/v1/deploys/d1/pause, deployer",
    "POST, /api/v1/deploys/d1/resume, deployer",
    "POST, /api/v1/deploys/d1/revert, deployer",
    "POST, /api/v1/sites/web/scale, deployer",
    "POST, /api/v1/cronjobs/c1/trigger, deployer",
    "post, /api/v1/deploys, deployer",
    // admin: everything else, and unknown writes
    "PUT, /api/v1/sites/web, admin",
    "DELETE, /api/v1/sites/web, admin",
    "PUT, /api/v1/cronjobs/c1, admin",
    "DELETE, /api/v1/cronjobs/c1, admin",
    "POST, /api/v1/hosts/h1/cordon, admin",
    "POST, /api/v1/hosts/h1/uncordon, admin",
    "POST, /api/v1/hosts/h1/drain, admin",
    "POST, /api/v1/cluster/join, admin",
    "POST, /api/v1/cluster/leave, admin",
    "POST, /api/v1/revisions/r1/fetch, admin",
    "GET, /api/v1/tokens, admin",
    "GET, /api/v1/tokens/ci, admin",
    "POST, /api/v1/tokens, admin",
    "DELETE, /api/v1/tokens/ci, admin",
    "PUT, /api/v1/deploys, admin",
    "PATCH, /api/v1/sites/web/scale, admin",
    "DELETE, /api/v1/deploys/d1, admin",
    "POST, /api/v1/deploys/d1/explode, admin",
    "POST, /api/v1/sites/web/scale/more, admin",
    "POST, /api/v1/sites/web, admin",
    "POST, /api/v1/unknown, admin",
    "POST, /metrics, admin",
    "OPTIONS, /api/v1/sites, admin",
    "TRACE, /api/v1/sites, admin",
    "POST, /api/v2/deploys, admin",
    "POST, /api/v1/deploys/, admin",
  })
  void theRoleEachRequestNeeds(String method, String path, String expected) {
    Optional<Role> needed = Access.required(method, path);
    assertEquals(expected, needed.map(Role::wire).orElse("public"), method + " " + path);
  }

  @ParameterizedTest(name = "node credential: {0} {1} -> {2}")
  @CsvSource({
    "GET, /api/v1/revisions/r1/archive, true",
    "POST, /api/v1/revisions/r1/fetch, true",
    "GET, /api/v1/revisions/r1/fetch, false",
    "POST, /api/v1/revisions/r1/archive, false",
    "GET, /api/v1/revisions/r1, false",
    "GET, /api/v1/revisions, false",
    "POST, /api/v1/revisions, false",
    "GET, /api/v1/sites, false",
    "GET, /metrics, false",
    "GET, /api/v1/tokens, false",
    "GET, /api/v1/whoami, false",
    "PUT, /api/v1/sites/web, false",
    "GET, /api/v2/revisions/r1/archive, false",
  })
  void nodeCredentialsOnlyTransferRevisions(String method, String path, boolean allowed) {
    Caller node = new Caller("node:h1", Role.VIEWER);
    java.util.List<String> segments = java.util.List.of(path.substring(1).split("/", -1));
    assertEquals(allowed, Access.allows(node, method, segments));
  }

  @ParameterizedTest(name = "{0} {1} as {2} -> {3}")
  @CsvSource({
    "GET, /api/v1/sites, viewer, true",
    "POST, /api/v1/revisions/r1/fetch, viewer, false",
    "POST, /api/v1/revisions/r1/fetch, deployer, false",
    "POST, /api/v1/revisions/r1/fetch, admin, true",
    "POST, /api/v1/deploys, deployer, true",
    "PUT, /api/v1/sites/web, deployer, false",
    "GET, /api/v1/whoami, viewer, true",
  })
  void tokensAllowByRole(String method, String path, String role, boolean allowed) {
    Caller c = new Caller("ci", Role.parse(role).orElseThrow());
    java.util.List<String> segments = java.util.List.of(path.substring(1).split("/", -1));
    assertEquals(allowed, Access.allows(c, method, segments));
  }
}
