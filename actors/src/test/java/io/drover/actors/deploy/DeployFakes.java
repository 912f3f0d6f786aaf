package io.drover.actors.deploy;

import io.drover.actors.deploy.DeployEntity.Command;
import io.drover.actors.deploy.DeployEntity.Outcome;
import io.drover.actors.deploy.DeployEntity.Reply;
import io.drover.actors.site.SiteEntity;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Fake peers of a deploy entity that answer on their own and record what they got. */
final class DeployFakes {

  private DeployFakes() {}

  /** A message a fake site got, with the site's name. */
  record Seen(String site, SiteEntity.Command command) {}

  /**
   * A site in pool {@code default} on {@code hosts}, before at {@code previous}: it accepts every
   * rollout and its end, and records BeginRollout, ReleaseHosts and EndRollout.
   */
  static Behavior<SiteEntity.Command> site(
      String name,
      String previous,
      List<String> hosts,
      ActorRef<Seen> begins,
      ActorRef<Seen> releases,
      ActorRef<Seen> ends) {
    return Behaviors.receive(SiteEntity.Command.class)
        .onMessage(
            SiteEntity.BeginRollout.class,
            c -> {
              begins.tell(new Seen(name, c));
              c.replyTo()
                  .tell(
                      new SiteEntity.RolloutReply(
                          SiteEntity.Outcome.OK, null, previous, "default", hosts));
              return Behaviors.same();
            })
        .onMessage(
            SiteEntity.EndRollout.class,
            c -> {
              ends.tell(new Seen(name, c));
              c.replyTo().tell(new SiteEntity.Reply(SiteEntity.Outcome.OK, null, null));
              return Behaviors.same();
            })
        .onMessage(
            SiteEntity.ReleaseHosts.class,
            c -> {
              releases.tell(new Seen(name, c));
              return Behaviors.same();
            })
        .build();
  }

  /** A deploy queue answering Done to Enqueue and Update, recording them. */
  static Behavior<DeployDirectory.Command> queue(ActorRef<DeployDirectory.Command> seen) {
    return Behaviors.receive(DeployDirectory.Command.class)
        .onMessage(
            DeployDirectory.Enqueue.class,
            c -> {
              seen.tell(c);
              c.replyTo().tell(Done.getInstance());
              return Behaviors.same();
            })
        .onMessage(
            DeployDirectory.Update.class,
            c -> {
              seen.tell(c);
              c.replyTo().tell(Done.getInstance());
              return Behaviors.same();
            })
        .build();
  }

  /** Another deploy entity (the revert): answers CREATED to Create and records it. */
  static Behavior<Command> deploys(ActorRef<DeployEntity.Create> seen) {
    return deploys(seen, null);
  }

  /** As {@link #deploys(ActorRef)}, also passing on {@link DeployEntity.ForcedAbort}s. */
  static Behavior<Command> deploys(
      ActorRef<DeployEntity.Create> seen, ActorRef<DeployEntity.ForcedAbort> forced) {
    return Behaviors.receive(Command.class)
        .onMessage(
            DeployEntity.Create.class,
            c -> {
              seen.tell(c);
              c.replyTo().tell(new Reply(Outcome.CREATED, null, null));
              return Behaviors.same();
            })
        .onMessage(
            DeployEntity.ForcedAbort.class,
            f -> {
              if (forced != null) {
                forced.tell(f);
              }
              return Behaviors.same();
            })
        .build();
  }
}
