package io.drover.actors.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Hands out ports from {@code [min, max]} to instances. A port stays taken until {@link #release}.
 * Ports some other process holds are skipped ({@code isFree} says so). Not thread-safe: owned by
 * one actor.
 */
public final class PortAllocator {

  private final int min;
  private final int max;
  private final IntPredicate isFree;
  private final Set<Integer> inUse = new HashSet<>();
  private int next;

  public PortAllocator(int min, int max, IntPredicate isFree) {
    if (min < 1 || max > 65535 || min > max) {
      throw new IllegalArgumentException(
          "port range must satisfy 1 <= min <= max <= 65535, got [" + min + ", " + max + "]");
    }
    this.min = min;
    this.max = max;
    this.isFree = isFree;
    this.next = min;
  }

  /** An allocator whose ports must be bindable on 127.0.0.1 and on 0.0.0.0. */
  public static PortAllocator bindChecking(int min, int max) {
    return new PortAllocator(min, max, PortAllocator::canBind);
  }

  /**
   * A port no instance holds and {@code isFree} accepts. Scans on from the last port handed out, so
   * a just-released port is reused last.
   *
   * @throws IllegalStateException when every port of the range is taken or busy
   */
  public int allocate() {
    int size = max - min + 1;
    int busy = 0;
    for (int i = 0; i < size; i++) {
      int port = min + Math.floorMod(next - min + i, size);
      if (inUse.contains(port)) {
        continue;
      }
      if (!isFree.test(port)) {
        busy++;
        continue;
      }
      inUse.add(port);
      next = port == max ? min : port + 1;
      return port;
    }
    throw new IllegalStateException(
        "no free port in ["
            + min
            + ", "
            + max
            + "]: "
            + inUse.size()
            + " held by instances, "
            + busy
            + " busy in other processes; widen drover.agent port range");
  }

  public void release(int port) {
    inUse.remove(port);
  }

  public boolean isInUse(int port) {
    return inUse.contains(port);
  }

  public int inUseCount() {
    return inUse.size();
  }

  /** True when a server socket can bind {@code port} on 127.0.0.1 and on 0.0.0.0. */
  public static boolean canBind(int port) {
    return canBind(InetAddress.getLoopbackAddress(), port) && canBind(null, port);
  }

  private static boolean canBind(InetAddress address, int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.setReuseAddress(false);
      s.bind(address == null ? new InetSocketAddress(port) : new InetSocketAddress(address, port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
