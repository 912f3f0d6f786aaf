package io.drover.http.events;

import io.drover.actors.deploy.DeployTopic;
import io.drover.actors.deploy.HostState;
import io.drover.actors.deploy.Step;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Deploy meters from the steps on {@link DeployTopic}: {@code drover_deploys_started_total}, {@code
 * drover_deploys_ended_total{outcome}}, {@code drover_deploy_duration_seconds} (deploy-started to
 * deploy-ended, by the steps' times), {@code drover_deploy_host_step_seconds{outcome}}
 * (host-started to host-done or host-failed) and {@code drover_deploy_hosts{state}} (the hosts of
 * the deploys that run now, by state).
 *
 * <p>Every node receives every deploy's steps, so every node shows the cluster-wide figures (scrape
 * one node, or take the max, never the sum). A node that starts during a deploy counts only what it
 * saw. State is bounded: a deploy is forgotten at its end, and at most {@value #MAX_TRACKED} are
 * followed at once (the oldest is forgotten first; a step lost by the topic can leave one behind).
 */
public final class DeployMetrics {

  static final int MAX_TRACKED = 1000;

  /** What is known of one running deploy. */
  private static final class Tracked {
    long startedAt;
    final Map<String, HostState> hosts = new HashMap<>();
    final Map<String, Long> hostStartedAt = new HashMap<>();
    int pending;
  }

  private final MeterRegistry registry;
  private final Counter started;
  private final Map<HostState, AtomicInteger> hosts = new HashMap<>();
  private final LinkedHashMap<String, Tracked> running = new LinkedHashMap<>();

  public DeployMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.started =
        Counter.builder("drover.deploys.started")
            .description("Deploys started, cluster-wide (every node sees every deploy)")
            .register(registry);
    for (HostState s : HostState.values()) {
      AtomicInteger n = new AtomicInteger();
      hosts.put(s, n);
      Gauge.builder("drover.deploy.hosts", n, AtomicInteger::get)
          .description("Hosts of the deploys running now, by state")
          .tag("state", s.json())
          .register(registry);
    }
  }

  /** Subscribes a node-local actor that feeds {@code metrics} every step. */
  public static void start(ActorSystem<?> system, DeployMetrics metrics) {
    system.systemActorOf(subscriber(metrics), "deploy-metrics", Props.empty());
  }

  static Behavior<Step> subscriber(DeployMetrics metrics) {
    return Behaviors.setup(
        ctx -> {
          DeployTopic.get(ctx.getSystem()).subscribe(ctx.getSelf());
          return Behaviors.receiveMessage(
              step -> {
                metrics.record(step);
                return Behaviors.same();
              });
        });
  }

  /** Takes one step into account. */
  public synchronized void record(Step s) {
    if (s.type() == null || s.deploy() == null) {
      return;
    }
    switch (s.type()) {
      case "deploy-started" -> {
        started.increment();
        Tracked t = tracked(s.deploy());
        t.startedAt = s.at();
        int total = leadingInt(s.reason());
        t.pending = Math.max(0, total - t.hosts.size());
        hosts.get(HostState.PENDING).addAndGet(t.pending);
      }
      case "host-started" -> {
        Tracked t = tracked(s.deploy());
        t.hostStartedAt.put(s.host(), s.at());
        hostState(t, s.host(), HostState.REPLACING);
      }
      case "host-done", "host-failed" -> {
        Tracked t = tracked(s.deploy());
        boolean done = s.type().equals("host-done");
        Long from = t.hostStartedAt.remove(s.host());
        if (from != null && s.at() >= from) {
          Timer.builder("drover.deploy.host.step")
              .description("Time from host-started to host-done or host-failed")
              .tag("outcome", done ? "done" : "failed")
              .register(registry)
              .record(Duration.ofMillis(s.at() - from));
        }
        hostState(t, s.host(), done ? HostState.DONE : HostState.FAILED);
      }
      case "deploy-ended" -> {
        Counter.builder("drover.deploys.ended")
            .description("Deploys ended, by outcome, cluster-wide")
            .tag("outcome", s.state() == null ? "unknown" : s.state())
            .register(registry)
            .increment();
        Tracked t = running.remove(s.deploy());
        if (t != null) {
          if (t.startedAt > 0 && s.at() >= t.startedAt) {
            Timer.builder("drover.deploy.duration")
                .description("Time from deploy-started to deploy-ended")
                .register(registry)
                .record(Duration.ofMillis(s.at() - t.startedAt));
          }
          forget(t);
        }
      }
      default -> {
        boolean hostStep = s.type().startsWith("host-") || s.type().equals("instance-replaced");
        if (hostStep && s.host() != null && s.state() != null) {
          parse(s.state()).ifPresent(st -> hostState(tracked(s.deploy()), s.host(), st));
        }
      }
    }
  }

  private static java.util.Optional<HostState> parse(String state) {
    for (HostState h : HostState.values()) {
      if (h.json().equals(state)) {
        return java.util.Optional.of(h);
      }
    }
    return java.util.Optional.empty();
  }

  private Tracked tracked(String deploy) {
    Tracked t = running.get(deploy);
    if (t == null) {
      t = new Tracked();
      running.put(deploy, t);
      if (running.size() > MAX_TRACKED) {
        Iterator<Map.Entry<String, Tracked>> oldest = running.entrySet().iterator();
        Tracked gone = oldest.next().getValue();
        oldest.remove();
        forget(gone);
      }
    }
    return t;
  }

  private void hostState(Tracked t, String host, HostState state) {
    if (host == null) {
      return;
    }
    HostState before = t.hosts.put(host, state);
    if (before != null) {
      hosts.get(before).decrementAndGet();
    } else if (t.pending > 0) {
      t.pending--;
      hosts.get(HostState.PENDING).decrementAndGet();
    }
    hosts.get(state).incrementAndGet();
  }

  private void forget(Tracked t) {
    for (HostState s : t.hosts.values()) {
      hosts.get(s).decrementAndGet();
    }
    hosts.get(HostState.PENDING).addAndGet(-t.pending);
  }

  /** {@code "800 hosts"} gives 800; anything else 0. */
  static int leadingInt(String text) {
    if (text == null) {
      return 0;
    }
    int i = 0;
    while (i < text.length() && Character.isDigit(text.charAt(i)) && i < 9) {
      i++;
    }
    return i == 0 ? 0 : Integer.parseInt(text.substring(0, i));
  }
}
