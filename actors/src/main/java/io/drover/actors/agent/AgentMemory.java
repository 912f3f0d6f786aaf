package io.drover.actors.agent;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import java.util.UUID;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What a host agent keeps across a restart after a failure (everything but its timers): the
 * instance runners (children, kept alive) and what the agent knows of them, so a restarted agent
 * adopts everything it ran. Filled in by {@link #firstStart} when the agent first starts.
 */
final class AgentMemory {
  String agentId;
  String incarnation;
  Ledger ledger;
  PortAllocator ports;

  /** The builds run and under way on this host; set at the first start. */
  Builds builds;

  final Map<String, Ledger.Entry> ledgerEntries = new TreeMap<>();
  final Map<String, Slot> slots = new LinkedHashMap<>();
  final Map<String, ActorRef<HostAgent.SiteReport>> reportTo = new TreeMap<>();
  final List<ActorRef<Done>> stopAllWaiters = new ArrayList<>();
  boolean shuttingDown;

  /** The cronjob runs child ({@code Runs}); spawned at the first start, kept across restarts. */
  ActorRef<Runs.Command> runs;

  /** The runs child answered the shutdown's stop: no run is left. */
  boolean runsStopped;

  int restarts;

  /** True once {@link #firstStart} ran: an agent created now is a restarted one. */
  boolean started() {
    return ports != null;
  }

  /**
   * Binds the port range, creates the agent's directories, reads (or creates) the agent id and
   * draws a new incarnation.
   */
  void firstStart(AgentSettings settings) throws IOException {
    ports = PortAllocator.bindChecking(settings.portMin(), settings.portMax());
    Path agentDir = settings.dataDir().resolve("agent");
    Files.createDirectories(agentDir);
    Files.createDirectories(settings.dataDir().resolve("logs"));
    agentId = agentId(agentDir);
    ledger = new Ledger(agentDir);
    incarnation = UUID.randomUUID().toString();
  }

  /** Stable per data dir: the marker every instance carries in its environment. */
  static String agentId(Path agentDir) throws IOException {
    Path file = agentDir.resolve("id");
    if (Files.exists(file)) {
      String id = Files.readString(file).strip();
      if (!id.isEmpty()) {
        return id;
      }
    }
    String id = UUID.randomUUID().toString();
    Path tmp = agentDir.resolve("id.tmp");
    Files.writeString(tmp, id + "\n");
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return id;
  }

  /**
   * Records the ledger entry of {@code instanceId} ({@code null}: it has no live process) and
   * rewrites the ledger when that changed anything.
   *
   * @throws IOException when the ledger cannot be written; the entry is recorded in memory anyway
   */
  void updateLedger(String instanceId, Ledger.Entry entry) throws IOException {
    Ledger.Entry before =
        entry == null ? ledgerEntries.remove(instanceId) : ledgerEntries.put(instanceId, entry);
    if (!Objects.equals(before, entry)) {
      ledger.write(List.copyOf(ledgerEntries.values()));
    }
  }
}
