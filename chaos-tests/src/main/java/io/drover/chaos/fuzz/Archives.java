package io.drover.chaos.fuzz;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Random;

/**
 * Revision archives for {@code POST /api/v1/revisions}: valid ones (from a small set, so that
 * uploading again is exercised too), truncated ones and hostile ones.
 */
public final class Archives {

  /**
   * One generated archive.
   *
   * @param kind what it is, e.g. {@code traversal}
   * @param bytes the upload body
   * @param mustRefuse why a node must refuse it, or {@code null} when it may accept it
   */
  public record Archive(String kind, byte[] bytes, String mustRefuse) {}

  /** How many different valid archives there are. */
  public static final int VALID_VARIANTS = 6;

  private Archives() {}

  /** A small valid revision, one of {@link #VALID_VARIANTS}. */
  public static byte[] valid(int variant) {
    return Tar.gzip(validTar(variant));
  }

  private static byte[] validTar(int variant) {
    return new Tar()
        .dir("app/")
        .file("app/run.sh", "#!/bin/sh\nexec sleep 600\n".getBytes(StandardCharsets.UTF_8))
        .file("app/VERSION", ("fuzz " + variant + "\n").getBytes(StandardCharsets.UTF_8))
        .finish();
  }

  /** One archive: valid about a fifth of the time, else truncated or hostile. */
  public static Archive any(Random rnd) {
    int pick = rnd.nextInt(26);
    int v = rnd.nextInt(VALID_VARIANTS);
    byte[] valid = valid(v);
    return switch (pick) {
      case 0, 1, 2, 3, 4 -> new Archive("valid", valid, null);
      case 5 ->
          new Archive(
              "truncated-gzip",
              Arrays.copyOf(valid, 1 + rnd.nextInt(valid.length - 1)),
              "truncated gzip");
      case 6 -> {
        byte[] tar = validTar(v);
        yield new Archive(
            "truncated-tar",
            Tar.gzip(Arrays.copyOf(tar, 1 + rnd.nextInt(tar.length - 2 * Tar.BLOCK))),
            null);
      }
      case 7 -> new Archive("empty", new byte[0], "empty upload");
      case 8 -> {
        byte[] junk = new byte[1 + rnd.nextInt(4096)];
        rnd.nextBytes(junk);
        yield new Archive("not-gzip", junk, "not a gzip stream");
      }
      case 9 -> {
        byte[] junk = new byte[1 + rnd.nextInt(4096)];
        rnd.nextBytes(junk);
        yield new Archive("gzip-not-tar", Tar.gzip(junk), null);
      }
      case 10 -> entry("traversal", "app/../../../../tmp/drover-fuzz-escape", Tar.FILE, "");
      case 11 -> entry("absolute", "/tmp/drover-fuzz-absolute", Tar.FILE, "");
      case 12 ->
          new Archive(
              "symlink-escape",
              Tar.gzip(
                  new Tar()
                      .link("app/out", Tar.SYMLINK, "/tmp")
                      .file("app/out/drover-fuzz-symlink", bytes("x"))
                      .finish()),
              "writes through a symlink out of the release");
      case 13 -> entry("hardlink-out", "app/passwd", Tar.HARDLINK, "/etc/passwd");
      case 14 -> entry("device", "app/dev", Tar.CHARDEV, "");
      case 15 -> entry("fifo", "app/fifo", Tar.FIFO, "");
      case 16 -> sparse(rnd);
      case 17 -> pax("pax-long-path", "path", "app/" + "p".repeat(100_000 + rnd.nextInt(100_000)));
      case 18 -> pax("pax-deep-path", "path", "d/".repeat(5_000 + rnd.nextInt(20_000)) + "f");
      case 19 -> gnuLongName(rnd);
      case 20 -> manyEntries(rnd);
      case 21 -> badHeader(rnd, v);
      case 22 ->
          new Archive(
              "size-beyond-data",
              Tar.gzip(
                  new Tar()
                      .entry("app/big", Tar.FILE, "", bytes("short"), 077777777777L, true)
                      .unfinished()),
              null);
      case 23 -> {
        byte[] trailing = new byte[1 + rnd.nextInt(64)];
        rnd.nextBytes(trailing);
        byte[] both = Arrays.copyOf(valid, valid.length + trailing.length);
        System.arraycopy(trailing, 0, both, valid.length, trailing.length);
        yield new Archive("trailing-garbage", both, null);
      }
      case 24 ->
          new Archive(
              "odd-names",
              Tar.gzip(
                  new Tar()
                      .file("app/new\nline", bytes("a"))
                      .file("app/tab\tname", bytes("b"))
                      .file("./app/./dot", bytes("c"))
                      .finish()),
              null);
      default -> zeros(rnd);
    };
  }

  private static Archive entry(String kind, String name, char type, String link) {
    Tar t = new Tar();
    if (type == Tar.FILE) {
      t.file(name, bytes("escape"));
    } else {
      t.link(name, type, link);
    }
    return new Archive(kind, Tar.gzip(t.finish()), kind + " entry");
  }

  /** A GNU sparse entry whose real size is far larger than what is stored. */
  private static Archive sparse(Random rnd) {
    byte[] h = new byte[Tar.BLOCK];
    Tar.put(h, 0, 100, bytes("app/sparse"));
    Tar.put(h, 100, 8, Tar.octal(0644, 7));
    Tar.put(h, 124, 12, Tar.octal(Tar.BLOCK, 11));
    Tar.put(h, 136, 12, Tar.octal(1_700_000_000L, 11));
    h[156] = (byte) Tar.GNU_SPARSE;
    Tar.put(h, 257, 8, "ustar  \0".getBytes(StandardCharsets.US_ASCII));
    // one sparse region at a huge offset, and a real size of many GiB
    long realSize = (1L << 34) + rnd.nextInt(1 << 20);
    Tar.put(h, 386, 12, Tar.octal(realSize - Tar.BLOCK, 11));
    Tar.put(h, 398, 12, Tar.octal(Tar.BLOCK, 11));
    Tar.put(h, 483, 12, Tar.octal(realSize, 11));
    byte[] tar = new Tar().header(h, true).data(new byte[Tar.BLOCK]).finish();
    return new Archive("gnu-sparse", Tar.gzip(tar), null);
  }

  /** A file whose PAX header names it {@code value}: too long or too deep for any bound. */
  private static Archive pax(String kind, String key, String value) {
    byte[] records = bytes(Tar.paxRecord(key, value));
    Tar t =
        new Tar()
            .entry("PaxHeader", Tar.PAX, "", records, records.length, true)
            .file("app/f", bytes("pax"));
    return new Archive(
        kind,
        Tar.gzip(t.finish()),
        "a PAX path of " + value.length() + " characters, " + value.split("/").length + " deep");
  }

  private static Archive gnuLongName(Random rnd) {
    byte[] name = bytes("app/" + "n".repeat(100_000 + rnd.nextInt(200_000)));
    Tar t =
        new Tar()
            .entry("././@LongLink", Tar.GNU_LONGNAME, "", name, name.length, true)
            .file("ignored", bytes("long"));
    return new Archive(
        "gnu-long-name", Tar.gzip(t.finish()), "a GNU long name of " + name.length + " characters");
  }

  private static Archive manyEntries(Random rnd) {
    Tar t = new Tar();
    int n = 2_000 + rnd.nextInt(8_000);
    for (int i = 0; i < n; i++) {
      t.file("app/e" + i, new byte[0]);
    }
    return new Archive("many-entries", Tar.gzip(t.finish()), null);
  }

  private static Archive badHeader(Random rnd, int variant) {
    byte[] tar = validTar(variant);
    int at = rnd.nextInt(Tar.BLOCK);
    tar[at] = (byte) rnd.nextInt(256);
    tar[124 + rnd.nextInt(12)] = (byte) ('8' + rnd.nextInt(40));
    return new Archive("corrupt-header", Tar.gzip(tar), null);
  }

  /** Highly compressible content: a few MiB of zeros in one file. */
  private static Archive zeros(Random rnd) {
    byte[] z = new byte[(1 + rnd.nextInt(2)) << 20];
    return new Archive("zeros", Tar.gzip(new Tar().file("app/zeros", z).finish()), null);
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
