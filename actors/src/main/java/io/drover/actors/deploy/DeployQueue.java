package io.drover.actors.deploy;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Which queued deploys may start: one deploy at a time per site, first come first served among
 * deploys that share a site, reverts ahead of the rest. A pure function over the queue's entries.
 */
public final class DeployQueue {

  private DeployQueue() {}

  /**
   * One deploy as the queue knows it.
   *
   * @param front a revert: it goes ahead of every plain deploy that waits
   * @param admitted the deploy was told to start
   * @param seq the order of arrival
   */
  public record Entry(DeployDirectory.Summary summary, boolean front, boolean admitted, long seq)
      implements io.drover.persistence.CborSerializable {

    boolean active() {
      return admitted && !summary.state().ended();
    }

    boolean waiting() {
      return !admitted && !summary.state().ended();
    }
  }

  /** The waiting order: reverts first, then by arrival. */
  public static final Comparator<Entry> ORDER =
      Comparator.comparing((Entry e) -> e.front() ? 0 : 1).thenComparing(Entry::seq);

  /**
   * The ids of waiting deploys that may start now: no active deploy shares a site with them, and no
   * deploy ahead of them in the queue does either (so a deploy never overtakes an earlier one of
   * the same site).
   */
  public static List<String> admissible(List<Entry> entries) {
    Set<String> taken = new HashSet<>();
    for (Entry e : entries) {
      if (e.active()) {
        taken.addAll(e.summary().sites());
      }
    }
    List<Entry> waiting = new ArrayList<>(entries.stream().filter(Entry::waiting).toList());
    waiting.sort(ORDER);
    List<String> go = new ArrayList<>();
    for (Entry e : waiting) {
      boolean free = e.summary().sites().stream().noneMatch(taken::contains);
      if (free) {
        go.add(e.summary().id());
      }
      taken.addAll(e.summary().sites());
    }
    return go;
  }

  /** The 1-based place of {@code id} among the waiting deploys; 0 when it is not waiting. */
  public static int position(List<Entry> entries, String id) {
    List<Entry> waiting = new ArrayList<>(entries.stream().filter(Entry::waiting).toList());
    waiting.sort(ORDER);
    for (int i = 0; i < waiting.size(); i++) {
      if (waiting.get(i).summary().id().equals(id)) {
        return i + 1;
      }
    }
    return 0;
  }

  /** Active deploys that share a site with {@code sites}. */
  public static List<String> overlapping(List<Entry> entries, List<String> sites, String except) {
    List<String> ids = new ArrayList<>();
    for (Entry e : entries) {
      if (e.active()
          && !e.summary().id().equals(except)
          && e.summary().sites().stream().anyMatch(sites::contains)) {
        ids.add(e.summary().id());
      }
    }
    return ids;
  }
}
