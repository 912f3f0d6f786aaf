package io.drover.actors.agent;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Who listens on a TCP port, on Linux: the LISTEN sockets of {@code /proc/net/tcp} and {@code
 * /proc/net/tcp6} give socket inodes, and the {@code socket:[inode]} links under {@code
 * /proc/<pid>/fd} give the processes that hold them. A health check that got an answer on an
 * instance's port asks {@link #check} whether every listener on that port belongs to the instance's
 * process group (its leader is started with {@code setsid}, so the group id is the leader's pid);
 * another host's instance or a squatter that took the port fails the check, with {@link #failure}.
 *
 * <p>The scan is cheap in the usual case: the leader's own fds, then the fds of the other members
 * of its group (found through {@code /proc/<pid>/stat}); only when a listener is not the group's
 * are all processes' fds read, to name the holder. Where {@code /proc/net/tcp} is missing (not
 * Linux) the answer is {@link Verdict.Unavailable}, and callers skip the check. Stateless and
 * thread-safe.
 */
final class SocketOwners {

  /** Ends every {@link #failure} message; {@link #isNotOurs} recognises it. */
  static final String NOT_OURS = ", not by this instance";

  private static final String LISTEN = "0A";

  /** The live system's {@code /proc}. */
  static final SocketOwners SYSTEM = new SocketOwners(Path.of("/proc"));

  private final Path proc;

  SocketOwners(Path proc) {
    this.proc = proc;
  }

  /** What {@link #check} found. */
  sealed interface Verdict {
    /** No {@code /proc/net/tcp}: ownership cannot be checked here. */
    record Unavailable() implements Verdict {}

    /** Nothing listens on the port (or not visibly: nothing to attribute). */
    record NotListening() implements Verdict {}

    /** Every listener on the port is held by a process of the group. */
    record Ours() implements Verdict {}

    /**
     * A listener on the port is held by a process outside the group.
     *
     * @param pid that process, or 0 when no readable process holds it (another user's)
     */
    record Foreign(long pid) implements Verdict {}

    /** A listener is in no readable process, and some process of the group could not be read. */
    record Unknown() implements Verdict {}
  }

  /**
   * Whether every LISTEN socket on {@code port} belongs to a process of process group {@code pgid}.
   * Never throws: unreadable entries of {@code /proc} are skipped.
   */
  Verdict check(int port, long pgid) {
    String tcp;
    try {
      tcp = Files.readString(proc.resolve("net").resolve("tcp"));
    } catch (IOException | RuntimeException e) {
      return new Verdict.Unavailable();
    }
    Set<Long> remaining = new HashSet<>(listeningInodes(tcp, port));
    try {
      remaining.addAll(listeningInodes(Files.readString(proc.resolve("net/tcp6")), port));
    } catch (IOException | RuntimeException e) {
      // no IPv6
    }
    if (remaining.isEmpty()) {
      return new Verdict.NotListening();
    }
    boolean unreadable = !removeHeld(pgid, remaining);
    if (remaining.isEmpty()) {
      return new Verdict.Ours();
    }
    List<Long> all = pids();
    for (long pid : all) {
      if (pid != pgid && pgrp(pid) == pgid) {
        unreadable |= !removeHeld(pid, remaining);
        if (remaining.isEmpty()) {
          return new Verdict.Ours();
        }
      }
    }
    for (long pid : all) {
      Set<Long> held = new HashSet<>(remaining);
      removeHeld(pid, held);
      if (held.size() < remaining.size() && pgrp(pid) != pgid) {
        return new Verdict.Foreign(pid);
      }
    }
    return unreadable ? new Verdict.Unknown() : new Verdict.Foreign(0);
  }

  /**
   * The health check failure for {@code verdict}, or {@code null} when it does not fail the check
   * (ours, or nothing to tell).
   */
  static String failure(int port, Verdict verdict) {
    if (verdict instanceof Verdict.Foreign f) {
      return "port "
          + port
          + " is held by "
          + (f.pid() > 0 ? "pid " + f.pid() : "another process")
          + NOT_OURS;
    }
    return null;
  }

  /** The failure of {@link #check}{@code (port, pgid)}, or {@code null}. */
  String failure(int port, long pgid) {
    return failure(port, check(port, pgid));
  }

  /**
   * After the group {@code pgid} exited: why its next start needs another port (some other process
   * listens on {@code port}, which is why a start may have failed to bind), or {@code null}. Where
   * {@code /proc} is missing, a port that cannot be bound counts as taken.
   */
  String takenAfterExit(int port, long pgid) {
    Verdict verdict = check(port, pgid);
    if (verdict instanceof Verdict.Unavailable) {
      return PortAllocator.canBind(port) ? null : failure(port, new Verdict.Foreign(0));
    }
    return failure(port, verdict);
  }

  /** True when {@code failure} is a {@link #failure} message: the port is someone else's. */
  static boolean isNotOurs(String failure) {
    return failure != null && failure.startsWith("port ") && failure.endsWith(NOT_OURS);
  }

  /**
   * The inodes of the LISTEN sockets on {@code port} in the text of {@code /proc/net/tcp} or {@code
   * /proc/net/tcp6}; malformed lines are skipped.
   */
  static Set<Long> listeningInodes(String procNetTcp, int port) {
    Set<Long> inodes = new HashSet<>();
    for (String line : procNetTcp.split("\n")) {
      String[] f = line.trim().split("\\s+");
      if (f.length < 10 || !f[3].equals(LISTEN)) {
        continue;
      }
      int colon = f[1].lastIndexOf(':');
      if (colon < 0) {
        continue;
      }
      try {
        if (Integer.parseInt(f[1].substring(colon + 1), 16) != port) {
          continue;
        }
        long inode = Long.parseLong(f[9]);
        if (inode > 0) {
          inodes.add(inode);
        }
      } catch (NumberFormatException e) {
        // header or garbage
      }
    }
    return inodes;
  }

  /** The process group id in the text of {@code /proc/<pid>/stat}, or -1. */
  static long pgrpFromStat(String stat) {
    int close = stat.lastIndexOf(')');
    if (close < 0) {
      return -1;
    }
    String[] f = stat.substring(close + 1).trim().split("\\s+");
    if (f.length < 3) {
      return -1;
    }
    try {
      return Long.parseLong(f[2]);
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The inode of an fd link target {@code socket:[12345]}, or -1 for anything else. */
  static long socketInode(String linkTarget) {
    if (!linkTarget.startsWith("socket:[") || !linkTarget.endsWith("]")) {
      return -1;
    }
    try {
      return Long.parseLong(linkTarget.substring(8, linkTarget.length() - 1));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  private long pgrp(long pid) {
    try {
      return pgrpFromStat(Files.readString(proc.resolve(Long.toString(pid)).resolve("stat")));
    } catch (IOException | RuntimeException e) {
      return -1;
    }
  }

  /**
   * Removes from {@code inodes} the sockets process {@code pid} holds. False when its fds could not
   * be read although it exists (another user's process).
   */
  private boolean removeHeld(long pid, Set<Long> inodes) {
    Path fds = proc.resolve(Long.toString(pid)).resolve("fd");
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(fds)) {
      for (Path fd : dir) {
        try {
          long inode = socketInode(Files.readSymbolicLink(fd).toString());
          if (inode > 0 && inodes.remove(inode) && inodes.isEmpty()) {
            return true;
          }
        } catch (IOException | RuntimeException e) {
          // closed meanwhile
        }
      }
      return true;
    } catch (NoSuchFileException e) {
      return true;
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private List<Long> pids() {
    List<Long> pids = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(proc)) {
      for (Path p : dir) {
        String name = p.getFileName().toString();
        if (!name.isEmpty() && name.chars().allMatch(Character::isDigit)) {
          try {
            pids.add(Long.parseLong(name));
          } catch (NumberFormatException e) {
            // not a pid
          }
        }
      }
    } catch (IOException | RuntimeException e) {
      // nothing to scan
    }
    return pids;
  }
}
