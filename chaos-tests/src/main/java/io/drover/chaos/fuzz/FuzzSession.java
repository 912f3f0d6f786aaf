package io.drover.chaos.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.chaos.LocalNode;
import io.drover.http.Json;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * A real node in its own JVM ({@link LocalNode}, the fat jar, LevelDB journal) with one valid
 * revision stored, ready to be fuzzed; closing it stops the node and every process it started.
 * {@code FuzzIT} and {@code bench/fuzz} both run through here.
 */
public final class FuzzSession implements AutoCloseable {

  private final LocalNode node;
  private final RawHttp http;
  private final List<ProcessHandle> seen = new ArrayList<>();

  private FuzzSession(LocalNode node) {
    this.node = node;
    this.http =
        new RawHttp(LocalNode.LOOPBACK, node.httpPort, Duration.ofSeconds(30), node.adminToken());
  }

  /** Starts a node with its data under {@code dir}. */
  public static FuzzSession start(Path dir) throws IOException, InterruptedException {
    LocalNode node = new LocalNode(dir.resolve("data"), "fuzz-host");
    try {
      node.start("--no-example");
    } catch (RuntimeException | Error e) {
      node.kill();
      throw e;
    }
    return new FuzzSession(node);
  }

  /**
   * Fuzzes the node with {@code count} requests from {@code seed}, without the request kinds of
   * known bugs when {@code skipKnown}.
   */
  public Fuzzer.Result run(long seed, int count, boolean skipKnown, Consumer<String> log)
      throws IOException {
    List<String> revisions = new CopyOnWriteArrayList<>();
    RawHttp.Answer first =
        http.send(
            new FuzzRequest(
                "setup",
                "POST",
                "/api/v1/revisions",
                List.of(new FuzzRequest.Header("Content-Type", "application/gzip")),
                Archives.valid(0)));
    if (first.status() / 100 != 2) {
      throw new IOException("the setup upload was refused: " + first.status() + " " + first.body());
    }
    JsonNode id = Json.MAPPER.readTree(first.body()).path("id");
    revisions.add(id.asText());
    RequestGenerator.Target target =
        new RequestGenerator.Target(node.host, node.clusterPort, revisions);
    Fuzzer fuzzer =
        new Fuzzer(
            http,
            target,
            () -> {
              seen.addAll(node.descendants());
              return node.isAlive();
            },
            log,
            skipKnown);
    return fuzzer.run(seed, count);
  }

  /** The node's log, for a failure report. */
  public Path log() {
    return node.log;
  }

  /** Stops the node (SIGTERM, so it stops its instances) and kills whatever it left. */
  @Override
  public void close() {
    seen.addAll(node.descendants());
    try {
      if (node.isAlive()) {
        try {
          node.terminate(Duration.ofSeconds(60));
        } catch (IllegalStateException e) {
          node.kill();
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (ProcessHandle p : seen) {
        p.destroyForcibly();
      }
    }
  }
}
