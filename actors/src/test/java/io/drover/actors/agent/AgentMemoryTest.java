package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AgentMemoryTest {

  @TempDir Path dir;

  @Test
  void theAgentIdIsStablePerDataDir() throws Exception {
    String id = AgentMemory.agentId(dir);
    assertEquals(id, AgentMemory.agentId(dir));
    assertEquals(id + "\n", Files.readString(dir.resolve("id")));
    assertFalse(Files.exists(dir.resolve("id.tmp")));
  }

  @Test
  void theLedgerIsRewrittenOnlyWhenAnEntryChanges() throws Exception {
    AgentMemory memory = new AgentMemory();
    memory.ledger = new Ledger(dir);
    Ledger.Entry entry = new Ledger.Entry("web-1", "web", 42, "start");
    memory.updateLedger("web-1", entry);
    assertEquals(List.of(entry), memory.ledger.read());

    Files.delete(memory.ledger.file());
    memory.updateLedger("web-1", entry);
    assertFalse(Files.exists(memory.ledger.file()), "the same entry again writes nothing");

    memory.updateLedger("web-1", null);
    assertEquals(List.of(), memory.ledger.read());
    assertTrue(memory.ledgerEntries.isEmpty());
  }

  @Test
  void statusesAreOfOneSiteOrOfAllInSlotOrder() {
    Map<String, Slot> slots = new LinkedHashMap<>();
    slots.put("web-2", slot("web", "web-2"));
    slots.put("api-1", slot("api", "api-1"));
    slots.put("web-1", slot("web", "web-1"));
    assertEquals(
        List.of("web-2", "web-1"),
        Slot.statuses(slots.values(), "web").stream().map(InstanceStatus::id).toList());
    assertEquals(3, Slot.statuses(slots.values(), null).size());
  }

  private static Slot slot(String site, String id) {
    InstanceStatus status =
        new InstanceStatus(id, site, "h", 0, 0, InstanceState.STARTING, "r", 1, 0, null, null, 0);
    return new Slot(site, null, 0, Path.of(id + ".log"), status);
  }
}
