package io.drover.actors.agent;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.function.IntPredicate;

/**
 * Hands out ports from {@code [min, max]} to instances. A port stays taken until {@link #release}.
 *
 * <p>Several agents may share one machine (and its port range) without knowing of each other, so
 * ports are not handed out lowest-first: every allocation walks the range in a fresh random order
 * (a random start and a random step coprime to the range size, which visits every port once), and
 * the first port no instance of this agent holds and {@code isFree} accepts wins. Two agents then
 * pick the same port only by chance (about {@code k/size} for {@code k} ports in use), and a
 * foreign process squatting some ports (say the lowest of the range) costs one failed bind probe
 * per squatted port met on the walk, not a delay. A collision that still happens is caught by the
 * instance's health check ({@link SocketOwners}) and the instance gets a new port. Not thread-safe:
 * owned by one actor.
 */
public final class PortAllocator {

  private final int min;
  private final int max;
  private final IntPredicate isFree;
  private final Random random;
  private final Set<Integer> inUse = new HashSet<>();

  /**
   * @param isFree whether a port may be handed out right now (in a node: {@link #canBind})
   * @param random the order of the walk; tests pass a seeded one
   */
  public PortAllocator(int min, int max, IntPredicate isFree, Random random) {
    if (min < 1 || max > 65535 || min > max) {
      throw new IllegalArgumentException(
          "port range must satisfy 1 <= min <= max <= 65535, got [" + min + ", " + max + "]");
    }
    this.min = min;
    this.max = max;
    this.isFree = isFree;
    this.random = random;
  }

  public PortAllocator(int min, int max, IntPredicate isFree) {
    this(min, max, isFree, new Random());
  }

  /** An allocator whose ports must be bindable on 127.0.0.1 and on 0.0.0.0 when handed out. */
  public static PortAllocator bindChecking(int min, int max) {
    return new PortAllocator(min, max, PortAllocator::canBind);
  }

  /**
   * A port no instance of this agent holds and {@code isFree} accepts, found on a random walk over
   * the whole range.
   *
   * @throws IllegalStateException when every port of the range is taken or busy
   */
  public int allocate() {
    int size = max - min + 1;
    int start = random.nextInt(size);
    int step = randomStepCoprimeTo(size);
    int busy = 0;
    int offset = start;
    for (int i = 0; i < size; i++) {
      int port = min + offset;
      offset = (int) ((offset + (long) step) % size);
      if (inUse.contains(port)) {
        continue;
      }
      if (!isFree.test(port)) {
        busy++;
        continue;
      }
      inUse.add(port);
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

  /**
   * A step in {@code [1, size)} coprime to {@code size} (1 when {@code size <= 2}): adding it
   * modulo {@code size} visits every offset exactly once.
   */
  private int randomStepCoprimeTo(int size) {
    if (size <= 2) {
      return 1;
    }
    while (true) {
      int step = 1 + random.nextInt(size - 1);
      if (gcd(step, size) == 1) {
        return step;
      }
    }
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
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

  /**
   * True when a server socket can bind {@code port} on 127.0.0.1 and on the wildcard address (which
   * in Java is dual-stack {@code ::} where IPv6 is on), without {@code SO_REUSEADDR}: any socket on
   * the port, even one lingering in TIME_WAIT, makes it not free. A refused bind fails at once, so
   * probing a squatted port costs microseconds.
   */
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
