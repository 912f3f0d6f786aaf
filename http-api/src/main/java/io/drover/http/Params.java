package io.drover.http;

import java.util.Optional;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.javadsl.model.StatusCodes;

/** Query parameters with bounds; a bad one becomes a 400 that says what to send. */
final class Params {

  private Params() {}

  /** A whole number, or the problem response when it is not one within the bounds. */
  record Bounded(int value, HttpResponse problem) {}

  static Bounded bounded(String name, Optional<String> text, int fallback, int min, int max) {
    int v;
    try {
      v = text.map(t -> Integer.parseInt(t.trim())).orElse(fallback);
    } catch (NumberFormatException e) {
      v = min - 1;
    }
    if (v < min || v > max) {
      return new Bounded(
          0,
          Problem.response(
              StatusCodes.BAD_REQUEST,
              name + " must be a whole number from " + min + " to " + max));
    }
    return new Bounded(v, null);
  }
}
