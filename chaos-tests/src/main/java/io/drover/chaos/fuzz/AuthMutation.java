package io.drover.chaos.fuzz;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.Set;

/**
 * Requests without a valid token: the {@code Authorization} header dropped or corrupted. Every one
 * must be answered 401 (only {@code GET /api/v1/health} is public) and change nothing; a request
 * too malformed to reach the API may be refused by the HTTP parser first (400, 414, 431, 501, 505;
 * 422 for a HEAD with a body).
 */
public final class AuthMutation {

  /** The header; a request carrying it with an empty value is sent without one (dropped). */
  public static final String HEADER = "Authorization";

  /** What the HTTP parser answers before any route or authentication runs. */
  static final Set<Integer> PARSER_STATUSES = Set.of(400, 413, 414, 422, 431, 501, 505);

  private static final Set<String> KNOWN_METHODS =
      Set.of("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS");

  /** Plain URI characters of a path and query, besides letters and digits. */
  private static final String PLAIN = "-._~!$&'()*+,;=:@/?";

  private AuthMutation() {}

  /** {@code r} with its token dropped or corrupted, noted in the request. */
  public static FuzzRequest apply(FuzzRequest r, Random rnd) {
    String value;
    String what;
    switch (rnd.nextInt(7)) {
      case 0 -> {
        value = "";
        what = "Authorization dropped";
      }
      case 1 -> {
        value = "Bearer drv_" + Long.toHexString(rnd.nextLong()) + Long.toHexString(rnd.nextLong());
        what = "unknown token";
      }
      case 2 -> {
        value = "Bearer";
        what = "Bearer without a token";
      }
      case 3 -> {
        value = "Basic YWRtaW46YWRtaW4=";
        what = "Basic credentials";
      }
      case 4 -> {
        value = "Bearer " + "x".repeat(2000 + rnd.nextInt(4000));
        what = "a very long token";
      }
      case 5 -> {
        value = "Token drv_" + Long.toHexString(rnd.nextLong());
        what = "another scheme";
      }
      default -> {
        value = "Bearer  drv_a drv_b";
        what = "two tokens";
      }
    }
    List<FuzzRequest.Header> headers = new ArrayList<>();
    for (FuzzRequest.Header h : r.headers()) {
      if (!h.name().equalsIgnoreCase(HEADER)) {
        headers.add(h);
      }
    }
    headers.add(new FuzzRequest.Header(HEADER, value));
    String note = r.note().isEmpty() ? what : r.note() + "; " + what;
    return new FuzzRequest(
        r.kind(),
        r.method(),
        r.target(),
        headers,
        r.body(),
        note,
        r.mustRefuse() != null ? r.mustRefuse() : "it has no valid token");
  }

  /**
   * Whether {@code r} carries its own (so not the node's) {@code Authorization}: a mutated or
   * randomly added header, never a valid token.
   */
  public static boolean withoutValidToken(FuzzRequest r) {
    return r.headers().stream().anyMatch(h -> h.name().equalsIgnoreCase(HEADER));
  }

  /**
   * Why {@code status} is wrong for {@code r}, which has no valid token; null when it is right:
   * 401, or for a request too malformed for any parser a parser's refusal. Health is public.
   */
  public static String wrongAnswer(FuzzRequest r, int status) {
    if (status == 401 || r.method().equals("GET") && r.path().equals("/api/v1/health")) {
      return null;
    }
    boolean plain =
        KNOWN_METHODS.contains(r.method())
            && plainTarget(r.target())
            && !(r.method().equals("HEAD") && r.bodySize() > 0)
            && r.headers().stream().allMatch(h -> h.value().length() < 7000);
    if (!plain && PARSER_STATUSES.contains(status)) {
      return null;
    }
    return "a request without a valid token was answered " + status + ", not 401";
  }

  /** A target every HTTP parser takes: a path and query of plain URI characters, not too long. */
  static boolean plainTarget(String t) {
    if (!t.startsWith("/") || t.length() > 2000) {
      return false;
    }
    for (int i = 0; i < t.length(); i++) {
      char c = t.charAt(i);
      if (c == '%') {
        if (i + 2 >= t.length() || hex(t.charAt(i + 1)) < 0 || hex(t.charAt(i + 2)) < 0) {
          return false;
        }
        i += 2;
      } else if (!(c < 128 && Character.isLetterOrDigit(c)) && PLAIN.indexOf(c) < 0) {
        return false;
      }
    }
    return true;
  }

  private static int hex(char c) {
    return Character.digit(c, 16);
  }
}
