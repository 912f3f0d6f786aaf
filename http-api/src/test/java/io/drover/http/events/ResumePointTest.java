package io.drover.http.events;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ResumePointTest {

  @Test
  void aDeployStreamResumesFromTheHeaderOverAfter() throws Exception {
    assertEquals(0, ResumePoint.forDeploy("d", Optional.empty(), Optional.empty()).after());
    assertEquals(4, ResumePoint.forDeploy("d", Optional.empty(), Optional.of("4")).after());
    assertEquals(7, ResumePoint.forDeploy("d", Optional.of("7"), Optional.of("4")).after());
    assertEquals(7, ResumePoint.forDeploy("d", Optional.of("d:7"), Optional.empty()).after());
    assertThrows(
        ResumePoint.Invalid.class,
        () -> ResumePoint.forDeploy("d", Optional.of("-1"), Optional.empty()));
    assertThrows(
        ResumePoint.Invalid.class,
        () -> ResumePoint.forDeploy("d", Optional.empty(), Optional.of("x")));
  }

  @Test
  void theGlobalStreamResumesOneDeploy() throws Exception {
    assertEquals(Optional.empty(), ResumePoint.forAll(Optional.empty()));
    assertEquals(
        Optional.of(new ResumePoint("a:b", 12)), ResumePoint.forAll(Optional.of("a:b:12")));
    assertThrows(ResumePoint.Invalid.class, () -> ResumePoint.forAll(Optional.of("12")));
    assertThrows(ResumePoint.Invalid.class, () -> ResumePoint.forAll(Optional.of("d:")));
  }
}
