package io.drover.actors.site;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.RecipientRef;
import org.apache.pekko.actor.typed.Scheduler;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * A cluster-wide view of the revisions every site uses: the site directory for every name, then
 * every site entity for its {@link SiteEntity.Revisions}. O(sites) asks; it fails as a whole when
 * any of them does not answer within the timeout, so a caller never acts on a partial view.
 */
public final class AllSiteRevisions {

  private AllSiteRevisions() {}

  /**
   * @param sites the site directory
   * @param siteEntity the entity of a site name (in a node: through Cluster Sharding)
   * @param askTimeout how long each ask may take
   */
  public static CompletionStage<List<SiteEntity.Revisions>> gather(
      ActorRef<SiteDirectory.Command> sites,
      Function<String, RecipientRef<SiteEntity.Command>> siteEntity,
      Duration askTimeout,
      Scheduler scheduler) {
    CompletionStage<SiteDirectory.Names> names =
        AskPattern.ask(sites, SiteDirectory.ListSites::new, askTimeout, scheduler);
    return names.thenCompose(
        n -> {
          List<CompletableFuture<SiteEntity.Revisions>> asks = new ArrayList<>();
          for (String site : n.sites()) {
            asks.add(
                AskPattern.<SiteEntity.Command, SiteEntity.Revisions>ask(
                        siteEntity.apply(site), SiteEntity.GetRevisions::new, askTimeout, scheduler)
                    .toCompletableFuture());
          }
          return CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new))
              .thenApply(v -> asks.stream().map(CompletableFuture::join).toList());
        });
  }
}
