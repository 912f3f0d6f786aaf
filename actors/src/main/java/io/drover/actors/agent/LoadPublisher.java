package io.drover.actors.agent;

import io.drover.actors.common.Coalescer;
import io.drover.actors.host.HostLoad;
import io.drover.actors.host.HostLoadTopic;
import java.time.Duration;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Publishes one agent's instance count as {@link HostLoad}: at once on a change, then at most once
 * per {@link HostLoad#MIN_GAP} (a burst of changes becomes one publication at the end of the gap),
 * and every {@link HostLoad#REPUBLISH_INTERVAL} whether or not it changed. Owned by the agent actor
 * (not thread-safe); the agent forwards the two timer messages to {@link #onFlush} and {@link
 * #onRepublish}.
 *
 * @param <T> the agent's message type
 */
public final class LoadPublisher<T> {

  private final Coalescer coalescer = new Coalescer(HostLoad.MIN_GAP.toMillis());
  private final TimerScheduler<T> timers;
  private final T flush;
  private final String host;
  private final String incarnation;
  private final IntSupplier count;
  private final Consumer<HostLoad> out;
  private int lastSent = -1;

  /**
   * Starts the re-publication timer and publishes the current count.
   *
   * @param timers the agent's timers
   * @param flush the message the agent sends itself when a coalesced change is due
   * @param republish the message the agent sends itself every {@link HostLoad#REPUBLISH_INTERVAL}
   * @param count the agent's instance count now
   * @param out where publications go (in an agent: {@link #topic})
   */
  public LoadPublisher(
      TimerScheduler<T> timers,
      T flush,
      T republish,
      String host,
      String incarnation,
      IntSupplier count,
      Consumer<HostLoad> out) {
    this.timers = timers;
    this.flush = flush;
    this.host = host;
    this.incarnation = incarnation;
    this.count = count;
    this.out = out;
    timers.startTimerWithFixedDelay(republish, republish, HostLoad.REPUBLISH_INTERVAL);
    changed();
  }

  /** Publishes on {@code system}'s {@link HostLoadTopic}. */
  public static Consumer<HostLoad> topic(ActorSystem<?> system) {
    HostLoadTopic topic = HostLoadTopic.get(system);
    return topic::publish;
  }

  /** The count may have changed: publish now, or at the end of the gap. */
  public void changed() {
    if (count.getAsInt() == lastSent && !coalescer.scheduled()) {
      return;
    }
    long d = coalescer.changed(now());
    if (d == Coalescer.SEND_NOW) {
      send();
    } else if (d > 0) {
      timers.startSingleTimer(flush, flush, Duration.ofMillis(d));
    }
  }

  /** The flush timer fired. */
  public void onFlush() {
    coalescer.flushed(now());
    if (count.getAsInt() != lastSent) {
      send();
    }
  }

  /** The re-publication timer fired. */
  public void onRepublish() {
    coalescer.sent(now());
    send();
  }

  private void send() {
    lastSent = count.getAsInt();
    out.accept(new HostLoad(host, incarnation, lastSent));
  }

  private static long now() {
    return System.nanoTime() / 1_000_000;
  }
}
