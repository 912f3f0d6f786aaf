package io.drover.actors.cron;

import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Comparator;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Where a run goes: a schedulable host of the job's pool, hosts to avoid (where the failed run of a
 * retried tick ran) last, then least loaded first (instances its agent runs plus the runs this
 * scheduler has in flight there), ties broken by a hash of run id and host so equal hosts share the
 * runs. Pure.
 */
public final class HostChoice {

  private HostChoice() {}

  /** True when {@code h} may take a run of {@code pool} now. */
  public static boolean eligible(HostDirectory.Hosts hosts, HostInfo h, String pool) {
    return h.pool().equals(pool)
        && hosts.schedulable(h.name())
        && !hosts.departed().contains(h.name());
  }

  /** The host for run {@code runId} of a job in {@code pool}, if any may take it. */
  public static Optional<HostInfo> pick(
      HostDirectory.Hosts hosts,
      String pool,
      Map<String, Integer> runsPerHost,
      Set<String> avoid,
      String runId) {
    return hosts.hosts().stream()
        .filter(h -> eligible(hosts, h, pool))
        .min(
            Comparator.<HostInfo, Boolean>comparing(h -> avoid.contains(h.name()))
                .thenComparingInt(
                    h ->
                        hosts.load().getOrDefault(h.name(), 0)
                            + runsPerHost.getOrDefault(h.name(), 0))
                .thenComparing(h -> hash(runId + "/" + h.name())));
  }

  private static String hash(String s) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < 8; i++) {
        b.append(String.format("%02x", d[i]));
      }
      return b.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
