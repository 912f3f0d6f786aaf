package io.drover.actors.agent;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a host agent knows of one instance: its runner, port, log file and last status. Kept in
 * {@link AgentMemory}, so it survives a restart of the agent.
 */
final class Slot {
  final String site;
  final ActorRef<InstanceRunner.Command> runner;
  int port;
  final Path logFile;
  InstanceStatus status;
  boolean stopRequested;

  Slot(
      String site,
      ActorRef<InstanceRunner.Command> runner,
      int port,
      Path logFile,
      InstanceStatus status) {
    this.site = site;
    this.runner = runner;
    this.port = port;
    this.logFile = logFile;
    this.status = status;
  }

  /** Tells the runner to stop the instance, once: a later call does nothing. */
  void requestStop() {
    if (!stopRequested) {
      stopRequested = true;
      runner.tell(InstanceRunner.Stop.INSTANCE);
    }
  }

  /** The last status of every slot of {@code site} ({@code null}: of every site), in slot order. */
  static List<InstanceStatus> statuses(Collection<Slot> slots, String site) {
    List<InstanceStatus> out = new ArrayList<>();
    for (Slot slot : slots) {
      if (site == null || slot.site.equals(site)) {
        out.add(slot.status);
      }
    }
    return List.copyOf(out);
  }
}
