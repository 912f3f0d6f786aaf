package io.drover.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import io.drover.actors.agent.HostAgent;
import io.drover.actors.agent.SimulatedAgent;
import io.drover.actors.common.Durations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The simulated hosts a node runs besides its real one ({@code drover.simulated}; none by default):
 * each is a {@link SimulatedAgent} registered as its own host ({@code <node host>-sim-<i>}, pool
 * {@code sim-<i mod pools>}) with its own {@link io.drover.actors.host.HostEntity} record, for
 * fleet-scale measurements on one machine. Read once at start-up and validated: a value out of
 * bounds refuses the start with what to fix.
 *
 * @param hosts how many simulated hosts (0: none)
 * @param pools how many pools they are spread over, round robin
 * @param startTime how long a simulated instance starts before it is ready
 * @param stopTime how long a simulated instance stops before it is gone
 * @param failRevisions revisions whose simulated instances crash before ready
 */
public record SimulatedHosts(
    int hosts, int pools, Duration startTime, Duration stopTime, Set<String> failRevisions) {

  private static final Logger log = LoggerFactory.getLogger(SimulatedHosts.class);

  /** Most simulated hosts one node runs. */
  public static final int MAX_HOSTS = 5000;

  /** Most pools. */
  public static final int MAX_POOLS = 1000;

  /** Longest start time. */
  public static final Duration MAX_START_TIME = Duration.ofMinutes(10);

  /** Longest stop time. */
  public static final Duration MAX_STOP_TIME = Duration.ofMinutes(1);

  public SimulatedHosts {
    failRevisions = Set.copyOf(failRevisions);
  }

  /** None. */
  public static SimulatedHosts none() {
    return new SimulatedHosts(0, 1, Duration.ZERO, Duration.ZERO, Set.of());
  }

  /**
   * Reads and checks {@code drover.simulated}.
   *
   * @throws StartRefused with what to fix when a value is out of bounds or of the wrong type
   */
  public static SimulatedHosts fromConfig(Config config) {
    Config s = config.getConfig("drover.simulated");
    SimulatedHosts read;
    try {
      read =
          new SimulatedHosts(
              s.getInt("hosts"),
              s.getInt("pools"),
              s.getDuration("start-time"),
              s.getDuration("stop-time"),
              Set.copyOf(s.getStringList("fail-revisions")));
    } catch (ConfigException e) {
      throw new StartRefused("drover.simulated: " + e.getMessage(), e);
    }
    String problem = read.problem();
    if (problem != null) {
      throw new StartRefused(problem, null);
    }
    return read;
  }

  /** What is wrong with these settings, or {@code null}. */
  String problem() {
    if (hosts < 0 || hosts > MAX_HOSTS) {
      return "drover.simulated.hosts must be between 0 and " + MAX_HOSTS + ", got " + hosts;
    }
    if (pools < 1 || pools > MAX_POOLS) {
      return "drover.simulated.pools must be between 1 and " + MAX_POOLS + ", got " + pools;
    }
    if (startTime.isNegative() || startTime.compareTo(MAX_START_TIME) > 0) {
      return "drover.simulated.start-time must be between 0s and "
          + Durations.format(MAX_START_TIME)
          + ", got "
          + Durations.format(startTime);
    }
    if (stopTime.isNegative() || stopTime.compareTo(MAX_STOP_TIME) > 0) {
      return "drover.simulated.stop-time must be between 0s and "
          + Durations.format(MAX_STOP_TIME)
          + ", got "
          + Durations.format(stopTime);
    }
    return null;
  }

  /** The name of simulated host {@code i} of the node on {@code nodeHost}. */
  static String hostName(String nodeHost, int i) {
    return String.format("%s-sim-%04d", nodeHost, i);
  }

  /** The pool of simulated host {@code i}. */
  String pool(int i) {
    return "sim-" + (i % pools);
  }

  /** One simulated host's agent, once spawned. */
  record Spawned(String host, ActorRef<HostAgent.Command> agent) {}

  /**
   * Spawns every simulated host's agent as a child of {@code ctx} (the node's guardian).
   *
   * @return the agents, for their host registration
   */
  List<Spawned> spawn(ActorContext<?> ctx, NodeSettings node) {
    List<Spawned> out = new ArrayList<>();
    for (int i = 0; i < hosts; i++) {
      String name = hostName(node.host(), i);
      ActorRef<HostAgent.Command> agent =
          ctx.spawn(
              SimulatedAgent.create(
                  new SimulatedAgent.Settings(
                      name,
                      pool(i),
                      startTime,
                      stopTime,
                      failRevisions,
                      node.agent().reportInterval(),
                      SimulatedAgent.RETRY_DELAY)),
              "simulated-host-" + i);
      out.add(new Spawned(name, agent));
    }
    if (hosts > 0) {
      log.info(
          "{} simulated hosts {} .. {} in {} pools sim-0 .. sim-{}: start time {}, stop time {},"
              + " failing revisions {}",
          hosts,
          hostName(node.host(), 0),
          hostName(node.host(), hosts - 1),
          pools,
          pools - 1,
          Durations.format(startTime),
          Durations.format(stopTime),
          failRevisions);
    }
    return List.copyOf(out);
  }
}
