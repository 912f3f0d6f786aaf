package io.drover.chaos.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.drover.actors.revision.RevisionRejected;
import io.drover.actors.revision.RevisionStore;
import io.drover.actors.site.SiteSpec;
import io.drover.actors.site.SiteSpecs;
import io.drover.http.Json;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Properties of the fuzz generators, and of the product's pure parts they feed: same seed, same
 * requests; every route reached; valid specs and archives accepted; mutated bodies either parsed or
 * refused with a message (never another exception, which the API would answer 500); hostile
 * archives refused without writing outside the store.
 */
class GeneratorPropertiesTest {

  private static final RequestGenerator.Target TARGET =
      new RequestGenerator.Target("fuzz-host", 2552, List.of("a".repeat(64)));

  @Property(tries = 20)
  void theSameSeedMakesTheSameRequests(@ForAll long seed) {
    RequestGenerator a = new RequestGenerator(TARGET);
    RequestGenerator b = new RequestGenerator(TARGET);
    Random ra = new Random(seed);
    Random rb = new Random(seed);
    for (int i = 0; i < 20; i++) {
      assertEquals(a.next(ra), b.next(rb));
    }
  }

  @Property(tries = 3)
  void everyKindOfRequestIsMade(@ForAll long seed) {
    RequestGenerator g = new RequestGenerator(TARGET);
    Random rnd = new Random(seed);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 1_000; i++) {
      String kind = g.next(rnd).kind();
      seen.add(kind.startsWith("revisions.upload") ? "revisions.upload" : kind);
      seen.add(kind.startsWith("host.") && !kind.equals("host.get") ? "host.action" : kind);
    }
    TreeSet<String> missing = new TreeSet<>(g.kinds());
    missing.removeAll(seen);
    assertTrue(missing.isEmpty(), "never made: " + missing);
  }

  @Property(tries = 10)
  void skippedKindsAreNeverMade(@ForAll long seed) {
    RequestGenerator g = new RequestGenerator(TARGET, KnownBugs.SKIPPED_KINDS);
    Random rnd = new Random(seed);
    for (int i = 0; i < 300; i++) {
      assertFalse(KnownBugs.SKIPPED_KINDS.contains(g.next(rnd).kind()));
    }
  }

  @Property(tries = 200)
  void validSpecsAreValid(@ForAll long seed) throws Exception {
    String body = new RequestGenerator(TARGET).validSpec(new Random(seed)).toString();
    SiteSpec spec = Json.read(body, SiteSpec.class);
    assertEquals(List.of(), SiteSpecs.validate("fz-a", spec));
  }

  /** The API answers 500 for any exception but a refusal: parsing and validation throw none. */
  @Property(tries = 2_000)
  void mutatedSpecsAreParsedOrRefusedWithAMessage(@ForAll long seed) {
    Random rnd = new Random(seed);
    Mutations.Mutated m = Mutations.mutate(new RequestGenerator(TARGET).validSpec(rnd), rnd);
    SiteSpec spec;
    try {
      spec = Json.read(new String(m.body(), StandardCharsets.UTF_8), SiteSpec.class);
    } catch (Json.BadBody e) {
      assertFalse(e.getMessage().isBlank());
      return;
    }
    List<String> problems = SiteSpecs.validate("fz-a", spec);
    if (problems.isEmpty()) {
      assertNotNull(SiteSpecs.withDefaults(spec));
    }
  }

  @Property(tries = 12)
  void validArchivesAreStored(@ForAll @IntRange(min = 0, max = Archives.VALID_VARIANTS - 1) int v)
      throws Exception {
    Path dir = Files.createTempDirectory("fuzz-store-");
    try {
      RevisionStore store = new RevisionStore(dir, 64 << 20);
      Path upload = Files.write(store.uploadsDir().resolve("u.part"), Archives.valid(v));
      assertEquals(2, store.importFile(upload).files());
    } finally {
      deleteTree(dir);
    }
  }

  /** Escapes that would land in /tmp under these names. */
  private static final List<Path> ESCAPES =
      List.of(
          Path.of("/tmp/drover-fuzz-escape"),
          Path.of("/tmp/drover-fuzz-absolute"),
          Path.of("/tmp/drover-fuzz-symlink"));

  @Property(tries = 150)
  void archivesThatMustBeRefusedAreAndNothingLandsOutside(@ForAll long seed) throws Exception {
    Archives.Archive a = Archives.any(new Random(seed));
    if (KnownBugs.SKIPPED_KINDS.contains("revisions.upload." + a.kind())) {
      return;
    }
    Path dir = Files.createTempDirectory("fuzz-store-");
    try {
      RevisionStore store = new RevisionStore(dir, 64 << 20);
      Path upload = Files.write(store.uploadsDir().resolve("u.part"), a.bytes());
      try {
        store.importFile(upload);
        if (a.mustRefuse() != null
            && !KnownBugs.tolerated("accepted revisions.upload." + a.kind())) {
          fail(a.kind() + " was stored: " + a.mustRefuse());
        }
      } catch (RevisionRejected e) {
        assertFalse(e.getMessage().isBlank());
      }
      for (Path p : ESCAPES) {
        assertFalse(Files.exists(p, java.nio.file.LinkOption.NOFOLLOW_LINKS), a.kind() + ": " + p);
      }
    } finally {
      deleteTree(dir);
    }
  }

  @Example
  void onlyUnknownMethodsMay501AndOnlyUploads507() {
    FuzzRequest brew = new FuzzRequest("wrong-method", "BREW", "/", List.of(), new byte[0]);
    FuzzRequest get = new FuzzRequest("wrong-method", "GET", "/", List.of(), new byte[0]);
    FuzzRequest up =
        new FuzzRequest(
            "revisions.upload.valid", "POST", "/api/v1/revisions", List.of(), new byte[0]);
    assertTrue(Fuzzer.allowed5xx(brew, 501));
    assertFalse(Fuzzer.allowed5xx(get, 501));
    assertFalse(Fuzzer.allowed5xx(brew, 500));
    assertTrue(Fuzzer.allowed5xx(up, 507));
    assertFalse(Fuzzer.allowed5xx(get, 507));
  }

  @Example
  void aLeaveNamingTheNodeItselfIsNeutralised() {
    Fuzzer f = new Fuzzer(null, TARGET, () -> true, s -> {}, false);
    FuzzRequest self =
        new FuzzRequest(
            "cluster.leave",
            "POST",
            "/api/v1/cluster/leave",
            List.of(),
            "{\"address\":\"127.0.0.1:2552\"}".getBytes(StandardCharsets.UTF_8));
    assertFalse(new String(f.neutralise(self).body(), StandardCharsets.UTF_8).contains("2552"));
  }

  @Example
  void metricRouteLabelsMustBeRoutes() {
    String scrape =
        "drover_http_requests_seconds_count{method=\"GET\",route=\"/api/v1/sites/{id}\",status=\"200\",} 3.0\n"
            + "drover_http_requests_seconds_count{method=\"GET\",route=\"/api/v1/sites/{id}/x/{id}\",status=\"404\",} 1.0\n"
            + "drover_http_requests_seconds_sum{method=\"GET\",route=\"/nope\",status=\"404\",} 1.0\n";
    assertEquals(2, MetricLabels.series(scrape));
    assertEquals(List.of("/api/v1/sites/{id}/x/{id}"), MetricLabels.notRoutes(scrape));
  }

  @Example
  void chunkedBodiesAreJoined() {
    assertEquals("hello world", RawHttp.dechunk("5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n"));
  }

  @Example
  void snapshotsReportWhatChangedButNotRevisionsThatWent() {
    var node = com.fasterxml.jackson.databind.node.JsonNodeFactory.instance;
    StateSnapshot before =
        new StateSnapshot(
            new java.util.TreeMap<>(java.util.Map.of("a", node.textNode("spec"))),
            new TreeSet<>(Set.of("r1", "r2")),
            new java.util.TreeMap<>());
    StateSnapshot gone =
        new StateSnapshot(
            new java.util.TreeMap<>(java.util.Map.of("a", node.textNode("spec"))),
            new TreeSet<>(Set.of("r1")),
            new java.util.TreeMap<>());
    assertEquals(List.of(), gone.changesSince(before));
    StateSnapshot changed =
        new StateSnapshot(
            new java.util.TreeMap<>(java.util.Map.of("a", node.textNode("other"))),
            new TreeSet<>(Set.of("r1", "r2", "r3")),
            new java.util.TreeMap<>());
    assertEquals(2, changed.changesSince(before).size());
  }

  private static void deleteTree(Path dir) throws IOException {
    List<Path> all = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      s.sorted(Comparator.reverseOrder()).forEach(all::add);
    }
    for (Path p : all) {
      Files.deleteIfExists(p);
    }
  }
}
