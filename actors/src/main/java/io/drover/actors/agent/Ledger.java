package io.drover.actors.agent;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The processes an agent incarnation started, in {@code <dataDir>/agent/ledger.json}, so that the
 * next incarnation can kill what a crash left behind. Written atomically (temp file, then atomic
 * rename) every time an instance process starts or ends.
 */
final class Ledger {

  /**
   * One process.
   *
   * @param instanceId the instance it runs
   * @param site the instance's site
   * @param pid its pid, also its process group id
   * @param startInstant when the OS started it ({@code Instant.toString()}); a live process with
   *     this pid but another start instant is somebody else (pid reuse) and is left alone
   */
  record Entry(String instanceId, String site, long pid, String startInstant) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Path file;

  Ledger(Path agentDir) {
    this.file = agentDir.resolve("ledger.json");
  }

  Path file() {
    return file;
  }

  /** The entries; empty when there is no ledger yet. */
  List<Entry> read() throws IOException {
    try {
      return JSON.readValue(Files.readAllBytes(file), new TypeReference<List<Entry>>() {});
    } catch (NoSuchFileException e) {
      return List.of();
    }
  }

  void write(List<Entry> entries) throws IOException {
    List<Entry> sorted = new ArrayList<>(entries);
    sorted.sort(Comparator.comparing(Entry::instanceId));
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    Files.write(tmp, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(sorted));
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
