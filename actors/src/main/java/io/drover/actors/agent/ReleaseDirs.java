package io.drover.actors.agent;

import java.io.IOException;
import java.nio.file.Path;

/**
 * Where the agent finds the unpacked release directory of a revision. May block (download, unpack):
 * the agent calls it on a blocking dispatcher. In a node this is {@code revisionStore::releaseDir};
 * tests pass a lambda returning a temp directory.
 */
@FunctionalInterface
public interface ReleaseDirs {
  Path releaseDir(String revision) throws IOException;
}
