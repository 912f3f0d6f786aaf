package io.drover.actors.cron;

import io.drover.actors.agent.RunStatus;
import io.drover.actors.agent.RunStatuses;
import io.drover.actors.common.SingletonInfo;
import io.drover.actors.common.Singletons;
import io.drover.actors.host.HostDirectory;
import io.drover.persistence.CborSerializable;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.typed.SingletonActor;
import org.apache.pekko.pattern.StatusReply;

/**
 * The cron scheduler: a cluster singleton, event-sourced, that runs every cronjob tick at most once
 * cluster-wide (DESIGN.md I3). For each due tick it persists {@link CronEvent.TickStarted} (job,
 * tick, run id, host) <em>before</em> it dispatches the run to one host's agent; a tick is
 * identified by job + scheduled instant, so a failover cannot make a second one. Each incarnation
 * first persists {@link CronEvent.Fenced} with a fencing token one above the last, carries it in
 * every dispatch, and agents refuse anything older; a stale incarnation's writes fail at the
 * journal (its sequence numbers are taken). After a failover the new incarnation asks the agents
 * about the runs that were started but not finished ({@link RunReconcile}) instead of starting them
 * again. The decisions are pure: {@link CronTicks} (which ticks run), {@link HostChoice} (where),
 * {@link RunReconcile} (what an agent's answer means).
 */
public final class CronScheduler {

  private CronScheduler() {}

  static final String PERSISTENCE_ID = "cron-scheduler";

  /** Its name among the singletons. */
  public static final String NAME = "cron-scheduler";

  /** The longest the scheduler sleeps between two looks at its jobs. */
  static final Duration MAX_SLEEP = Duration.ofSeconds(5);

  /** How often runs not yet confirmed by their agent are asked about. */
  static final Duration RECONCILE_INTERVAL = Duration.ofSeconds(5);

  /** Every this many reconcile rounds, every active run is asked about, confirmed or not. */
  static final int FULL_RECONCILE_EVERY = 6;

  /** Ask timeout for an agent's {@code GetRuns}. */
  static final Duration AGENT_ASK_TIMEOUT = Duration.ofSeconds(3);

  public sealed interface Command extends CborSerializable {}

  /** Creates or changes a job; answers {@link Saved} or {@link Rejected}. */
  public record Put(String job, CronSpec spec, ActorRef<Reply> replyTo) implements Command {}

  /**
   * Deletes a job and its history; runs still running finish. Answers {@link Saved} or NotFound.
   */
  public record Delete(String job, ActorRef<Reply> replyTo) implements Command {}

  /** Answers {@link Job} or {@link NotFound}. */
  public record Get(String job, ActorRef<Reply> replyTo) implements Command {}

  /** Answers {@link Jobs}. */
  public record ListJobs(ActorRef<Reply> replyTo) implements Command {}

  /** Answers {@link Runs} (newest first, at most {@code limit}) or {@link NotFound}. */
  public record GetRuns(String job, int limit, ActorRef<Reply> replyTo) implements Command {}

  /** A manual run now; answers {@link Triggered}, {@link NotFound} or {@link Rejected}. */
  public record Trigger(String job, ActorRef<Reply> replyTo) implements Command {}

  /** The last {@code tail} log lines of one run, from the agent of its host. */
  public record RunLogs(String job, String run, int tail, ActorRef<StatusReply<String>> replyTo)
      implements Command {}

  /**
   * Where the scheduler runs and what it holds ({@code GET /api/v1/singletons}): jobs, each job's
   * next tick, runs in flight and the fencing token.
   */
  public record Describe(ActorRef<SingletonInfo> replyTo) implements Command {}

  /** Answers {@link RevisionsInUse}: what the retention of revisions must keep for cronjobs. */
  public record GetRevisions(ActorRef<RevisionsInUse> replyTo) implements Command {}

  /**
   * @param byJob each job's revision
   */
  public record RevisionsInUse(java.util.Map<String, String> byJob) implements CborSerializable {}

  public sealed interface Reply extends CborSerializable {}

  /**
   * @param created true when the job is new
   */
  public record Saved(boolean created, CronView job) implements Reply {}

  public record Job(CronView job) implements Reply {}

  public record Jobs(List<CronView> jobs) implements Reply {}

  public record Runs(List<RunRecord> runs) implements Reply {}

  public record Triggered(RunRecord run) implements Reply {}

  public record NotFound(String message) implements Reply {}

  /**
   * The request cannot be done now: {@code conflict} true for a state conflict (409), false while
   * the scheduler is starting (503).
   */
  public record Rejected(boolean conflict, String message) implements Reply {}

  // Internal messages.

  enum Wake implements Command {
    INSTANCE
  }

  enum FenceNow implements Command {
    INSTANCE
  }

  enum Reconcile implements Command {
    INSTANCE
  }

  enum Stop implements Command {
    INSTANCE
  }

  record HostsChanged(HostDirectory.Hosts hosts) implements Command {}

  record FromAgent(RunStatus status) implements Command {}

  /** An agent's answer to GetRuns; {@code statuses} null when it did not answer in time. */
  record AgentRuns(String host, String incarnation, RunStatuses statuses) implements Command {}

  /**
   * Starts the singleton (once per cluster) and returns a proxy to it.
   *
   * @param hosts this node's host directory (where runs may go)
   */
  public static ActorRef<Command> init(
      ActorSystem<?> system, ActorRef<HostDirectory.Command> hosts) {
    return Singletons.get(system)
        .init(
            NAME,
            SingletonActor.of(create(hosts, Clock.systemUTC()), PERSISTENCE_ID)
                .withStopMessage(Stop.INSTANCE),
            Describe::new);
  }

  /** The scheduler's behaviour. */
  public static Behavior<Command> create(ActorRef<HostDirectory.Command> hosts, Clock clock) {
    return Behaviors.setup(
        ctx ->
            Behaviors.withTimers(
                timers -> new SchedulerBehavior(ctx, timers, hosts, clock, PERSISTENCE_ID)));
  }
}
