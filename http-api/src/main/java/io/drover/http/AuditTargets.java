package io.drover.http;

import io.drover.actors.audit.AuditRecord;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * What a request acts on, for the audit trail: {@code site hello}, {@code deploy d-1}, {@code host
 * h1}, {@code cronjob nightly}, {@code revision <id>}, {@code token ci}, {@code cluster}. A pure
 * function of the path (and, for a POST to a collection, the {@code name} or {@code id} its body
 * gives).
 */
final class AuditTargets {

  /** Resources whose next path segment names one of them, and that one's kind. */
  private static final Map<String, String> KINDS =
      Map.of(
          "sites", "site",
          "hosts", "host",
          "deploys", "deploy",
          "cronjobs", "cronjob",
          "revisions", "revision",
          "tokens", "token");

  private AuditTargets() {}

  /**
   * The target of a request to {@code path}.
   *
   * @param bodyName the top-level {@code name} or {@code id} of the response (what a POST created)
   *     or else of the request body; used only when the path names no instance ({@code POST
   *     /api/v1/tokens {"name":"ci"}} is {@code token ci}); null when none
   */
  static String of(String path, String bodyName) {
    List<String> segments = apiSegments(path);
    if (segments.isEmpty()) {
      return "api";
    }
    String resource = segments.get(0);
    String kind = KINDS.get(resource);
    if (kind == null) {
      // cluster join/leave, singletons, audit, events, metrics: the resource is the target
      return AuditRecord.cut(resource, AuditRecord.MAX_NAME);
    }
    if (segments.size() >= 2) {
      return AuditRecord.cut(kind + " " + segments.get(1), AuditRecord.MAX_NAME);
    }
    if (bodyName != null && !bodyName.isBlank()) {
      return AuditRecord.cut(kind + " " + bodyName.trim(), AuditRecord.MAX_NAME);
    }
    return resource;
  }

  /** Whether {@code path} is a collection ({@code /api/v1/deploys}) that names no instance. */
  static boolean namesNoInstance(String path) {
    List<String> segments = apiSegments(path);
    return segments.size() == 1 && KINDS.containsKey(segments.get(0));
  }

  private static List<String> apiSegments(String path) {
    List<String> segments = segments(path);
    if (segments.size() >= 2 && segments.get(0).equals("api") && segments.get(1).equals("v1")) {
      return segments.subList(2, segments.size());
    }
    return segments;
  }

  private static List<String> segments(String path) {
    List<String> out = new ArrayList<>();
    if (path == null) {
      return out;
    }
    for (String s : path.split("/")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }
}
