package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class PortAllocatorTest {

  @Test
  void handsOutEveryPortOfTheRangeOnce() {
    PortAllocator ports = new PortAllocator(7000, 7004, p -> true);
    Set<Integer> seen = new HashSet<>();
    for (int i = 0; i < 5; i++) {
      int port = ports.allocate();
      assertTrue(port >= 7000 && port <= 7004, "in range: " + port);
      assertTrue(seen.add(port), "distinct: " + port);
    }
    assertEquals(5, ports.inUseCount());
  }

  @Test
  void skipsBusyPorts() {
    PortAllocator ports = new PortAllocator(7000, 7004, p -> p != 7000 && p != 7002);
    Set<Integer> got = new HashSet<>();
    for (int i = 0; i < 3; i++) {
      got.add(ports.allocate());
    }
    assertEquals(Set.of(7001, 7003, 7004), got);
    assertThrows(IllegalStateException.class, ports::allocate);
  }

  @Test
  void releasedPortCanBeHandedOutAgain() {
    PortAllocator ports = new PortAllocator(7000, 7002, p -> true);
    int a = ports.allocate();
    ports.allocate();
    ports.allocate();
    ports.release(a);
    assertFalse(ports.isInUse(a));
    assertEquals(a, ports.allocate());
  }

  @Test
  void notLowestFirst() {
    Set<Integer> firsts = new HashSet<>();
    for (int seed = 0; seed < 20; seed++) {
      firsts.add(new PortAllocator(20000, 29999, p -> true, new Random(seed)).allocate());
    }
    assertTrue(firsts.size() >= 19, "first ports spread over the range: " + firsts);
    assertFalse(firsts.contains(20000), "not lowest-first: " + firsts);
  }

  @Test
  void agentsSharingARangeRarelyCollide() {
    // Three agents, nine instances each, on the default range: count the ports two of them chose.
    int collisions = 0;
    for (int trial = 0; trial < 100; trial++) {
      Set<Integer> seen = new HashSet<>();
      for (int agent = 0; agent < 3; agent++) {
        PortAllocator ports =
            new PortAllocator(20000, 29999, p -> true, new Random(trial * 31L + agent));
        for (int i = 0; i < 9; i++) {
          if (!seen.add(ports.allocate())) {
            collisions++;
          }
        }
      }
    }
    // Expected about 100 * (27 choose 2) / 10000 * 2/3 = 2.3; lowest-first would give 1800.
    assertTrue(collisions <= 10, "collisions in 100 trials: " + collisions);
  }

  @Test
  void squattedLowestPortsCostOneProbeEachAtMost() {
    AtomicInteger probes = new AtomicInteger();
    PortAllocator ports =
        new PortAllocator(
            20000,
            29999,
            p -> {
              probes.incrementAndGet();
              return p >= 20020;
            },
            new Random(7));
    for (int i = 0; i < 27; i++) {
      assertTrue(ports.allocate() >= 20020);
    }
    assertTrue(probes.get() <= 27 + 20, "probes: " + probes.get());
  }

  @Test
  void aRealSquatterIsSkippedAtOnce() throws IOException {
    // Squat every port of a small range but one; the allocator must find that one, fast.
    List<ServerSocket> squatters = new ArrayList<>();
    try {
      int base = 0;
      int free = -1;
      for (int attempt = 0; attempt < 50 && free < 0; attempt++) {
        squatters.forEach(PortAllocatorTest::closeQuietly);
        squatters.clear();
        base = 20000 + new Random().nextInt(9000);
        free = base + 10;
        for (int p = base; p < base + 20 && free >= 0; p++) {
          if (p == free) {
            continue;
          }
          try {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(false);
            s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), p));
            squatters.add(s);
          } catch (IOException e) {
            free = -1;
          }
        }
        if (free >= 0 && !PortAllocator.canBind(free)) {
          free = -1;
        }
      }
      assertTrue(free >= 0, "no range of 20 free ports found");
      PortAllocator ports = PortAllocator.bindChecking(base, base + 19);
      long t0 = System.nanoTime();
      assertEquals(free, ports.allocate());
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ms < 500, "took " + ms + " ms");
      assertThrows(IllegalStateException.class, ports::allocate);
    } finally {
      squatters.forEach(PortAllocatorTest::closeQuietly);
    }
  }

  private static void closeQuietly(ServerSocket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
  }

  @Test
  void exhaustedRangeSaysWhy() {
    PortAllocator ports = new PortAllocator(7000, 7002, p -> p != 7002);
    ports.allocate();
    ports.allocate();
    IllegalStateException e = assertThrows(IllegalStateException.class, ports::allocate);
    assertTrue(e.getMessage().contains("no free port in [7000, 7002]"), e.getMessage());
    assertTrue(e.getMessage().contains("2 held by instances, 1 busy"), e.getMessage());
  }

  @Test
  void rejectsBadRange() {
    assertThrows(IllegalArgumentException.class, () -> new PortAllocator(10, 9, p -> true));
    assertThrows(IllegalArgumentException.class, () -> new PortAllocator(0, 9, p -> true));
  }

  @Test
  void realPredicateSeesABoundPort() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0));
      assertFalse(PortAllocator.canBind(s.getLocalPort()));
    }
  }

  @Test
  void realPredicateSeesAWildcardListener() throws IOException {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(0));
      assertFalse(PortAllocator.canBind(s.getLocalPort()));
    }
  }
}
