package io.drover.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.junit.jupiter.api.Test;

class ExitTest {

  @Test
  void downingExitsWithThreeAndSaysItFencedItself() {
    Exit e = Exit.of(Optional.of(CoordinatedShutdown.clusterDowningReason()));
    assertEquals(3, e.code());
    assertTrue(e.message().contains("downed"));
    assertTrue(e.message().contains("fenced"));
  }

  @Test
  void leaveAndSigtermAreClean() {
    assertEquals(0, Exit.of(Optional.of(CoordinatedShutdown.clusterLeavingReason())).code());
    assertEquals(0, Exit.of(Optional.of(CoordinatedShutdown.jvmExitReason())).code());
    assertEquals(0, Exit.of(Optional.empty()).code());
  }

  @Test
  void failingToJoinIsAnError() {
    assertEquals(
        1, Exit.of(Optional.of(CoordinatedShutdown.clusterJoinUnsuccessfulReason())).code());
  }
}
