package io.drover.actors.agent;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * The cronjob runs an agent knows and the highest fencing token it has seen, on disk under {@code
 * <dataDir>/agent/}: {@code fence} (one number) and {@code runs.json} (the records, oldest first,
 * and the fence again). Each file is written whole and atomically (temp file, fsync, atomic
 * rename), so a reader sees the old or the new content, never a torn one. The fence read back is
 * the highest of both files and of every record's own token: either file alone keeps it.
 */
final class RunBook {

  /**
   * What {@link #load} found.
   *
   * @param fence the highest fencing token on disk (0 when there is none)
   * @param runs the records, oldest first
   * @param problem what could not be read (the runs file is then moved aside), or {@code null}
   * @param runsLost the runs file existed but could not be read now: run ids may have been
   *     forgotten
   * @param recordsLostAt when run records were lost (now, or as an earlier incarnation recorded
   *     it), or {@code null}: ticks before it may have run here
   */
  record Loaded(
      long fence, List<RunRecord> runs, String problem, boolean runsLost, Instant recordsLostAt) {}

  /**
   * The content of {@code runs.json}.
   *
   * @param recordsLostAt {@code Instant.toString()} of the last loss of the runs file, or null
   */
  record Content(long fence, List<RunRecord> runs, String recordsLostAt) {}

  private static final ObjectMapper JSON =
      new ObjectMapper().configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);

  private final Path fenceFile;
  private final Path runsFile;

  RunBook(Path agentDir) {
    this.fenceFile = agentDir.resolve("fence");
    this.runsFile = agentDir.resolve("runs.json");
  }

  Path runsFile() {
    return runsFile;
  }

  /** Reads both files; never throws: what it cannot read is named in {@link Loaded#problem}. */
  Loaded load() {
    List<String> problems = new ArrayList<>();
    long fence = 0;
    try {
      fence = Long.parseLong(Files.readString(fenceFile).strip());
    } catch (NoSuchFileException e) {
      // first start
    } catch (IOException | NumberFormatException e) {
      problems.add("unreadable fence file " + fenceFile + " (" + oneLine(e) + ")");
    }
    List<RunRecord> runs = List.of();
    boolean lost = false;
    Instant lostAt = null;
    try {
      Content c = JSON.readValue(Files.readAllBytes(runsFile), Content.class);
      runs = c.runs() == null ? List.of() : List.copyOf(c.runs());
      fence = Math.max(fence, c.fence());
      lostAt = c.recordsLostAt() == null ? null : Instant.parse(c.recordsLostAt());
      for (RunRecord r : runs) {
        fence = Math.max(fence, r.fence());
      }
    } catch (NoSuchFileException e) {
      // first start
    } catch (IOException | RuntimeException e) {
      lost = true;
      lostAt = Instant.now();
      Path aside = runsFile.resolveSibling("runs.json.unreadable");
      String moved;
      try {
        Files.move(runsFile, aside, StandardCopyOption.REPLACE_EXISTING);
        moved = "moved to " + aside;
      } catch (IOException m) {
        moved = "could not move it aside: " + m.getMessage();
      }
      problems.add("unreadable runs file " + runsFile + " (" + oneLine(e) + "; " + moved + ")");
    }
    return new Loaded(
        fence, runs, problems.isEmpty() ? null : String.join("; ", problems), lost, lostAt);
  }

  private static String oneLine(Exception e) {
    return String.valueOf(e.getMessage()).replaceAll("\\s*\n\\s*", " ");
  }

  void saveFence(long fence) throws IOException {
    atomicWrite(fenceFile, (fence + "\n").getBytes(StandardCharsets.UTF_8));
  }

  void saveRuns(long fence, Collection<RunRecord> oldestFirst, Instant recordsLostAt)
      throws IOException {
    Content c =
        new Content(
            fence,
            List.copyOf(oldestFirst),
            recordsLostAt == null ? null : recordsLostAt.toString());
    atomicWrite(runsFile, JSON.writeValueAsBytes(c));
  }

  private static void atomicWrite(Path file, byte[] bytes) throws IOException {
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch =
        FileChannel.open(
            tmp,
            StandardOpenOption.CREATE,
            StandardOpenOption.TRUNCATE_EXISTING,
            StandardOpenOption.WRITE)) {
      ByteBuffer buf = ByteBuffer.wrap(bytes);
      while (buf.hasRemaining()) {
        ch.write(buf);
      }
      ch.force(true);
    }
    Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }
}
