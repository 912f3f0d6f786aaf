package io.drover.chaos.fuzz;

import java.util.Random;

/** Random names, paths, query strings, headers, content types and bodies, many of them odd. */
final class Strings {

  private Strings() {}

  /** A path segment: valid-looking names, invalid ones and percent-encoded oddities. */
  static String name(Random rnd) {
    return switch (rnd.nextInt(16)) {
      case 0 -> "x" + rnd.nextInt(4);
      case 1 -> "UPPER";
      case 2 -> "a%20b";
      case 3 -> "%2e%2e";
      case 4 -> "..";
      case 5 -> "a".repeat(64 + rnd.nextInt(300));
      case 6 -> "%2F";
      case 7 -> "%00";
      case 8 -> "%ZZ";
      case 9 -> "%C3%A9t%C3%A9";
      case 10 -> "-lead";
      case 11 -> "%E2%80%AE";
      case 12 -> "%";
      case 13 -> "a;b=c";
      case 14 -> "x".repeat(5000);
      default -> "n-" + rnd.nextInt(4);
    };
  }

  /** A request target that matches no route, or nearly matches one. */
  static String path(Random rnd) {
    return switch (rnd.nextInt(14)) {
      case 0 -> "/";
      case 1 -> "/api";
      case 2 -> "/api/v1";
      case 3 -> "/api/v2/sites";
      case 4 -> "/api/v1/" + name(rnd);
      case 5 -> "/api/v1/sites/" + name(rnd) + "/" + name(rnd) + "/" + name(rnd);
      case 6 -> "/api/v1/sites/fz-a/instances/" + name(rnd) + "/logs/" + name(rnd);
      case 7 -> "/api//v1//sites";
      case 8 -> "/api/v1/sites/";
      case 9 -> "/api/v1/cluster/" + name(rnd);
      case 10 -> "/api/v1/hosts/" + name(rnd) + "/" + name(rnd);
      case 11 -> "/metrics/" + name(rnd);
      case 12 -> "*";
      default -> "/" + "seg/".repeat(1 + rnd.nextInt(200)) + name(rnd);
    };
  }

  /** A query string, sometimes malformed. */
  static String query(Random rnd) {
    return switch (rnd.nextInt(8)) {
      case 0 -> "tail=" + rnd.nextInt();
      case 1 -> "a=1&a=2";
      case 2 -> "%ZZ=1";
      case 3 -> "=";
      case 4 -> "&&&";
      case 5 -> "x=" + "y".repeat(2000 + rnd.nextInt(6000));
      case 6 -> "tail";
      default -> "k" + rnd.nextInt(10) + "=%E2%82%AC";
    };
  }

  static String contentType(Random rnd) {
    return switch (rnd.nextInt(10)) {
      case 0 -> "application/json";
      case 1 -> "text/plain";
      case 2 -> "application/json; charset=latin1";
      case 3 -> "application/json; charset=nope";
      case 4 -> "multipart/form-data; boundary=x";
      case 5 -> "application/x-www-form-urlencoded";
      case 6 -> "garbage";
      case 7 -> "";
      case 8 -> "application/gzip";
      default -> "*/*";
    };
  }

  /** An extra header: odd accept and encoding values, long values, duplicates of known ones. */
  static FuzzRequest.Header header(Random rnd) {
    return switch (rnd.nextInt(10)) {
      case 0 -> new FuzzRequest.Header("Accept", "application/xml");
      case 1 -> new FuzzRequest.Header("Accept", "text/event-stream;q=garbage");
      case 2 -> new FuzzRequest.Header("Content-Encoding", "gzip");
      case 3 -> new FuzzRequest.Header("Accept-Encoding", "gzip, deflate, br, zstd");
      case 4 -> new FuzzRequest.Header("X-Long", "v".repeat(1000 + rnd.nextInt(7000)));
      case 5 -> new FuzzRequest.Header("Authorization", "Bearer " + rnd.nextLong());
      case 6 -> new FuzzRequest.Header("Expect", "100-continue");
      case 7 -> new FuzzRequest.Header("Range", "bytes=0-1");
      case 8 -> new FuzzRequest.Header("If-None-Match", "*");
      default -> new FuzzRequest.Header("X-Fuzz-" + rnd.nextInt(100), "\u00e9\u00e8");
    };
  }

  /** A body that is rarely valid for anything. */
  static String body(Random rnd) {
    return switch (rnd.nextInt(8)) {
      case 0 -> "";
      case 1 -> "null";
      case 2 -> "{";
      case 3 -> "[]";
      case 4 -> "\"text\"";
      case 5 -> "{\"instances\":" + rnd.nextLong() + "}";
      case 6 -> "<xml/>";
      default -> "{\"a\":" + "[".repeat(rnd.nextInt(3000)) + "}";
    };
  }
}
