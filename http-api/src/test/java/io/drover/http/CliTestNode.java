package io.drover.http;

import java.nio.file.Path;
import java.util.Map;

/**
 * A {@link TestNode} for tests outside this package (the CLI's): start, its port and token, stop.
 */
public final class CliTestNode implements AutoCloseable {

  private final TestNode node;

  private CliTestNode(TestNode node) {
    this.node = node;
  }

  /** A fresh single node with the example site off, in {@code dataDir}. */
  public static CliTestNode start(Path dataDir) throws Exception {
    return new CliTestNode(TestNode.start(dataDir, Map.of()));
  }

  public int httpPort() {
    return node.httpPort;
  }

  public String adminToken() {
    return node.adminToken;
  }

  public static int freePort() throws java.io.IOException {
    return TestNode.freePort();
  }

  @Override
  public void close() throws Exception {
    node.close();
  }
}
