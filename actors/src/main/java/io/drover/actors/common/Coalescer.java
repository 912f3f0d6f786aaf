package io.drover.actors.common;

/**
 * At most one publication per {@code gap}, the last change never lost: the pure core of every
 * "publish on change, coalesced with a timer" in Drover (host agents' load, the host directory's
 * load-only snapshots). Not thread-safe; owned by one actor. Times are milliseconds of any
 * monotonic clock.
 *
 * <p>Use: on a change call {@link #changed}; {@link #SEND_NOW} means publish now, {@link #WAIT}
 * means a flush is already due, and a positive value means start a single timer of that many
 * milliseconds. When the timer fires call {@link #flushed} and publish the latest state. A
 * publication made for another reason (at once, or a periodic re-publication) is reported with
 * {@link #sent} so the gap counts from it.
 */
public final class Coalescer {

  /** {@link #changed} answer: publish now. */
  public static final long SEND_NOW = 0;

  /** {@link #changed} answer: a flush is already scheduled; it will carry this change. */
  public static final long WAIT = -1;

  private final long gapMillis;
  private long lastSentAt;
  private boolean sentOnce;
  private boolean scheduled;

  /**
   * @param gapMillis least time between two publications; 0 publishes every change at once
   */
  public Coalescer(long gapMillis) {
    if (gapMillis < 0) {
      throw new IllegalArgumentException("gap must be >= 0, got " + gapMillis);
    }
    this.gapMillis = gapMillis;
  }

  /**
   * Something changed at {@code now}.
   *
   * @return {@link #SEND_NOW} (recorded as sent), {@link #WAIT}, or the delay in milliseconds of
   *     the flush timer to start (the flush is then recorded as scheduled)
   */
  public long changed(long now) {
    if (scheduled) {
      return WAIT;
    }
    long since = now - lastSentAt;
    if (!sentOnce || since >= gapMillis || since < 0) {
      sent(now);
      return SEND_NOW;
    }
    scheduled = true;
    return gapMillis - since;
  }

  /** The flush timer fired at {@code now}: publish the latest state (recorded as sent). */
  public void flushed(long now) {
    sent(now);
  }

  /** A publication went out at {@code now} for another reason. */
  public void sent(long now) {
    scheduled = false;
    sentOnce = true;
    lastSentAt = now;
  }

  /** A flush timer is due. */
  public boolean scheduled() {
    return scheduled;
  }
}
