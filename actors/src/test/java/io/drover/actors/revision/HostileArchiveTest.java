package io.drover.actors.revision;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.revision.RevisionRejected.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hand-built tar.gz bytes that try to make the store read, hold or write without bound. */
class HostileArchiveTest {

  @TempDir Path tmp;
  private RevisionStore store;

  @BeforeEach
  void setUp() {
    store =
        new RevisionStore(
            tmp.resolve("data"),
            64L * 1024 * 1024,
            new ArchiveLimits(1_000_000, 10, 4096, 64, 64 * 1024));
  }

  // ---- raw tar building ----

  /** One 512-byte tar header; {@code gnu} selects the old GNU magic, else POSIX ustar. */
  private static byte[] header(String name, char type, long size, boolean gnu) {
    byte[] h = new byte[512];
    put(h, 0, 100, name.getBytes(StandardCharsets.UTF_8));
    put(h, 100, 8, octal(0644, 7));
    put(h, 108, 8, octal(0, 7));
    put(h, 116, 8, octal(0, 7));
    put(h, 124, 12, octal(size, 11));
    put(h, 136, 12, octal(0, 11));
    h[156] = (byte) type;
    if (gnu) {
      put(h, 257, 8, "ustar  \0".getBytes(StandardCharsets.US_ASCII));
    } else {
      put(h, 257, 6, "ustar\0".getBytes(StandardCharsets.US_ASCII));
      put(h, 263, 2, "00".getBytes(StandardCharsets.US_ASCII));
    }
    for (int i = 148; i < 156; i++) {
      h[i] = ' ';
    }
    long sum = 0;
    for (byte b : h) {
      sum += b & 0xff;
    }
    put(h, 148, 8, (String.format("%06o", sum) + "\0 ").getBytes(StandardCharsets.US_ASCII));
    return h;
  }

  private static byte[] octal(long value, int digits) {
    return (String.format("%0" + digits + "o", value) + "\0").getBytes(StandardCharsets.US_ASCII);
  }

  private static void put(byte[] h, int at, int max, byte[] value) {
    System.arraycopy(value, 0, h, at, Math.min(max, value.length));
  }

  /** An entry: header plus data padded to 512 bytes. */
  private static void entry(ByteArrayOutputStream tar, byte[] header, byte[] data) {
    tar.writeBytes(header);
    tar.writeBytes(data);
    tar.writeBytes(new byte[(512 - data.length % 512) % 512]);
  }

  /** One PAX record, {@code "<len> key=value\n"} with the length counting itself. */
  private static String pax(String key, String value) {
    int rest = 1 + key.length() + 1 + value.getBytes(StandardCharsets.UTF_8).length + 1;
    int len = rest + Integer.toString(rest).length();
    if (Integer.toString(len).length() != Integer.toString(rest).length()) {
      len++;
    }
    return len + " " + key + "=" + value + "\n";
  }

  private static void paxEntry(ByteArrayOutputStream tar, String name, String records) {
    byte[] data = records.getBytes(StandardCharsets.UTF_8);
    entry(tar, header("PaxHeaders/" + name, 'x', data.length, false), data);
  }

  private static void file(ByteArrayOutputStream tar, String name, String text) {
    byte[] data = text.getBytes(StandardCharsets.UTF_8);
    entry(tar, header(name, '0', data.length, false), data);
  }

  private Path upload(ByteArrayOutputStream tar) throws IOException {
    tar.writeBytes(new byte[1024]);
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(tar.toByteArray());
    }
    Path upload = Files.createTempFile(store.uploadsDir(), "hostile", ".tar.gz");
    Files.write(upload, gz.toByteArray());
    return upload;
  }

  private RevisionRejected refused(ByteArrayOutputStream tar, String... fragments)
      throws IOException {
    Path upload = upload(tar);
    RevisionRejected e = assertThrows(RevisionRejected.class, () -> store.importFile(upload));
    for (String fragment : fragments) {
      assertTrue(e.getMessage().contains(fragment), e.getMessage());
    }
    assertTrue(e.getMessage().length() < 1000, "a short message: " + e.getMessage().length());
    assertTrue(store.list().isEmpty());
    assertFalse(Files.exists(upload));
    return e;
  }

  // ---- the tests ----

  @Test
  void aPlainArchiveIsAccepted() throws Exception {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    paxEntry(tar, "run.sh", pax("path", "bin/run.sh"));
    file(tar, "ignored", "#!/bin/sh\n");
    RevisionInfo info = store.importFile(upload(tar));
    assertEquals(1, info.files());
    assertTrue(Files.isRegularFile(store.releaseDir(info.id()).resolve("bin/run.sh")));
  }

  @Test
  void aHugePaxHeaderIsRefusedBeforeItIsRead() throws Exception {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    paxEntry(tar, "f", pax("comment", "z".repeat(2 * 1024 * 1024)));
    file(tar, "f", "x");
    RevisionRejected e =
        refused(tar, "PaxHeaders/f", "65536", ArchiveLimits.MAX_HEADER_BYTES_SETTING);
    assertEquals(Reason.TOO_LARGE, e.reason());
  }

  @Test
  void aPaxHeaderClaimingAHugeSizeIsRefusedWithoutReadingIt() throws Exception {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    tar.writeBytes(header("PaxHeaders/f", 'x', 8L * 1024 * 1024 * 1024 - 1, false));
    RevisionRejected e = refused(tar, "PaxHeaders/f", ArchiveLimits.MAX_HEADER_BYTES_SETTING);
    assertEquals(Reason.TOO_LARGE, e.reason());
  }

  @Test
  void aHugeGnuLongNameIsRefusedBeforeItIsRead() throws Exception {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    byte[] name = ("a".repeat(1024 * 1024) + "\0").getBytes(StandardCharsets.US_ASCII);
    entry(tar, header("././@LongLink", 'L', name.length, true), name);
    entry(tar, header("short", '0', 1, true), new byte[] {'x'});
    RevisionRejected e =
        refused(tar, "GNU long name", "4096", ArchiveLimits.MAX_NAME_BYTES_SETTING);
    assertEquals(Reason.TOO_LARGE, e.reason());
  }

  @Test
  void aLongPaxPathIsRefusedNamingTheEntry() throws Exception {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    String name = "n".repeat(5000);
    paxEntry(tar, "n", pax("path", name));
    file(tar, "n", "x");
    refused(tar, "entry 'nnnn", "5000 bytes", ArchiveLimits.MAX_NAME_BYTES_SETTING);
  }

  @Test
  void aDeepPathIsRefusedNamingTheEntry() throws Exception {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    String name = "d/".repeat(100) + "f";
    paxEntry(tar, "f", pax("path", name));
    file(tar, "f", "x");
    refused(tar, "entry 'd/d/", "101 directories deep", ArchiveLimits.MAX_DEPTH_SETTING);
  }

  @Test
  void tooManyEntriesAreRefusedNamingTheFirstOneOver() throws Exception {
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    for (int i = 0; i < 11; i++) {
      file(tar, "f" + i, "x");
    }
    RevisionRejected e = refused(tar, "entry 'f10'", "10", ArchiveLimits.MAX_ENTRIES_SETTING);
    assertEquals(Reason.TOO_LARGE, e.reason());
  }

  @Test
  void aSparseFileCountsAtItsRealSize() throws Exception {
    // PAX 1.0 sparse: 512 stored bytes (the map: one empty region) that unpack to 2 GB of zeros
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    paxEntry(
        tar,
        "big",
        pax("GNU.sparse.major", "1")
            + pax("GNU.sparse.minor", "0")
            + pax("GNU.sparse.name", "big")
            + pax("GNU.sparse.realsize", "2000000000"));
    file(tar, "GNUSparseFile.0/big", "1\n0\n0\n" + "\0".repeat(506));
    RevisionRejected e =
        refused(tar, "big", "2000000000", RevisionStore.MAX_UNPACKED_BYTES_SETTING);
    assertEquals(Reason.TOO_LARGE, e.reason());
  }

  @Test
  void aHugeSparseMapIsRefusedByTheHeaderBudget() throws Exception {
    StringBuilder map = new StringBuilder("200000\n");
    for (int i = 0; i < 200_000; i++) {
      map.append(i * 2).append("\n1\n");
    }
    ByteArrayOutputStream tar = new ByteArrayOutputStream();
    paxEntry(
        tar,
        "big",
        pax("GNU.sparse.major", "1")
            + pax("GNU.sparse.minor", "0")
            + pax("GNU.sparse.name", "big")
            + pax("GNU.sparse.realsize", "400000"));
    file(tar, "GNUSparseFile.0/big", map.toString());
    RevisionRejected e = refused(tar, "headers of the entry", "PAX records");
    assertEquals(Reason.TOO_LARGE, e.reason());
  }
}
