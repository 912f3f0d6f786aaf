package io.drover.actors.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class CoalescerTest {

  @Test
  void firstChangeGoesOutAtOnce() {
    Coalescer c = new Coalescer(200);
    assertEquals(Coalescer.SEND_NOW, c.changed(1_000));
    assertFalse(c.scheduled());
  }

  @Test
  void changesWithinTheGapAreCoalescedIntoOneFlush() {
    Coalescer c = new Coalescer(200);
    assertEquals(Coalescer.SEND_NOW, c.changed(1_000));
    assertEquals(150, c.changed(1_050), "a flush at the end of the gap");
    assertTrue(c.scheduled());
    assertEquals(Coalescer.WAIT, c.changed(1_100));
    assertEquals(Coalescer.WAIT, c.changed(1_199));
    c.flushed(1_200);
    assertFalse(c.scheduled());
    assertEquals(200, c.changed(1_200), "the gap counts from the flush");
  }

  @Test
  void aChangeAfterTheGapGoesOutAtOnce() {
    Coalescer c = new Coalescer(200);
    c.changed(1_000);
    assertEquals(Coalescer.SEND_NOW, c.changed(1_200));
    assertEquals(Coalescer.SEND_NOW, c.changed(5_000));
  }

  @Test
  void aPublicationForAnotherReasonCancelsThePendingFlushAndRestartsTheGap() {
    Coalescer c = new Coalescer(200);
    c.changed(1_000);
    assertEquals(100, c.changed(1_100));
    c.sent(1_150);
    assertFalse(c.scheduled(), "the other publication carried the change");
    assertEquals(190, c.changed(1_160));
  }

  @Test
  void aClockThatGoesBackDoesNotStallPublications() {
    Coalescer c = new Coalescer(200);
    c.changed(1_000);
    assertEquals(Coalescer.SEND_NOW, c.changed(900));
  }

  @Test
  void atMostOnePublicationPerGapUnderAStreamOfChanges() {
    Coalescer c = new Coalescer(200);
    int sent = 0;
    long due = -1;
    for (long t = 0; t < 2_000; t += 7) {
      if (due >= 0 && t >= due) {
        c.flushed(t);
        sent++;
        due = -1;
      }
      long d = c.changed(t);
      if (d == Coalescer.SEND_NOW) {
        sent++;
      } else if (d > 0) {
        due = t + d;
      }
    }
    assertTrue(sent <= 11, "2 s of changes at most every 200 ms, got " + sent);
    assertTrue(sent >= 9, "yet changes keep going out, got " + sent);
  }

  @Test
  void zeroGapSendsEveryChange() {
    Coalescer c = new Coalescer(0);
    assertEquals(Coalescer.SEND_NOW, c.changed(5));
    assertEquals(Coalescer.SEND_NOW, c.changed(5));
  }

  @Test
  void negativeGapIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new Coalescer(-1));
  }
}
