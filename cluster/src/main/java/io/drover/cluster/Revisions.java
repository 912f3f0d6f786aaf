package io.drover.cluster;

import io.drover.actors.agent.ReleaseDirs;
import io.drover.actors.site.AllSiteRevisions;
import io.drover.actors.site.SiteDirectory;
import io.drover.actors.site.SiteEntity;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The parts of a node that move revisions between hosts, started in one place: the replicator
 * (uploads are acknowledged once two hosts store them) and the distributor (every host of a pool
 * fetches the revisions its sites use, in the background, and catches up once it is Up).
 */
record Revisions(RevisionReplicator replicator, ActorRef<RevisionDistributor.Command> distributor) {

  static Revisions start(
      ActorSystem<?> system, NodeSettings settings, RevisionFetcher fetcher, String selfApi) {
    ActorRef<RevisionDistributor.Command> distributor =
        system.systemActorOf(
            RevisionDistributor.create(
                settings.pool(),
                id -> fetcher.store().get(id).isPresent(),
                fetcher,
                fetcher.settings().distributeSpread(),
                () -> Cluster.get(system).state().members().size()),
            "revision-distributor",
            Props.empty());
    system.getWhenTerminated().thenRun(fetcher::close);
    return new Revisions(new RevisionReplicator(fetcher, selfApi), distributor);
  }

  /**
   * Once this node is Up: fetch in the background the revisions the sites of this pool use and this
   * host lacks (it may have joined, or restarted with an empty data dir, after they were
   * announced).
   */
  void catchUp(ActorSystem<?> system, ActorRef<SiteDirectory.Command> sites) {
    ClusterSharding sharding = ClusterSharding.get(system);
    distributor.tell(
        new RevisionDistributor.CatchUp(
            () ->
                AllSiteRevisions.gather(
                    sites,
                    site -> sharding.entityRefFor(SiteEntity.ENTITY_TYPE_KEY, site),
                    CATCH_UP_ASK_TIMEOUT,
                    system.scheduler())));
  }

  /** How long each ask of a catch-up may take. */
  static final Duration CATCH_UP_ASK_TIMEOUT = Duration.ofSeconds(10);

  /**
   * The agent's release directories: fetched through the shared transfer (progress reported to the
   * instance), then unpacked on the blocking dispatcher.
   */
  static ReleaseDirs releaseDirs(RevisionFetcher fetcher) {
    return new ReleaseDirs() {
      @Override
      public Path releaseDir(String revision) throws IOException {
        return fetcher.releaseDirOrFail(revision);
      }

      @Override
      public CompletionStage<Path> resolve(
          String revision, Consumer<String> progress, Executor blocking) {
        return fetcher
            .fetch(revision, Optional.empty(), progress)
            .thenApplyAsync(
                info -> {
                  try {
                    return fetcher.store().releaseDir(revision);
                  } catch (IOException e) {
                    throw new CompletionException(e);
                  }
                },
                blocking);
      }
    };
  }
}
