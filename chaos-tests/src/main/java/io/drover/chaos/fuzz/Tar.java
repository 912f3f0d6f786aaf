package io.drover.chaos.fuzz;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;

/**
 * Writes tar streams header by header, so that a test can build archives no well-behaved tar tool
 * would: any name, type flag, size field or checksum.
 */
final class Tar {

  static final int BLOCK = 512;

  private final ByteArrayOutputStream out = new ByteArrayOutputStream();

  /** Type flags of ustar, GNU and PAX. */
  static final char FILE = '0';

  static final char HARDLINK = '1';
  static final char SYMLINK = '2';
  static final char CHARDEV = '3';
  static final char FIFO = '6';
  static final char DIR = '5';
  static final char PAX = 'x';
  static final char PAX_GLOBAL = 'g';
  static final char GNU_LONGNAME = 'L';
  static final char GNU_LONGLINK = 'K';
  static final char GNU_SPARSE = 'S';

  /** A regular file with {@code data}. */
  Tar file(String name, byte[] data) {
    return entry(name, FILE, "", data, data.length, true);
  }

  /** A directory. */
  Tar dir(String name) {
    return entry(name, DIR, "", new byte[0], 0, true);
  }

  /** A link ({@link #SYMLINK} or {@link #HARDLINK}) to {@code target}. */
  Tar link(String name, char type, String target) {
    return entry(name, type, target, new byte[0], 0, true);
  }

  /**
   * One entry: a header whose size field says {@code declaredSize}, then {@code data} padded to a
   * block. A wrong {@code validChecksum} writes a checksum off by one.
   */
  Tar entry(
      String name,
      char type,
      String linkName,
      byte[] data,
      long declaredSize,
      boolean validChecksum) {
    byte[] h = new byte[BLOCK];
    put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
    put(h, 100, 8, octal(0644, 7));
    put(h, 108, 8, octal(0, 7));
    put(h, 116, 8, octal(0, 7));
    put(h, 124, 12, octal(declaredSize, 11));
    put(h, 136, 12, octal(1_700_000_000L, 11));
    h[156] = (byte) type;
    put(h, 157, 100, linkName.getBytes(StandardCharsets.UTF_8));
    put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
    put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    return header(h, validChecksum).data(data);
  }

  /** A raw header block: its checksum is computed here (and spoiled when asked). */
  Tar header(byte[] h, boolean validChecksum) {
    Arrays.fill(h, 148, 156, (byte) ' ');
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, 8, octal(validChecksum ? sum : sum + 1, 6));
    out.writeBytes(h);
    return this;
  }

  /** Raw bytes padded to a whole block. */
  Tar data(byte[] data) {
    out.writeBytes(data);
    int pad = (BLOCK - data.length % BLOCK) % BLOCK;
    out.writeBytes(new byte[pad]);
    return this;
  }

  /** The two zero blocks that end an archive. */
  byte[] finish() {
    out.writeBytes(new byte[2 * BLOCK]);
    return out.toByteArray();
  }

  /** The stream so far, without end blocks. */
  byte[] unfinished() {
    return out.toByteArray();
  }

  /** A PAX record {@code "LEN key=value\n"} with its correct length. */
  static String paxRecord(String key, String value) {
    String body = " " + key + "=" + value + "\n";
    int len = body.length() + 1;
    while (Integer.toString(len).length() + body.length() != len) {
      len++;
    }
    return len + body;
  }

  static byte[] gzip(byte[] data) {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(b)) {
      g.write(data);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return b.toByteArray();
  }

  static byte[] octal(long value, int digits) {
    String s = Long.toOctalString(value);
    if (s.length() > digits) {
      s = s.substring(s.length() - digits);
    }
    return (("0".repeat(digits - s.length())) + s + "\0").getBytes(StandardCharsets.US_ASCII);
  }

  static void put(byte[] h, int offset, int length, byte[] value) {
    System.arraycopy(value, 0, h, offset, Math.min(length, value.length));
  }
}
