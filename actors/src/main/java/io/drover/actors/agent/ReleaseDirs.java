package io.drover.actors.agent;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Consumer;

/**
 * Where the agent finds the unpacked release directory of a revision. May block (download, unpack):
 * the agent calls it on a blocking dispatcher. In a node the revision is fetched from a peer when
 * missing; tests pass a lambda returning a temp directory.
 */
@FunctionalInterface
public interface ReleaseDirs {
  Path releaseDir(String revision) throws IOException;

  /**
   * The release directory, without blocking the caller. {@code progress} hears where a fetch stands
   * (e.g. "fetching revision … from host:port"), from any thread.
   */
  default CompletionStage<Path> resolve(
      String revision, Consumer<String> progress, Executor blocking) {
    return CompletableFuture.supplyAsync(
        () -> {
          try {
            return releaseDir(revision);
          } catch (IOException e) {
            throw new CompletionException(e);
          }
        },
        blocking);
  }
}
