package io.drover.actors.site;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.drover.actors.revision.RevisionWanted;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** A site announces its revision when the revision or the pool changes, and only then. */
class SiteAnnouncementsTest {

  private static SiteEntity.State state(String revision, int instances, String pool) {
    SiteSpec spec = new SiteSpec(revision, List.of("./run"), instances, pool, null, null, null);
    return new SiteEntity.State(spec, 1, 1, Map.of(), Map.of(), List.of(revision));
  }

  @Test
  void createRevisionAndPoolChangesAreAnnouncedScalingAndDeletingAreNot() {
    SiteEntity.State none = SiteEntity.State.empty();
    assertEquals(
        Optional.of(new RevisionWanted("r1", "web")),
        SiteAnnouncements.afterChange(none, state("r1", 2, "web")));
    assertEquals(
        Optional.empty(),
        SiteAnnouncements.afterChange(state("r1", 2, "web"), state("r1", 5, "web")));
    assertEquals(
        Optional.of(new RevisionWanted("r2", "web")),
        SiteAnnouncements.afterChange(state("r1", 2, "web"), state("r2", 2, "web")));
    assertEquals(
        Optional.of(new RevisionWanted("r1", "api")),
        SiteAnnouncements.afterChange(state("r1", 2, "web"), state("r1", 2, "api")));
    assertEquals(Optional.empty(), SiteAnnouncements.afterChange(state("r1", 2, "web"), none));
  }
}
