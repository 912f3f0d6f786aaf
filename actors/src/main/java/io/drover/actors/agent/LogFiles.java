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
import java.util.concurrent.TimeUnit;

/** Instance log files: reading the last lines from the end, and copytruncate rotation. */
final class LogFiles {

  static final int MAX_TAIL_LINES = 10_000;

  /** The most a tail reads, whatever the lines asked: a log without newlines costs this much. */
  static final long MAX_TAIL_BYTES = 1024 * 1024;

  /** The most bytes one {@link #read} answers. */
  static final long MAX_READ_BYTES = 1024 * 1024;

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
    return tail(log, lines, maxBytes, Long.MAX_VALUE);
  }

  /** As {@link #tail(Path, int, long)}, of {@code log}'s bytes before {@code endAt} only. */
  private static Tail tail(Path log, int lines, long maxBytes, long endAt) throws IOException {
    int wanted = Math.max(0, Math.min(lines, MAX_TAIL_LINES));
    if (wanted == 0) {
      return new Tail(List.of(), 0);
    }
    Deque<String> out = new ArrayDeque<>();
    long read = tailInto(log, wanted, maxBytes, endAt, out);
    if (out.size() < wanted && read < maxBytes) {
      Deque<String> older = new ArrayDeque<>();
      read += tailInto(rotated(log), wanted - out.size(), maxBytes - read, Long.MAX_VALUE, older);
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
   * backwards block by block (each byte once) from {@code endAt} (or the end) and at most about
   * {@code budget} bytes.
   *
   * @return the bytes read
   */
  private static long tailInto(Path file, int wanted, long budget, long endAt, Deque<String> out)
      throws IOException {
    if (budget <= 0) {
      return 0;
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      long end = Math.min(raf.length(), endAt);
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
   * What follows {@code since} in {@code log}: whole lines only (a line still being written waits
   * for its newline), at most {@code maxBytes} of them, and the cursor to read on from. A cursor
   * from before a rotation reads the rest of the rotated file first, when all of it fits; otherwise
   * (or when the cursor is past what is kept) the answer starts at the current file's beginning and
   * says lines were skipped. {@link LogCursor#END} answers the last {@code tail} lines before the
   * end of the last whole line. A rotation during the read answers nothing and the same cursor.
   */
  static LogChunk read(Path log, LogCursor since, int tail, long maxBytes) throws IOException {
    long rotation = fingerprint(rotated(log));
    long size = sizeOf(log);
    if (since.position() < 0) {
      long end = lastLineEnd(log, size, maxBytes);
      List<String> lines = tail(log, Math.max(0, tail), maxBytes, end).lines();
      return new LogChunk(lines, new LogCursor(end, rotation).text(), false, false);
    }
    List<String> lines = new ArrayList<>();
    long start = since.position();
    long budget = maxBytes;
    boolean skipped = false;
    boolean rotatedSince = since.rotation() != null && since.rotation() != rotation;
    if (rotatedSince || start > size) {
      long kept = sizeOf(rotated(log));
      if (rotatedSince && start <= kept && kept - start <= budget) {
        byte[] rest = readRange(rotated(log), start, (int) (kept - start));
        addLines(rest, rest.length, lines);
        budget -= rest.length;
      } else {
        skipped = true;
      }
      start = 0;
    }
    int n = (int) Math.max(0, Math.min(budget, size - start));
    byte[] bytes = readRange(log, start, n);
    int whole = bytes.length;
    while (whole > 0 && bytes[whole - 1] != '\n') {
      whole--;
    }
    boolean capped = size - start > budget;
    if (whole == 0 && capped) {
      whole = bytes.length; // one line longer than an answer: it comes in pieces
    }
    addLines(bytes, whole, lines);
    if (fingerprint(rotated(log)) != rotation) {
      return new LogChunk(List.of(), since.text(), false, false);
    }
    return new LogChunk(lines, new LogCursor(start + whole, rotation).text(), skipped, capped);
  }

  /** Identifies one rotated file (its time and size); 0 when there is none. */
  private static long fingerprint(Path rotated) throws IOException {
    try {
      return Files.getLastModifiedTime(rotated).to(TimeUnit.NANOSECONDS) * 31 + Files.size(rotated);
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  private static long sizeOf(Path file) throws IOException {
    try {
      return Files.size(file);
    } catch (NoSuchFileException e) {
      return 0;
    }
  }

  /** The offset just after the last newline in the last {@code maxBytes} before {@code size}. */
  private static long lastLineEnd(Path log, long size, long maxBytes) throws IOException {
    int n = (int) Math.min(size, maxBytes);
    byte[] bytes = readRange(log, size - n, n);
    for (int i = bytes.length - 1; i >= 0; i--) {
      if (bytes[i] == '\n') {
        return size - n + i + 1;
      }
    }
    return n == size ? 0 : size; // no newline at all yet, or a line longer than can be searched
  }

  /** Up to {@code n} bytes of {@code file} from {@code from}; fewer if it is shorter now. */
  private static byte[] readRange(Path file, long from, int n) throws IOException {
    if (n <= 0) {
      return new byte[0];
    }
    try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "r")) {
      int len = (int) Math.max(0, Math.min(n, raf.length() - from));
      byte[] bytes = new byte[len];
      raf.seek(from);
      raf.readFully(bytes);
      return bytes;
    } catch (java.io.FileNotFoundException e) {
      return new byte[0];
    }
  }

  /** The lines of {@code bytes[0, len)}; a final line without newline counts too. */
  private static void addLines(byte[] bytes, int len, List<String> out) {
    int lineStart = 0;
    for (int i = 0; i < len; i++) {
      if (bytes[i] == '\n') {
        out.add(decode(bytes, lineStart, i));
        lineStart = i + 1;
      }
    }
    if (lineStart < len) {
      out.add(decode(bytes, lineStart, len));
    }
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
