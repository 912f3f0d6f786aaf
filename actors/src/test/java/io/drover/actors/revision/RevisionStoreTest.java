package io.drover.actors.revision;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.drover.actors.revision.RevisionRejected.Reason;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.zip.GZIPOutputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.archivers.tar.TarConstants;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RevisionStoreTest {

  @TempDir Path tmp;
  private Path data;
  private RevisionStore store;

  @BeforeEach
  void setUp() {
    data = tmp.resolve("data");
    store = new RevisionStore(data, 1_000_000);
  }

  @Test
  void importsAValidUploadAndTheSameBytesGiveTheSameRevision() throws Exception {
    Path app = appDir();
    Path first = store.uploadsDir().resolve("a.tar.gz");
    TarGz.pack(app, first);
    byte[] bytes = Files.readAllBytes(first);

    RevisionInfo info = store.importFile(first);
    assertFalse(Files.exists(first), "the upload is consumed");
    assertEquals(bytes.length, info.size());
    assertEquals(2, info.files());
    assertEquals(independentSha256(bytes), info.id());
    assertTrue(Files.isRegularFile(data.resolve("revisions/" + info.id() + ".tar.gz")));

    Path again = store.uploadsDir().resolve("b.tar.gz");
    Files.write(again, bytes);
    RevisionInfo second = store.importFile(again);
    assertEquals(info, second, "same id and the original upload time");
    assertFalse(Files.exists(again));
    assertEquals(List.of(info), store.list());
    assertEquals(info, store.get(info.id()).orElseThrow());
    assertTrue(store.get("0".repeat(64)).isEmpty());
    assertTrue(store.get("../x").isEmpty());
  }

  @Test
  void anEmptyOrCorruptMetadataFileIsAbsentAndTheSameUploadRepairsIt() throws Exception {
    Path packed = tmp.resolve("app.tar.gz");
    TarGz.pack(appDir(), packed);
    byte[] bytes = Files.readAllBytes(packed);
    RevisionInfo good = importBytes(bytes, "first");
    Path other = tmp.resolve("other");
    Files.createDirectories(other);
    Files.writeString(other.resolve("x.txt"), "x");
    RevisionInfo second = importDir(other);

    Path metadata = data.resolve("revisions/" + good.id() + ".json");
    for (byte[] broken : List.of(new byte[0], "{\"id\": \"abc".getBytes(StandardCharsets.UTF_8))) {
      Files.write(metadata, broken);
      assertEquals(List.of(second), store.list(), "the broken one is skipped, the rest listed");
      assertTrue(store.get(good.id()).isEmpty(), "a broken revision is absent");
      assertTrue(store.archive(good.id()).isEmpty());

      RevisionInfo repaired = importBytes(bytes, "again");
      assertEquals(good.id(), repaired.id());
      assertEquals(repaired, store.get(good.id()).orElseThrow(), "uploading again repairs it");
      assertEquals(2, store.list().size());
    }
    assertUploadsEmpty();
  }

  @Test
  void concurrentImportsOfTheSameBytesAgree() throws Exception {
    Path packed = tmp.resolve("app.tar.gz");
    TarGz.pack(appDir(), packed);
    byte[] bytes = Files.readAllBytes(packed);
    ExecutorService pool = Executors.newFixedThreadPool(2);
    try {
      List<Callable<RevisionInfo>> jobs =
          List.of(() -> importBytes(bytes, "c1"), () -> importBytes(bytes, "c2"));
      List<Future<RevisionInfo>> results = pool.invokeAll(jobs);
      assertEquals(results.get(0).get(), results.get(1).get());
    } finally {
      pool.shutdownNow();
    }
    assertEquals(1, store.list().size());
    assertUploadsEmpty();
  }

  @Test
  void listsNewestFirst() throws Exception {
    Path one = Files.createDirectories(tmp.resolve("one"));
    Files.writeString(one.resolve("f"), "1");
    Path two = Files.createDirectories(tmp.resolve("two"));
    Files.writeString(two.resolve("f"), "2");
    RevisionInfo a = importDir(one);
    RevisionInfo b = importDir(two);
    List<RevisionInfo> all = store.list();
    assertEquals(2, all.size());
    assertTrue(all.get(0).uploadedAtMillis() >= all.get(1).uploadedAtMillis());
    assertTrue(all.containsAll(List.of(a, b)));
  }

  @Test
  void refusesSomethingThatIsNotGzip() throws Exception {
    RevisionRejected e = reject("plain text, not an archive".getBytes(StandardCharsets.UTF_8));
    assertEquals(Reason.INVALID, e.reason());
    assertEquals("not gzip: upload a .tar.gz (tar czf app.tar.gz -C dir .)", e.getMessage());
  }

  @Test
  void refusesGzipThatIsNotTar() throws Exception {
    RevisionRejected e = reject(gzip("just some text inside gzip\n".repeat(40).getBytes()));
    assertEquals(Reason.INVALID, e.reason());
    assertTrue(e.getMessage().contains("not a tar"), e.getMessage());
  }

  @Test
  void refusesAnEmptyArchive() throws Exception {
    RevisionRejected e = reject(tarGz(tar -> {}));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void refusesAnEntryEscapingWithDotDot() throws Exception {
    assertRefusedNaming("../evil", tarGz(tar -> file(tar, "../evil", "x")));
    assertRefusedNaming("a/../../evil", tarGz(tar -> file(tar, "a/../../evil", "x")));
  }

  @Test
  void refusesAnAbsoluteEntry() throws Exception {
    assertRefusedNaming("/etc/passwd", tarGz(tar -> file(tar, "/etc/passwd", "root::0:0")));
  }

  @Test
  void refusesAWindowsDriveLetter() throws Exception {
    assertRefusedNaming("C:/evil", tarGz(tar -> file(tar, "C:/evil", "x")));
  }

  @Test
  void refusesASymlinkEscapingTheReleaseDir() throws Exception {
    assertRefusedNaming("bin/up", tarGz(tar -> symlink(tar, "bin/up", "../../x")));
  }

  @Test
  void refusesAnAbsoluteSymlink() throws Exception {
    assertRefusedNaming("passwd", tarGz(tar -> symlink(tar, "passwd", "/etc/passwd")));
  }

  @Test
  void refusesASymlinkChainThatEscapes() throws Exception {
    byte[] archive =
        tarGz(
            tar -> {
              symlink(tar, "d/l", "..");
              symlink(tar, "e", "d/l/..");
            });
    assertRefusedNaming("e", archive);
  }

  @Test
  void refusesWritingThroughASymlink() throws Exception {
    byte[] archive =
        tarGz(
            tar -> {
              symlink(tar, "up", ".");
              file(tar, "up/x", "x");
            });
    assertRefusedNaming("up/x", archive);
  }

  @Test
  void refusesAHardLinkToSomethingOutside() throws Exception {
    assertRefusedNaming("h", tarGz(tar -> hardLink(tar, "h", "../../etc/passwd")));
  }

  @Test
  void refusesDevicesAndFifos() throws Exception {
    byte[] archive =
        tarGz(
            tar -> {
              file(tar, "ok", "x");
              TarArchiveEntry fifo = new TarArchiveEntry("pipe", TarConstants.LF_FIFO);
              tar.putArchiveEntry(fifo);
              tar.closeArchiveEntry();
            });
    assertRefusedNaming("pipe", archive);
  }

  @Test
  void refusesAnUploadOverTheLimit() throws Exception {
    RevisionStore small = new RevisionStore(data, 100);
    Path upload = small.uploadsDir().resolve("big.tar.gz");
    Files.write(upload, new byte[101]);
    RevisionRejected e = assertThrows(RevisionRejected.class, () -> small.importFile(upload));
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertTrue(e.getMessage().contains("101"), e.getMessage());
    assertTrue(e.getMessage().contains("100"), e.getMessage());
    assertTrue(e.getMessage().contains("drover.revisions.max-bytes"), e.getMessage());
    assertFalse(Files.exists(upload));
    assertTrue(small.list().isEmpty());
  }

  @Test
  void refusesAnArchiveThatUnpacksTooLarge() throws Exception {
    RevisionStore bounded = new RevisionStore(data, 1_000_000, 100_000);
    Path app = Files.createDirectories(data.resolve("bomb"));
    Files.write(app.resolve("zeros"), new byte[1_000_000]);
    Path upload = bounded.uploadsDir().resolve("bomb.tar.gz");
    TarGz.pack(app, upload);
    assertTrue(Files.size(upload) < 100_000, "compresses well");
    RevisionRejected e = assertThrows(RevisionRejected.class, () -> bounded.importFile(upload));
    assertEquals(Reason.TOO_LARGE, e.reason());
    assertTrue(e.getMessage().contains("drover.revisions.max-unpacked-bytes"), e.getMessage());
    assertTrue(bounded.list().isEmpty());
    assertFalse(Files.exists(upload));
  }

  @Test
  void unpacksOnceWithModesAndSymlinks() throws Exception {
    Path app = appDir();
    Files.createSymbolicLink(app.resolve("run"), Path.of("bin/start.sh"));
    RevisionInfo info = importDir(app);

    Path release = store.releaseDir(info.id());
    assertEquals(data.resolve("releases").resolve(info.id()), release);
    Path script = release.resolve("bin/start.sh");
    assertEquals("#!/bin/sh\necho hi\n", Files.readString(script));
    assertTrue(Files.getPosixFilePermissions(script).contains(PosixFilePermission.OWNER_EXECUTE));
    assertEquals("rw-r--r--", perms(release.resolve("README")));
    assertEquals("rwxr-xr-x", perms(script));
    assertTrue(Files.isSymbolicLink(release.resolve("run")));
    assertEquals(Path.of("bin/start.sh"), Files.readSymbolicLink(release.resolve("run")));

    Files.writeString(release.resolve("marker"), "kept");
    assertEquals(release, store.releaseDir(info.id()), "unpacked only once");
    assertTrue(Files.exists(release.resolve("marker")));
    try (var entries = Files.list(data.resolve("releases"))) {
      assertEquals(List.of(release), entries.toList(), "no temporary directory left");
    }
  }

  @Test
  void releaseDirOfAnUnknownRevisionNamesIt() {
    String id = "ab".repeat(32);
    IOException e = assertThrows(IOException.class, () -> store.releaseDir(id));
    assertTrue(e.getMessage().contains(id), e.getMessage());
    assertThrows(IOException.class, () -> store.releaseDir("../../etc"));
  }

  @Test
  void releaseDirRefusesAnArchiveCorruptedOnDisk() throws Exception {
    RevisionInfo info = importDir(appDir());
    Path other = tmp.resolve("other.tar.gz");
    Path otherDir = Files.createDirectories(tmp.resolve("other"));
    Files.writeString(otherDir.resolve("f"), "different");
    TarGz.pack(otherDir, other);
    Files.copy(
        other,
        data.resolve("revisions/" + info.id() + ".tar.gz"),
        java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    IOException e = assertThrows(IOException.class, () -> store.releaseDir(info.id()));
    assertTrue(e.getMessage().contains("corrupt"), e.getMessage());
    assertFalse(Files.exists(data.resolve("releases").resolve(info.id())));
  }

  @Test
  void tarGzIsDeterministic() throws Exception {
    Path app = appDir();
    Path deep = Files.createDirectories(app.resolve("x".repeat(60)).resolve("y".repeat(60)));
    Files.writeString(deep.resolve("long-name-" + "z".repeat(40)), "deep");
    Path a = tmp.resolve("a.tar.gz");
    Path b = tmp.resolve("b.tar.gz");
    TarGz.pack(app, a);
    Files.setLastModifiedTime(
        app.resolve("README"), java.nio.file.attribute.FileTime.fromMillis(1));
    TarGz.pack(app, b);
    assertArrayEquals(Files.readAllBytes(a), Files.readAllBytes(b));
    RevisionInfo info = store.importFile(a);
    assertEquals(3, info.files());
    assertEquals(
        "deep",
        Files.readString(
            store
                .releaseDir(info.id())
                .resolve(app.relativize(deep))
                .resolve("long-name-" + "z".repeat(40))));
  }

  private void assertRefusedNaming(String entry, byte[] archive) throws Exception {
    RevisionRejected e = reject(archive);
    assertEquals(Reason.INVALID, e.reason());
    assertTrue(e.getMessage().contains("'" + entry + "'"), e.getMessage());
  }

  private RevisionRejected reject(byte[] bytes) throws Exception {
    Path upload = store.uploadsDir().resolve("upload.tar.gz");
    Files.write(upload, bytes);
    RevisionRejected e = assertThrows(RevisionRejected.class, () -> store.importFile(upload));
    assertFalse(Files.exists(upload), "the upload is deleted");
    assertTrue(store.list().isEmpty(), "nothing stored");
    assertUploadsEmpty();
    try (var files = Files.list(data.resolve("revisions"))) {
      assertEquals(List.of(store.uploadsDir()), files.toList());
    }
    return e;
  }

  private void assertUploadsEmpty() throws IOException {
    try (var files = Files.list(store.uploadsDir())) {
      assertEquals(List.of(), files.toList());
    }
  }

  private RevisionInfo importBytes(byte[] bytes, String name) throws Exception {
    Path upload = store.uploadsDir().resolve(name);
    Files.write(upload, bytes);
    return store.importFile(upload);
  }

  private RevisionInfo importDir(Path dir) throws Exception {
    Path upload = Files.createTempFile(store.uploadsDir(), "u", ".tar.gz");
    TarGz.pack(dir, upload);
    return store.importFile(upload);
  }

  private Path appDir() throws IOException {
    Path app = Files.createDirectories(tmp.resolve("app"));
    Path bin = Files.createDirectories(app.resolve("bin"));
    Path script = bin.resolve("start.sh");
    Files.writeString(script, "#!/bin/sh\necho hi\n");
    Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
    Files.writeString(app.resolve("README"), "hello\n");
    return app;
  }

  private static String perms(Path p) throws IOException {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }

  private static String independentSha256(byte[] bytes) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
  }

  private static byte[] gzip(byte[] bytes) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(out)) {
      gz.write(bytes);
    }
    return out.toByteArray();
  }

  private interface TarWriter {
    void write(TarArchiveOutputStream tar) throws IOException;
  }

  private static byte[] tarGz(TarWriter writer) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (OutputStream gz = new GZIPOutputStream(out);
        TarArchiveOutputStream tar = new TarArchiveOutputStream(gz)) {
      tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
      writer.write(tar);
      tar.finish();
    }
    return out.toByteArray();
  }

  /** An entry with exactly {@code name}: the String constructors would strip a leading '/'. */
  private static TarArchiveEntry raw(String name, byte type) {
    TarArchiveEntry entry = new TarArchiveEntry(name, type, true);
    return entry;
  }

  private static void file(TarArchiveOutputStream tar, String name, String content)
      throws IOException {
    byte[] bytes = content.getBytes(StandardCharsets.UTF_8);
    TarArchiveEntry entry = raw(name, TarConstants.LF_NORMAL);
    entry.setSize(bytes.length);
    tar.putArchiveEntry(entry);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }

  private static void symlink(TarArchiveOutputStream tar, String name, String target)
      throws IOException {
    TarArchiveEntry entry = raw(name, TarConstants.LF_SYMLINK);
    entry.setLinkName(target);
    tar.putArchiveEntry(entry);
    tar.closeArchiveEntry();
  }

  private static void hardLink(TarArchiveOutputStream tar, String name, String target)
      throws IOException {
    TarArchiveEntry entry = raw(name, TarConstants.LF_LINK);
    entry.setLinkName(target);
    tar.putArchiveEntry(entry);
    tar.closeArchiveEntry();
  }
}
