package io.drover.actors.revision;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Lexical path rules for archive entries, relative to a release directory that starts empty: names
 * and link targets are normalised segment by segment, and a result that would leave the release
 * directory is refused. Pure functions; used both to validate uploads and while extracting.
 */
final class ArchivePaths {

  private static final Pattern DRIVE_LETTER = Pattern.compile("^[A-Za-z]:.*");

  /** Bound on symlink expansions when resolving a chain, as the kernel does (ELOOP). */
  private static final int MAX_SYMLINK_HOPS = 40;

  private ArchivePaths() {}

  /**
   * The normalised segments of an entry name, or a reason it is refused. {@code "./"} gives the
   * empty list (the release directory itself).
   */
  static Result entryName(String name) {
    if (name == null || name.isEmpty()) {
      return Result.refused("has an empty name");
    }
    String formal = formalProblem(name);
    if (formal != null) {
      return Result.refused(formal);
    }
    Deque<String> out = new ArrayDeque<>();
    for (String segment : name.split("/")) {
      if (!push(out, segment)) {
        return Result.refused("escapes the release directory with '..'");
      }
    }
    return Result.ok(List.copyOf(out));
  }

  /**
   * Where a symlink at {@code linkPath} (normalised segments) pointing at {@code target} leads,
   * relative to the release directory, without following other symlinks; or why it is refused.
   */
  static Result symlinkTarget(List<String> linkPath, String target) {
    if (target == null || target.isEmpty()) {
      return Result.refused("is a symlink with an empty target");
    }
    if (target.startsWith("/")) {
      return Result.refused(
          "is a symlink to the absolute path '" + target + "'; use a relative one");
    }
    String formal = formalProblem(target);
    if (formal != null) {
      return Result.refused("is a symlink whose target " + formal);
    }
    Deque<String> out = new ArrayDeque<>(linkPath.subList(0, linkPath.size() - 1));
    for (String segment : target.split("/")) {
      if (!push(out, segment)) {
        return Result.refused(
            "is a symlink to '" + target + "', which points outside the release directory");
      }
    }
    return Result.ok(List.copyOf(out));
  }

  /**
   * Resolves {@code start} (normalised segments) the way the kernel would, following the archive's
   * own symlinks ({@code symlinks}: normalised link path joined with "/" → raw target). Empty when
   * the chain leaves the release directory or loops.
   */
  static Optional<List<String>> resolve(List<String> start, Map<String, String> symlinks) {
    Deque<String> pending = new ArrayDeque<>(start);
    List<String> current = new ArrayList<>();
    int hops = 0;
    while (!pending.isEmpty()) {
      String segment = pending.pollFirst();
      if (segment.isEmpty() || segment.equals(".")) {
        continue;
      }
      if (segment.equals("..")) {
        if (current.isEmpty()) {
          return Optional.empty();
        }
        current.remove(current.size() - 1);
        continue;
      }
      current.add(segment);
      String target = symlinks.get(String.join("/", current));
      if (target != null) {
        if (++hops > MAX_SYMLINK_HOPS || target.startsWith("/")) {
          return Optional.empty();
        }
        current.remove(current.size() - 1);
        String[] parts = target.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
          pending.addFirst(parts[i]);
        }
      }
    }
    return Optional.of(List.copyOf(current));
  }

  /** Problems visible without normalising: absolute, drive letter, backslash, NUL. */
  private static String formalProblem(String name) {
    if (name.startsWith("/")) {
      return "is an absolute path; entries must be relative to the release directory";
    }
    if (DRIVE_LETTER.matcher(name).matches()) {
      return "starts with a Windows drive letter; entries must be relative to the release directory";
    }
    if (name.indexOf('\\') >= 0) {
      return "contains a backslash; use '/' as the separator";
    }
    if (name.indexOf('\0') >= 0) {
      return "contains a NUL character";
    }
    return null;
  }

  private static boolean push(Deque<String> out, String segment) {
    if (segment.isEmpty() || segment.equals(".")) {
      return true;
    }
    if (segment.equals("..")) {
      if (out.isEmpty()) {
        return false;
      }
      out.removeLast();
      return true;
    }
    out.addLast(segment);
    return true;
  }

  /** Normalised segments, or the reason (a phrase completing "entry 'x' ...") they are refused. */
  record Result(List<String> segments, String refusal) {
    static Result ok(List<String> segments) {
      return new Result(segments, null);
    }

    static Result refused(String refusal) {
      return new Result(null, refusal);
    }

    boolean isOk() {
      return refusal == null;
    }

    String joined() {
      return String.join("/", segments);
    }
  }
}
