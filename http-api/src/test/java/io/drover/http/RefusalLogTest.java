package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RefusalLogTest {

  private final AtomicLong now = new AtomicLong(1_000_000L);
  private final RefusalLog refusals = new RefusalLog(now::get);

  private void advanceSeconds(long s) {
    now.addAndGet(s * 1_000_000_000L);
  }

  @Test
  void eachAddressIsLoggedAtMostOncePerMinuteWithWhatWasLeftOut() {
    assertEquals(0, refusals.admit("10.0.0.1"));
    assertEquals(-1, refusals.admit("10.0.0.1"));
    assertEquals(-1, refusals.admit("10.0.0.1"));
    // another address is logged on its own
    assertEquals(0, refusals.admit("10.0.0.2"));
    advanceSeconds(59);
    assertEquals(-1, refusals.admit("10.0.0.1"));
    advanceSeconds(1);
    assertEquals(3, refusals.admit("10.0.0.1"));
    assertEquals(-1, refusals.admit("10.0.0.1"));
  }

  @Test
  void theAddressesRememberedAreBounded() {
    for (int i = 0; i < RefusalLog.MAX_ADDRESSES + 500; i++) {
      refusals.admit("10.0." + (i / 256) + "." + (i % 256));
    }
    assertEquals(RefusalLog.MAX_ADDRESSES, refusals.remembered());
  }
}
