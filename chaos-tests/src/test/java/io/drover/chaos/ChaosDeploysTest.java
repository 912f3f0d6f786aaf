package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ChaosDeploysTest {

  @Test
  void theOneRevisionAnOutcomeImplies() {
    assertEquals(Optional.of("b"), ChaosDeploys.expectedRevision("succeeded", null, "a", "b"));
    assertEquals(Optional.of("a"), ChaosDeploys.expectedRevision("failed", "succeeded", "a", "b"));
    assertEquals(
        Optional.of("a"), ChaosDeploys.expectedRevision("reverted", "succeeded", "a", "b"));
    assertEquals(Optional.empty(), ChaosDeploys.expectedRevision("failed", "failed", "a", "b"));
    assertEquals(
        Optional.empty(),
        ChaosDeploys.expectedRevision("aborted", null, "a", "b"),
        "an abort without revert may leave finished hosts on the target: a mix, said as such");
  }
}
