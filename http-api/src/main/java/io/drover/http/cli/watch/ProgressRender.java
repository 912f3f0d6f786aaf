package io.drover.http.cli.watch;

import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * What a watch prints, as strings: pure functions of a {@link DeployProgress}, a step, the time and
 * the terminal's width.
 *
 * <ul>
 *   <li>On a terminal, one live line redrawn in place ({@link #redraw}: {@code \r}, the line,
 *       clear-to-end) — {@code [#######.....] 14/20 hosts 2 in progress (h3,h4) 1 failed 00:42
 *       elapsed ETA 00:18} — never longer than the width minus one (no wrap), and printed lines
 *       ({@link #notes}) for failures and state changes.
 *   <li>Without a terminal, one line per step ({@link #plain}): {@code 12:00:01 host-done h3
 *       (5/20)}, with no control characters at all.
 *   <li>Last, the outcome ({@link #outcome}): {@code deploy d-1 succeeded in 1m12s (20/20 hosts)}.
 * </ul>
 *
 * Text from the node (reasons, log tails) is cleaned: line breaks become {@code " | "} on one line
 * (or indented lines under a failure on a terminal), other control characters a space, so an
 * application's log cannot move the cursor or recolour the terminal.
 */
public final class ProgressRender {

  /** Moves to the start of the line and clears it. */
  public static final String CLEAR_LINE = "\r\033[K";

  /** The width when {@code COLUMNS} is not set or not a number. */
  public static final int DEFAULT_WIDTH = 80;

  private static final int BAR = 20;
  private static final int MIN_BAR = 10;
  private static final DateTimeFormatter HMS = DateTimeFormatter.ofPattern("HH:mm:ss", Locale.ROOT);

  private ProgressRender() {}

  /** The width to draw in: {@code COLUMNS} when it is a number from 20, else 80. */
  public static int width(String columns) {
    if (columns != null) {
      try {
        int w = Integer.parseInt(columns.trim());
        if (w >= 20) {
          return w;
        }
      } catch (NumberFormatException e) {
        // default below
      }
    }
    return DEFAULT_WIDTH;
  }

  /** The live line redrawn in place: carriage return, the line, clear to the end of the line. */
  public static String redraw(String line) {
    return "\r" + line + "\033[K";
  }

  /**
   * The live line, at most {@code width - 1} characters. When it does not fit it gives up, in this
   * order: names of hosts in progress (the last first), bar width (down to 10), the elapsed time,
   * the bar, the ETA; then it is cut.
   */
  public static String liveLine(DeployProgress p, long now, int width) {
    int max = Math.max(10, width - 1);
    int total = p.total();
    int done = p.done();
    String head = done + "/" + total + " hosts";
    if (!"running".equals(p.state())) {
      head += "  " + p.state();
    }
    List<String> names = p.inProgress();
    List<String> counts = new ArrayList<>();
    int failed = p.failures().size();
    if (failed > 0) {
      counts.add(failed + " failed");
    }
    if (p.skipped() > 0) {
      counts.add(p.skipped() + " skipped");
    }
    if (p.vanished() > 0) {
      counts.add(p.vanished() + " vanished");
    }
    String elapsed = clock(p.elapsed(now)) + " elapsed";
    String eta = p.eta(now).map(d -> "ETA " + clock(d)).orElse(null);

    for (int shown = names.size(); shown >= 0; shown--) {
      String line =
          fit(done, total, join(head, inProgress(names, shown), counts, elapsed, eta), max);
      if (line != null) {
        return line;
      }
    }
    String noNames = inProgress(names, 0);
    String line = fit(done, total, join(head, noNames, counts, null, eta), max);
    if (line != null) {
      return line;
    }
    for (String rest :
        List.of(join(head, noNames, counts, null, eta), join(head, noNames, counts, null, null))) {
      if (rest.length() <= max) {
        return rest;
      }
    }
    String rest = join(head, noNames, counts, null, null);
    return rest.substring(0, max);
  }

  /** The bar (20 wide, down to 10) and {@code rest}, if they fit in {@code max}; else null. */
  private static String fit(int done, int total, String rest, int max) {
    for (int bar = BAR; bar >= MIN_BAR; bar--) {
      String line = bar(done, total, bar) + " " + rest;
      if (line.length() <= max) {
        return line;
      }
    }
    return null;
  }

  private static String join(
      String head, String inProgress, List<String> counts, String elapsed, String eta) {
    StringBuilder b = new StringBuilder(head);
    if (inProgress != null) {
      b.append("  ").append(inProgress);
    }
    for (String c : counts) {
      b.append("  ").append(c);
    }
    if (elapsed != null) {
      b.append("  ").append(elapsed);
    }
    if (eta != null) {
      b.append("  ").append(eta);
    }
    return b.toString();
  }

  /**
   * {@code 2 in progress (h3,h4)} with the first {@code shown} names ({@code +N} for the rest); no
   * names when {@code shown} is 0; null with none in progress.
   */
  private static String inProgress(List<String> names, int shown) {
    if (names.isEmpty()) {
      return null;
    }
    String head = names.size() + " in progress";
    if (shown == 0) {
      return head;
    }
    StringBuilder b = new StringBuilder(head).append(" (");
    for (int i = 0; i < shown; i++) {
      if (i > 0) {
        b.append(',');
      }
      b.append(clean(names.get(i)));
    }
    if (shown < names.size()) {
      b.append(",+").append(names.size() - shown);
    }
    return b.append(')').toString();
  }

  /** {@code [#####.....]}: {@code inner} characters, filled in proportion of done to total. */
  static String bar(int done, int total, int inner) {
    int filled = total <= 0 ? 0 : (int) ((long) Math.min(done, total) * inner / total);
    return "[" + "#".repeat(filled) + ".".repeat(inner - filled) + "]";
  }

  /**
   * The lines a terminal prints above the live line for {@code step} (already applied to {@code
   * p}): failures with their reason (a log tail as indented lines), hosts skipped or vanished,
   * started, canaries baking, paused, resumed, a forced abort. None for the other steps.
   */
  public static List<String> notes(DeployStep step, DeployProgress p, ZoneId zone) {
    String type = step.type() == null ? "" : step.type();
    String host = clean(step.host());
    List<String> out = new ArrayList<>();
    switch (type) {
      case "deploy-started" ->
          out.add("deploy " + clean(step.deploy()) + " started: " + p.total() + " hosts");
      case "host-failed" -> {
        List<String> lines = lines(step.reason());
        out.add("host " + host + " failed" + (lines.isEmpty() ? "" : ": " + lines.get(0)));
        for (int i = 1; i < lines.size(); i++) {
          out.add("    " + lines.get(i));
        }
      }
      case "host-skipped", "host-vanished" ->
          out.add(
              "host "
                  + host
                  + " "
                  + type.substring("host-".length())
                  + reasonSuffix(step.reason()));
      case "canary-baking" -> {
        long until = DeployProgress.untilMillis(step.reason());
        out.add(
            "canaries baking"
                + (until > 0 ? " until " + time(until, zone) : reasonSuffix(step.reason())));
      }
      case "deploy-paused" -> out.add("deploy paused" + reasonSuffix(step.reason()));
      case "deploy-resumed" -> out.add("deploy resumed");
      case "forced-abort" -> out.add(clean(step.reason()));
      default -> {
        // progress only: the live line shows it
      }
    }
    return out;
  }

  /**
   * The line for one step without a terminal: {@code HH:mm:ss type[ host][ site][ state][
   * (done/total)][: reason]}; host steps carry the count of done hosts, {@code host-progress} the
   * host's state ({@code fetching}, {@code building}, {@code replacing}), {@code deploy-ended} how
   * it ended.
   */
  public static String plain(DeployStep step, DeployProgress p, ZoneId zone) {
    StringBuilder b = new StringBuilder();
    b.append(time(step.at(), zone)).append(' ').append(clean(step.type()));
    if (step.host() != null) {
      b.append(' ').append(clean(step.host()));
    }
    if (step.site() != null) {
      b.append(' ').append(clean(step.site()));
    }
    if ("host-progress".equals(step.type()) && step.state() != null) {
      b.append(' ').append(clean(step.state()));
    }
    if (step.isHostStep()) {
      b.append(" (").append(p.done()).append('/').append(p.total()).append(')');
    } else if ("deploy-ended".equals(step.type()) && step.state() != null) {
      b.append(' ').append(clean(step.state()));
    }
    b.append(reasonSuffix(step.reason()));
    return b.toString();
  }

  /** A step of the every-deploy stream: {@code HH:mm:ss deploy type[ host][ site][: reason]}. */
  public static String global(DeployStep step, ZoneId zone) {
    StringBuilder b = new StringBuilder();
    b.append(time(step.at(), zone))
        .append(' ')
        .append(clean(step.deploy()))
        .append(' ')
        .append(clean(step.type()));
    if (step.host() != null) {
      b.append(' ').append(clean(step.host()));
    }
    if (step.site() != null) {
      b.append(' ').append(clean(step.site()));
    }
    if ("deploy-ended".equals(step.type()) && step.state() != null) {
      b.append(' ').append(clean(step.state()));
    }
    return b.append(reasonSuffix(step.reason())).toString();
  }

  /**
   * The last line: {@code deploy d-1 succeeded in 1m12s (20/20 hosts)}, or {@code deploy d-1
   * failed: <endReason> (14/20 hosts done in 42s)}.
   */
  public static String outcome(DeployProgress p) {
    String hosts = p.done() + "/" + p.total() + " hosts";
    String took = duration(p.elapsed(0));
    if (p.succeeded()) {
      return "deploy " + clean(p.id()) + " succeeded in " + took + " (" + hosts + ")";
    }
    return "deploy "
        + clean(p.id())
        + " "
        + clean(p.state())
        + reasonSuffix(p.endReason())
        + " ("
        + hosts
        + " done in "
        + took
        + ")";
  }

  /** {@code mm:ss}, or {@code h:mm:ss} from an hour. */
  public static String clock(Duration d) {
    long s = Math.max(0, d.getSeconds());
    long h = s / 3600;
    if (h > 0) {
      return String.format(Locale.ROOT, "%d:%02d:%02d", h, (s / 60) % 60, s % 60);
    }
    return String.format(Locale.ROOT, "%02d:%02d", s / 60, s % 60);
  }

  /** {@code 4.2s} under 10 s, then {@code 42s}, {@code 1m12s}, {@code 2h3m4s}. */
  public static String duration(Duration d) {
    long ms = Math.max(0, d.toMillis());
    if (ms < 10_000) {
      return String.format(Locale.ROOT, "%d.%ds", ms / 1000, (ms % 1000) / 100);
    }
    long s = ms / 1000;
    if (s < 60) {
      return s + "s";
    }
    if (s < 3600) {
      return (s / 60) + "m" + (s % 60) + "s";
    }
    return (s / 3600) + "h" + ((s / 60) % 60) + "m" + (s % 60) + "s";
  }

  private static String time(long epochMillis, ZoneId zone) {
    return HMS.format(Instant.ofEpochMilli(epochMillis).atZone(zone));
  }

  private static String reasonSuffix(String reason) {
    if (reason == null || reason.isBlank()) {
      return "";
    }
    return ": " + clean(reason);
  }

  /** Non-blank lines of {@code text}, each cleaned. */
  private static List<String> lines(String text) {
    List<String> out = new ArrayList<>();
    if (text == null) {
      return out;
    }
    for (String l : text.split("\r\n|\r|\n")) {
      if (!l.isBlank()) {
        out.add(clean(l).stripTrailing());
      }
    }
    return out;
  }

  /**
   * One line with no control characters: line breaks (and the blanks around them) become {@code " |
   * "}, every other control character (C0, DEL, C1: ESC above all) a space.
   */
  public static String clean(String text) {
    if (text == null) {
      return "";
    }
    String oneLine = text.strip().replaceAll("\\s*(\r\n|\r|\n)\\s*", " | ");
    StringBuilder b = new StringBuilder(oneLine.length());
    for (int i = 0; i < oneLine.length(); i++) {
      char c = oneLine.charAt(i);
      b.append(c < 0x20 || (c >= 0x7f && c <= 0x9f) ? ' ' : c);
    }
    return b.toString();
  }
}
