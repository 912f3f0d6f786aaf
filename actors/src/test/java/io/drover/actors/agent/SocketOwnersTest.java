package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.drover.actors.agent.SocketOwners.Verdict;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SocketOwnersTest {

  /** 20001 = 0x4E21: listening on 127.0.0.1 (inode 1111) and an accepted connection (2222). */
  private static final String TCP =
      """
        sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
         0: 0100007F:4E21 00000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 1111 1 0000000000000000 100 0 0 10 0
         1: 0100007F:4E21 0100007F:D431 01 00000000:00000000 00:00000000 00000000  1000        0 2222 1 0000000000000000 20 4 30 10 -1
         2: 00000000:4E22 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 3333 1 0000000000000000 100 0 0 10 0
         3: 0100007F:4E23 0100007F:4E21 06 00000000:00000000 03:00000F2A 00000000     0        0 0 3 0000000000000000
      """;

  /** 20001 on :: (inode 4444). */
  private static final String TCP6 =
      """
        sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
         0: 00000000000000000000000000000000:4E21 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000  1000        0 4444 1 0000000000000000 100 0 0 10 0
      """;

  @TempDir Path tmp;

  @Test
  void parsesListenersOfAPortOnly() {
    assertEquals(Set.of(1111L), SocketOwners.listeningInodes(TCP, 20001));
    assertEquals(Set.of(3333L), SocketOwners.listeningInodes(TCP, 20002));
    assertEquals(Set.of(), SocketOwners.listeningInodes(TCP, 20003), "TIME_WAIT is no listener");
    assertEquals(Set.of(4444L), SocketOwners.listeningInodes(TCP6, 20001));
    assertEquals(Set.of(), SocketOwners.listeningInodes("garbage\n\n  0: x y z", 20001));
  }

  @Test
  void parsesStatAndFdLinks() {
    assertEquals(
        4242, SocketOwners.pgrpFromStat("4250 (my (odd) app) S 4242 4242 4242 0 -1 4194560 1 0"));
    assertEquals(-1, SocketOwners.pgrpFromStat("4250 (truncated"));
    assertEquals(12345, SocketOwners.socketInode("socket:[12345]"));
    assertEquals(-1, SocketOwners.socketInode("pipe:[12345]"));
    assertEquals(-1, SocketOwners.socketInode("/dev/null"));
  }

  /** A fake {@code /proc}: process {@code pid} in group {@code pgrp} holding {@code inodes}. */
  private void process(long pid, long pgrp, long... inodes) throws IOException {
    Path dir = Files.createDirectories(tmp.resolve(Long.toString(pid)).resolve("fd"));
    Files.writeString(
        dir.resolveSibling("stat"), pid + " (app) S 1 " + pgrp + " " + pgrp + " 0 -1 0\n");
    Files.createSymbolicLink(dir.resolve("0"), Path.of("/dev/null"));
    int fd = 3;
    for (long inode : inodes) {
      Files.createSymbolicLink(
          dir.resolve(Integer.toString(fd++)), Path.of("socket:[" + inode + "]"));
    }
  }

  private SocketOwners fakeProc() throws IOException {
    Files.createDirectories(tmp.resolve("net"));
    Files.writeString(tmp.resolve("net/tcp"), TCP);
    Files.writeString(tmp.resolve("net/tcp6"), TCP6);
    return new SocketOwners(tmp);
  }

  @Test
  void everyListenerMustBeTheGroups() throws IOException {
    SocketOwners owners = fakeProc();
    process(100, 100, 1111); // the leader holds the IPv4 listener
    process(101, 100, 4444); // a worker of its group holds the IPv6 one
    process(200, 200, 3333); // somebody else on 20002
    assertInstanceOf(Verdict.Ours.class, owners.check(20001, 100));
    assertInstanceOf(Verdict.NotListening.class, owners.check(20009, 100));
    assertEquals(new Verdict.Foreign(200), owners.check(20002, 100));
    assertEquals(new Verdict.Foreign(100), owners.check(20001, 200));
    assertEquals("port 20002 is held by pid 200, not by this instance", owners.failure(20002, 100));
    assertTrue(SocketOwners.isNotOurs(owners.failure(20002, 100)));
    assertNull(owners.failure(20001, 100));
  }

  @Test
  void aListenerNobodyReadableHoldsIsForeign() throws IOException {
    SocketOwners owners = fakeProc();
    process(100, 100);
    assertEquals(new Verdict.Foreign(0), owners.check(20001, 100));
    assertEquals(
        "port 20001 is held by another process, not by this instance", owners.failure(20001, 100));
  }

  @Test
  void noProcNetTcpMeansUnavailable() {
    assertInstanceOf(Verdict.Unavailable.class, new SocketOwners(tmp).check(20001, 100));
    assertNull(new SocketOwners(tmp).failure(20001, 100));
    assertFalse(SocketOwners.isNotOurs("connection refused"));
    assertFalse(SocketOwners.isNotOurs(null));
  }

  private static long ownPgrp() throws IOException {
    return SocketOwners.pgrpFromStat(Files.readString(Path.of("/proc/self/stat")));
  }

  @Test
  void realListenerInThisJvmVersusAChildProcess() throws Exception {
    assumeTrue(Files.isReadable(Path.of("/proc/net/tcp")), "Linux /proc only");
    long self = ProcessHandle.current().pid();
    long pgrp = ownPgrp();
    try (ServerSocket mine = new ServerSocket()) {
      mine.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      int port = mine.getLocalPort();
      assertInstanceOf(Verdict.Ours.class, SocketOwners.SYSTEM.check(port, pgrp));

      // A child in its own session: its group is its pid; this JVM's listener is not its own.
      Process child =
          new ProcessBuilder(
                  "setsid",
                  "python3",
                  "-c",
                  "import socket,sys,time\n"
                      + "s=socket.socket()\n"
                      + "s.bind(('127.0.0.1',0))\n"
                      + "s.listen()\n"
                      + "print(s.getsockname()[1],flush=True)\n"
                      + "time.sleep(60)\n")
              .redirectError(ProcessBuilder.Redirect.INHERIT)
              .start();
      try {
        int childPort;
        try (BufferedReader out =
            new BufferedReader(
                new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8))) {
          childPort = Integer.parseInt(out.readLine().strip());
          assertEquals(new Verdict.Foreign(self), SocketOwners.SYSTEM.check(port, child.pid()));
          assertEquals(
              "port " + port + " is held by pid " + self + ", not by this instance",
              SocketOwners.SYSTEM.failure(port, child.pid()));
          assertInstanceOf(Verdict.Ours.class, SocketOwners.SYSTEM.check(childPort, child.pid()));
          assertEquals(
              new Verdict.Foreign(child.pid()), SocketOwners.SYSTEM.check(childPort, pgrp));
        }
      } finally {
        child.destroyForcibly();
        assertTrue(child.waitFor(10, TimeUnit.SECONDS));
      }
    }
  }
}
