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

  /** The most a tail reads, whatever the lines asked: a log without newlines costs this much. */
  static final long MAX_TAIL_BYTES = 1024 * 1024;

  private static final String CUT = "…";
  private static final int BLOCK = 8192;

  private LogFiles() {}

  /** {@code <name>.1} next to {@code log}. */
  static Path rotated(Path log) {
    return log.resolveSibling(log.getFileName() + ".1");
  }

  /**
   * The last {@code lines} lines of {@code log}, continuing into its rotated file only when the
   * current one has fewer; read backwards from the end, so the cost follows the answer, not the
   * file size, and at most {@link #MAX_TAIL_BYTES} are read: a longer answer (a log without
   * newlines) starts with a cut line marked {@code "…"}. Missing files count as empty.
   */
  static List<String> tail(Path log, int lines) throws IOException {
    return tail(log, lines, MAX_TAIL_BYTES).lines();
  }

  /**
   * The last lines and how many bytes were read to find them; reads at most {@code maxBytes} plus
   * one block, each byte once.
   */
  static Tail tail(Path log, int lines, long maxBytes) throws IOException {
    int wanted = Math.max(0, Math.min(lines, MAX_TAIL_LINES));
    if (wanted == 0) {
      return new Tail(List.of(), 0);
    }
    Deque<String> out = new ArrayDeque<>();
    long read = tailInto(log, wanted, maxBytes, out);
    if (out.size() < wanted && read < maxBytes) {
      Deque<String> older = new ArrayDeque<>();
      read += tailInto(rotated(log), wanted - out.size(), maxBytes - read, older);
      while (!older.isEmpty()) {
        out.addFirst(older.removeLast());
      }
    }
    return new Tail(new ArrayList<>(out), read);
  }

  /** The last lines joined, at most {@code maxChars} (cut at the front). Never throws. */
  static String shortTail(Path log, int lines, int maxChars) {
    try {
      // Called on a runner's thread: bounded small, a few blocks whatever the file holds.
      long budget = Math.max(BLOCK, 4L * maxChars);
      String text = String.join("\n", tail(log, lines, budget).lines()).strip();
      return text.length() <= maxChars ? text : CUT + text.substring(text.length() - maxChars);
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /**
   * The last lines of a file and the bytes read for them.
   *
   * @param lines oldest first; the first starts with {@code "…"} when the byte cap cut it
   */
  record Tail(List<String> lines, long bytesRead) {}

  /**
   * Adds up to {@code wanted} last lines of {@code file} to the front of {@code out}, reading
   * backwards block by block (each byte once) and at most about {@code budget} bytes.
   *
   * @return the bytes read
   */
  private static long tailInto(Path file, int wanted, long budget, Deque<String> out)
      throws IOException {
    if (budget <= 0) {
      return 0;
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long end = raf.length();
      long read = 0;
      // A trailing newline ends the last line; it does not start an empty one.
      if (end > 0) {
        raf.seek(end - 1);
        read++;
        if (raf.read() == '\n') {
          end--;
        }
      }
      // Blocks newest first, kept as read: nothing is copied until the lines are known.
      Deque<byte[]> blocks = new ArrayDeque<>();
      long pos = end;
      int newlines = 0;
      long start = -1; // offset just after the newline before the oldest wanted line
      while (pos > 0 && start < 0 && read < budget) {
        int n = (int) Math.min(BLOCK, pos);
        pos -= n;
        byte[] block = new byte[n];
        raf.seek(pos);
        raf.readFully(block);
        read += n;
        blocks.addFirst(block);
        for (int i = n - 1; i >= 0; i--) {
          if (block[i] == '\n' && ++newlines == wanted) {
            start = pos + i + 1;
            break;
          }
        }
      }
      boolean wholeFile = start < 0 && pos == 0;
      if (start < 0) {
        start = pos;
      }
      byte[] text = new byte[(int) (end - start)];
      int at = 0;
      long blockStart = pos;
      for (byte[] block : blocks) {
        int from = (int) Math.max(0, start - blockStart);
        int len = Math.min(block.length - from, text.length - at);
        if (len > 0) {
          System.arraycopy(block, from, text, at, len);
          at += len;
        }
        blockStart += block.length;
      }
      List<String> lines = new ArrayList<>();
      int lineStart = 0;
      for (int i = 0; i < text.length; i++) {
        if (text[i] == '\n') {
          lines.add(decode(text, lineStart, i));
          lineStart = i + 1;
        }
      }
      if (end > 0 || !lines.isEmpty()) {
        lines.add(decode(text, lineStart, text.length));
      }
      if (!wholeFile && start == pos && !lines.isEmpty() && pos > 0) {
        lines.set(0, CUT + lines.get(0));
      }
      for (int i = lines.size() - 1; i >= 0; i--) {
        out.addFirst(lines.get(i));
      }
      return read;
    } catch (NoSuchFileException | java.io.FileNotFoundException e) {
      return 0; // no such log yet
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
