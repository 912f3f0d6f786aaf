package io.drover.actors.site;

import io.drover.actors.revision.RevisionTopic;
import io.drover.actors.revision.RevisionWanted;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.actor.typed.javadsl.ActorContext;

/**
 * What a site tells the cluster about its revision: "revision R wanted by pool P" on {@link
 * RevisionTopic}, once when a spec with a new revision or pool is persisted (a create, a deploy)
 * and once when the entity recovers (it may have moved to another node, whose announcement was
 * never heard by a host that joined since). One publish per site per event: O(1), never per host.
 */
final class SiteAnnouncements {

  private SiteAnnouncements() {}

  /** What to announce after the spec changed from {@code before} to {@code after}, if anything. */
  static Optional<RevisionWanted> afterChange(SiteEntity.State before, SiteEntity.State after) {
    if (!after.exists() || after.spec().revision() == null) {
      return Optional.empty();
    }
    if (before.exists()
        && after.spec().revision().equals(before.spec().revision())
        && Objects.equals(after.spec().pool(), before.spec().pool())) {
      return Optional.empty();
    }
    return Optional.of(new RevisionWanted(after.spec().revision(), after.spec().pool()));
  }

  static void afterSpecSet(
      ActorContext<?> ctx, String site, SiteEntity.State before, SiteEntity.State after) {
    afterChange(before, after).ifPresent(w -> publish(ctx, site, w));
  }

  static void afterRecovery(ActorContext<?> ctx, String site, SiteEntity.State state) {
    afterChange(SiteEntity.State.empty(), state).ifPresent(w -> publish(ctx, site, w));
  }

  private static void publish(ActorContext<?> ctx, String site, RevisionWanted w) {
    ctx.getLog()
        .debug("site {}: revision {} wanted by pool {}: announced", site, w.revision(), w.pool());
    RevisionTopic.get(ctx.getSystem()).publish(w);
  }
}
