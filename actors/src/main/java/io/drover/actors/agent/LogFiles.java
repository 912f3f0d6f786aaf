package io.drover.actors.agent;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/** Instance log files: reading the last lines from the end, and copytruncate rotation. */
final class LogFiles {

  static final int MAX_TAIL_LINES = 10_000;
  private static final int BLOCK = 8192;

  private LogFiles() {}

  /** {@code <name>.1} next to {@code log}. */
  static Path rotated(Path log) {
    return log.resolveSibling(log.getFileName() + ".1");
  }

  /**
   * The last {@code lines} lines of {@code log}, continuing into its rotated file only when the
   * current one has fewer; read backwards from the end, so the cost follows the answer, not the
   * file size. Missing files count as empty.
   */
  static List<String> tail(Path log, int lines) throws IOException {
    int wanted = Math.max(0, Math.min(lines, MAX_TAIL_LINES));
    Deque<String> out = new ArrayDeque<>();
    if (wanted == 0) {
      return List.of();
    }
    tailInto(log, wanted, out);
    if (out.size() < wanted) {
      Deque<String> older = new ArrayDeque<>();
      tailInto(rotated(log), wanted - out.size(), older);
      while (!older.isEmpty()) {
        out.addFirst(older.removeLast());
      }
    }
    return new ArrayList<>(out);
  }

  /** The last lines joined, at most {@code maxChars} (cut at the front). Never throws. */
  static String shortTail(Path log, int lines, int maxChars) {
    try {
      String text = String.join("\n", tail(log, lines)).strip();
      return text.length() <= maxChars ? text : "…" + text.substring(text.length() - maxChars);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  private static void tailInto(Path file, int wanted, Deque<String> out) throws IOException {
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long end = raf.length();
      // A trailing newline ends the last line; it does not start an empty one.
      if (end > 0) {
        raf.seek(end - 1);
        if (raf.read() == '\n') {
          end--;
        }
      }
      long pos = end;
      byte[] pending = new byte[0];
      while (out.size() < wanted && pos > 0) {
        int n = (int) Math.min(BLOCK, pos);
        pos -= n;
        byte[] block = new byte[n + pending.length];
        raf.seek(pos);
        raf.readFully(block, 0, n);
        System.arraycopy(pending, 0, block, n, pending.length);
        int lineEnd = block.length;
        for (int i = block.length - 1; i >= 0 && out.size() < wanted; i--) {
          if (block[i] == '\n') {
            out.addFirst(decode(block, i + 1, lineEnd));
            lineEnd = i;
          }
        }
        pending = java.util.Arrays.copyOfRange(block, 0, lineEnd);
        if (out.size() >= wanted) {
          return;
        }
      }
      if (pos == 0 && out.size() < wanted && (pending.length > 0 || end > 0)) {
        out.addFirst(decode(pending, 0, pending.length));
      }
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      // no such log yet
    }
  }

  private static String decode(byte[] b, int from, int to) {
    int end = to;
    if (end > from && b[end - 1] == '\r') {
      end--;
    }
    return new String(b, from, end - from, StandardCharsets.UTF_8);
  }

  /**
   * Copytruncate: when {@code log} is larger than {@code maxBytes}, copy it to {@code <name>.1}
   * (replacing an older one) and truncate it in place. The process keeps writing to the same file;
   * it opened it with O_APPEND, so its next write lands at the new end. Lines written between copy
   * and truncate are lost, the accepted price of copytruncate.
   *
   * @return true if it rotated
   */
  static boolean rotateIfLarger(Path log, long maxBytes) throws IOException {
    long size;
    try {
      size = Files.size(log);
    } catch (NoSuchFileException e) {
      return false;
    }
    if (size <= maxBytes) {
      return false;
    }
    Path tmp = log.resolveSibling(log.getFileName() + ".1.tmp");
    Files.copy(log, tmp, StandardCopyOption.REPLACE_EXISTING);
    Files.move(
        tmp, rotated(log), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    try (FileChannel ch = FileChannel.open(log, StandardOpenOption.WRITE)) {
      ch.truncate(0);
    }
    return true;
  }
}
