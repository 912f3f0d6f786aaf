package io.drover.actors.agent;

import java.io.IOException;
import java.nio.file.Path;

/** Where a revision's unpacked release lives on this host (the revision store unpacks it). */
@FunctionalInterface
public interface ReleaseDirs {
  Path releaseDir(String revision) throws IOException;
}
