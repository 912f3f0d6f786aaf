package io.drover.chaos;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.EnumSet;
import java.util.Set;

/**
 * A file that site processes append to, prepared for nodes that run as root: those run sites as the
 * unprivileged run-as user ({@code drover.agent.run-as}), which must reach the file through every
 * directory above it and may write it. Nothing changes when this JVM is not root (the nodes it
 * starts then run sites as its own user).
 */
public final class SiteWritable {

  private SiteWritable() {}

  /** Creates {@code file} (mode 0666) and lets others pass through the directories above it. */
  public static Path prepare(Path file) throws IOException {
    Path abs = file.toAbsolutePath();
    Files.createDirectories(abs.getParent());
    if (!Files.exists(abs)) {
      Files.createFile(abs);
    }
    if (!root()) {
      return file;
    }
    Files.setPosixFilePermissions(abs, PosixFilePermissions.fromString("rw-rw-rw-"));
    for (Path dir = abs.getParent(); dir != null; dir = dir.getParent()) {
      Set<PosixFilePermission> perms = Files.getPosixFilePermissions(dir);
      if (!perms.contains(PosixFilePermission.OTHERS_EXECUTE)) {
        Set<PosixFilePermission> open = EnumSet.copyOf(perms);
        open.add(PosixFilePermission.OTHERS_EXECUTE);
        Files.setPosixFilePermissions(dir, open);
      }
    }
    return file;
  }

  private static boolean root() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("Uid:")) {
          String[] f = line.substring(4).trim().split("\\s+");
          return f.length > 1 && f[1].equals("0");
        }
      }
    } catch (IOException e) {
      return false;
    }
    return false;
  }
}
