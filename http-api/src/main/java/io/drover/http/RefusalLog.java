package io.drover.http;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Requests refused with 401 (no or unknown token) are not put in the audit trail: they have no
 * caller, and an anonymous flood must not fill the journal. They are logged at WARN instead, at
 * most once per remote address per minute, with how many more that address sent meanwhile. At most
 * {@link #MAX_ADDRESSES} addresses are remembered (the least recently seen is forgotten), so the
 * log's own memory is bounded too. For the authentication directive to call.
 */
public final class RefusalLog {

  private static final Logger log = LoggerFactory.getLogger(RefusalLog.class);

  static final Duration EVERY = Duration.ofMinutes(1);
  static final int MAX_ADDRESSES = 10_000;

  /** When an address was last logged, and how many refusals were not logged since. */
  private static final class Window {
    long loggedAt;
    int suppressed;
  }

  private final LongSupplier nanos;
  private final Map<String, Window> windows =
      new LinkedHashMap<>(16, 0.75f, true) {
        private static final long serialVersionUID = 1L;

        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Window> eldest) {
          return size() > MAX_ADDRESSES;
        }
      };

  public RefusalLog() {
    this(System::nanoTime);
  }

  RefusalLog(LongSupplier nanos) {
    this.nanos = nanos;
  }

  /**
   * Logs a 401 unless this address was logged within the last minute.
   *
   * @param why what was wrong, without the token ({@code no token}, {@code unknown token})
   */
  public void unauthenticated(String address, String method, String path, String why) {
    int before = admit(address);
    if (before >= 0) {
      log.warn(
          "401 {} {} from {}: {}{}",
          method,
          path,
          address,
          why,
          before > 0 ? " (and " + before + " more from this address not logged)" : "");
    }
  }

  /**
   * Whether to log now: the number of refusals not logged since this address was last logged, or -1
   * to stay quiet.
   */
  synchronized int admit(String address) {
    long now = nanos.getAsLong();
    Window w = windows.get(address);
    if (w == null) {
      w = new Window();
      w.loggedAt = now;
      windows.put(address, w);
      return 0;
    }
    if (now - w.loggedAt >= EVERY.toNanos()) {
      int suppressed = w.suppressed;
      w.loggedAt = now;
      w.suppressed = 0;
      return suppressed;
    }
    w.suppressed++;
    return -1;
  }

  synchronized int remembered() {
    return windows.size();
  }
}
