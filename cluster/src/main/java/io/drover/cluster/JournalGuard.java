package io.drover.cluster;

import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * Keeps an embedded-LevelDB node alone: every node advertises its journal as a role, and a node
 * with the LevelDB journal downs any other member that joins it, saying why. With LevelDB each node
 * keeps its own state, so a site whose shard moved to another node would come back empty.
 */
final class JournalGuard {

  /** Role of a node whose journal is the embedded LevelDB. */
  static final String LEVELDB_ROLE = "journal:leveldb";

  /** Role of a node whose journal every node reaches. */
  static final String SHARED_ROLE = "journal:shared";

  private JournalGuard() {}

  static Behavior<ClusterEvent.MemberEvent> create() {
    return Behaviors.setup(
        ctx -> {
          ctx.setLoggerName(JournalGuard.class);
          Cluster cluster = Cluster.get(ctx.getSystem());
          cluster
              .subscriptions()
              .tell(Subscribe.create(ctx.getSelf(), ClusterEvent.MemberEvent.class));
          return Behaviors.receiveMessage(
              event -> {
                Member self = cluster.selfMember();
                Member other = event.member();
                if (!other.equals(self)
                    && self.hasRole(LEVELDB_ROLE)
                    && !(event instanceof ClusterEvent.MemberRemoved)
                    && !(event instanceof ClusterEvent.MemberDowned)) {
                  ctx.getLog()
                      .error(
                          "refusing member {}: this node keeps its state in an embedded LevelDB"
                              + " journal, and a site that moved to another node would come back"
                              + " empty. Start every node with --journal postgres and the same"
                              + " --jdbc-url to form a cluster.",
                          other.address());
                  cluster.manager().tell(new Down(other.address()));
                } else if (!other.equals(self)
                    && other.hasRole(LEVELDB_ROLE)
                    && event instanceof ClusterEvent.MemberUp) {
                  ctx.getLog()
                      .error(
                          "member {} uses an embedded LevelDB journal and refuses other nodes;"
                              + " this node will be downed. Join a cluster whose nodes use"
                              + " --journal postgres.",
                          other.address());
                }
                return Behaviors.same();
              });
        });
  }
}
