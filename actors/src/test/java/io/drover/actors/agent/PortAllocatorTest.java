package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
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
    assertEquals(7001, ports.allocate());
    assertEquals(7003, ports.allocate());
    assertEquals(7004, ports.allocate());
  }

  @Test
  void releasedPortIsReusedLater() {
    PortAllocator ports = new PortAllocator(7000, 7002, p -> true);
    int a = ports.allocate();
    ports.release(a);
    assertFalse(ports.isInUse(a));
    assertNotEquals(a, ports.allocate(), "a just released port is not reused first");
    ports.allocate();
    assertEquals(a, ports.allocate(), "but it comes back once the others are taken");
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
}
