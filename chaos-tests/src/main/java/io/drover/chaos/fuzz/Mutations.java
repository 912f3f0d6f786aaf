package io.drover.chaos.fuzz;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Mutations of valid JSON bodies: a field changed to a hostile value, removed, added, or the text
 * broken. A mutation that puts in a value every node must refuse says so ({@link
 * Mutated#mustRefuse}).
 */
public final class Mutations {

  private static final JsonNodeFactory F = JsonNodeFactory.instance;

  /**
   * A mutated body.
   *
   * @param body the bytes to send
   * @param what the mutations applied, for the report
   * @param mustRefuse why a node must refuse it; {@code null} when accepting it may be right
   */
  public record Mutated(byte[] body, String what, String mustRefuse) {}

  /** A value for a field, and why it must be refused ({@code null} when it may be fine). */
  record Value(JsonNode node, String mustRefuse) {}

  /**
   * Durations no spec should accept: each overflows or is far past any sane bound ({@code 300d} is
   * the issue's own example). {@code 30d} is added for {@code health.timeout}, where it overflows
   * an {@code int} of milliseconds.
   */
  static final List<String> HOSTILE_DURATIONS =
      List.of("300d", "99999999h", "106751991167d", "9223372036854775807ms", "1000000000s");

  /** Durations that may or may not be in bounds, and malformed ones. */
  static final List<String> ODD_DURATIONS =
      List.of(
          "0s", "-1s", "1ns", "0.5s", "1.5s", "5", "s", "", " 5s", "5 s", "1m1s", "PT5S", "5S",
          "5sec", "NaNs", "1e3ms", "1h", "24h", "7d", "1d");

  /** health.http values that no check can use. */
  static final List<String> HOSTILE_HTTP_PATHS =
      List.of("/a b", "/x\ny", "/tab\there", "/%zz", "/\u0000", "/a\r\nHost: evil", "/ ");

  private Mutations() {}

  /** {@code valid} with one to three field mutations, sometimes followed by a text mutation. */
  public static Mutated mutate(ObjectNode valid, Random rnd) {
    ObjectNode tree = valid.deepCopy();
    List<String> what = new ArrayList<>();
    List<List<String>> hostilePaths = new ArrayList<>();
    List<Value> hostile = new ArrayList<>();
    int n = 1 + rnd.nextInt(3);
    for (int i = 0; i < n; i++) {
      List<String> path = randomPath(rnd);
      Value v = valueFor(path, rnd);
      set(tree, path, v.node(), rnd);
      what.add(
          String.join(".", path) + "=" + abbreviate(v.node() == null ? "(removed)" : v.node()));
      if (v.mustRefuse() != null) {
        hostilePaths.add(path);
        hostile.add(v);
      }
    }
    // a hostile value counts only if a later mutation left it in place
    String mustRefuse = null;
    for (int i = 0; i < hostile.size() && mustRefuse == null; i++) {
      JsonNode now = tree.at("/" + String.join("/", hostilePaths.get(i)));
      if (now.equals(hostile.get(i).node())) {
        mustRefuse = hostile.get(i).mustRefuse();
      }
    }
    byte[] body = tree.toString().getBytes(StandardCharsets.UTF_8);
    if (rnd.nextInt(4) == 0) {
      TextMutation t = breakText(body, rnd);
      return new Mutated(t.body(), String.join(", ", what) + ", then " + t.what(), null);
    }
    return new Mutated(body, String.join(", ", what), mustRefuse);
  }

  /** The result of breaking a JSON text. */
  record TextMutation(byte[] body, String what) {}

  /** Breaks the text of a JSON body: cut, garbage, deep nesting, bad UTF-8, BOM, duplicates. */
  static TextMutation breakText(byte[] body, Random rnd) {
    switch (rnd.nextInt(9)) {
      case 0:
        return new TextMutation(
            Arrays.copyOf(body, rnd.nextInt(Math.max(1, body.length))), "truncated");
      case 1:
        {
          byte[] b = body.clone();
          if (b.length > 0) {
            b[rnd.nextInt(b.length)] = (byte) rnd.nextInt(256);
          }
          return new TextMutation(b, "one byte changed");
        }
      case 2:
        {
          int depth = 1_000 + rnd.nextInt(100_000);
          return new TextMutation(
              ("[".repeat(depth) + "]".repeat(depth)).getBytes(StandardCharsets.UTF_8),
              "nested " + depth + " deep");
        }
      case 3:
        {
          int depth = 1_000 + rnd.nextInt(50_000);
          return new TextMutation(
              ("{\"a\":".repeat(depth) + "1" + "}".repeat(depth)).getBytes(StandardCharsets.UTF_8),
              "objects nested " + depth + " deep");
        }
      case 4:
        return new TextMutation(
            concat(new byte[] {(byte) 0xef, (byte) 0xbb, (byte) 0xbf}, body), "UTF-8 BOM");
      case 5:
        return new TextMutation(concat(body, new byte[] {(byte) 0xc3, (byte) 0x28}), "bad UTF-8");
      case 6:
        {
          String s = new String(body, StandardCharsets.UTF_8);
          return new TextMutation(
              s.replaceFirst("\\{", "{\"instances\":2,\"instances\":3,")
                  .getBytes(StandardCharsets.UTF_8),
              "duplicate keys");
        }
      case 7:
        return new TextMutation(concat(body, body), "two documents");
      default:
        {
          byte[] junk = new byte[rnd.nextInt(200)];
          rnd.nextBytes(junk);
          return new TextMutation(junk, "random bytes");
        }
    }
  }

  /** A path into the spec: a known field most of the time, sometimes a made-up one. */
  private static List<String> randomPath(Random rnd) {
    List<List<String>> known =
        List.of(
            List.of("revision"),
            List.of("command"),
            List.of("instances"),
            List.of("pool"),
            List.of("env"),
            List.of("env", "APP_MODE"),
            List.of("env", pick(rnd, "PORT", "DROVER_JDBC_PASSWORD", "1BAD", "", "A-B", "a b")),
            List.of("health"),
            List.of("health", "http"),
            List.of("health", "tcp"),
            List.of("health", "exec"),
            List.of("health", "interval"),
            List.of("health", "timeout"),
            List.of("health", "startTimeout"),
            List.of("health", "failures"),
            List.of("restart"),
            List.of("restart", "initialBackoff"),
            List.of("restart", "maxBackoff"),
            List.of("restart", "resetAfter"),
            List.of("unknownField"),
            List.of("address"));
    return known.get(rnd.nextInt(known.size()));
  }

  /** A value for the field at {@code path}; {@code null} node removes it. */
  static Value valueFor(List<String> path, Random rnd) {
    String field = path.get(path.size() - 1);
    if (rnd.nextInt(8) == 0) {
      return new Value(null, null);
    }
    if (rnd.nextInt(6) == 0) {
      return new Value(anyValue(rnd), null);
    }
    String parent = path.size() > 1 ? path.get(0) : "";
    switch (field) {
      case "instances":
        {
          int[] bad = {-1, 0, 1, 1001, Integer.MAX_VALUE, Integer.MIN_VALUE};
          if (rnd.nextBoolean()) {
            int v = bad[rnd.nextInt(bad.length)];
            return new Value(F.numberNode(v), "instances " + v + " is out of 2..1000");
          }
          // never a valid count above 3: a real node would start that many processes
          return new Value(
              pickNode(
                  rnd,
                  F.numberNode(2),
                  F.numberNode(3),
                  F.numberNode(2.5),
                  F.textNode("2"),
                  F.numberNode(new BigInteger("99999999999999999999")),
                  F.numberNode(new BigDecimal("1e400"))),
              null);
        }
      case "revision":
        return new Value(
            F.textNode(
                pick(rnd, "", "abc", "0".repeat(64), "A".repeat(64), "g".repeat(64), "../x")),
            null);
      case "interval":
      case "timeout":
      case "startTimeout":
      case "initialBackoff":
      case "maxBackoff":
      case "resetAfter":
        if (rnd.nextBoolean()) {
          List<String> hostile = new ArrayList<>(HOSTILE_DURATIONS);
          if (field.equals("timeout")) {
            hostile.add("30d");
          }
          String d = hostile.get(rnd.nextInt(hostile.size()));
          return new Value(
              F.textNode(d), parent + "." + field + " \"" + d + "\" is beyond any sane bound");
        }
        return new Value(F.textNode(ODD_DURATIONS.get(rnd.nextInt(ODD_DURATIONS.size()))), null);
      case "http":
        if (rnd.nextBoolean()) {
          String p = HOSTILE_HTTP_PATHS.get(rnd.nextInt(HOSTILE_HTTP_PATHS.size()));
          return new Value(F.textNode(p), "health.http " + quote(p) + " is not a usable path");
        }
        return new Value(
            F.textNode(pick(rnd, "/healthz", "healthz", "", "/" + "x".repeat(10_000), "/ok?x=1")),
            null);
      case "failures":
        return new Value(
            pickNode(rnd, F.numberNode(0), F.numberNode(-1), F.numberNode(Integer.MAX_VALUE)),
            null);
      case "command":
      case "exec":
        return new Value(
            pickNode(
                rnd,
                F.arrayNode(),
                F.arrayNode().add(""),
                F.arrayNode().addNull(),
                F.arrayNode().add("/nonexistent/binary"),
                F.arrayNode().add("true"),
                F.textNode("sleep 600")),
            null);
      case "pool":
        return new Value(F.textNode(pick(rnd, "UPPER", "", "p".repeat(64), "other", "a b")), null);
      case "tcp":
        return new Value(pickNode(rnd, F.booleanNode(true), F.booleanNode(false)), null);
      default:
        return new Value(anyValue(rnd), null);
    }
  }

  /** A value of any JSON type, often odd. */
  static JsonNode anyValue(Random rnd) {
    return switch (rnd.nextInt(12)) {
      case 0 -> F.nullNode();
      case 1 -> F.booleanNode(rnd.nextBoolean());
      case 2 -> F.numberNode(rnd.nextLong());
      case 3 -> F.numberNode(rnd.nextDouble() * 1e300);
      case 4 -> F.textNode("");
      case 5 -> F.textNode("x".repeat(1 + rnd.nextInt(100_000)));
      case 6 -> F.textNode("\u0000\ud83d\ude00\u202e../..");
      case 7 -> F.arrayNode().add(1).add("two").addNull();
      case 8 -> F.objectNode().put("k", "v");
      case 9 -> F.textNode("${jndi:ldap://127.0.0.1/x}");
      case 10 -> F.numberNode(new BigDecimal("-0.0"));
      default -> F.textNode(String.valueOf(rnd.nextInt()));
    };
  }

  private static void set(ObjectNode tree, List<String> path, JsonNode value, Random rnd) {
    ObjectNode at = tree;
    for (int i = 0; i < path.size() - 1; i++) {
      if (!(at.get(path.get(i)) instanceof ObjectNode)) {
        at.set(path.get(i), F.objectNode());
      }
      at = (ObjectNode) at.get(path.get(i));
    }
    String last = path.get(path.size() - 1);
    if (value == null) {
      at.remove(last);
    } else {
      at.set(last, value);
    }
    if (rnd.nextInt(20) == 0 && at.get(last) instanceof ArrayNode a) {
      a.add(anyValue(rnd));
    }
  }

  @SafeVarargs
  static <T> T pick(Random rnd, T... options) {
    return options[rnd.nextInt(options.length)];
  }

  private static JsonNode pickNode(Random rnd, JsonNode... options) {
    return options[rnd.nextInt(options.length)];
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  private static String quote(String s) {
    return "\"" + s.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t") + "\"";
  }

  private static String abbreviate(Object o) {
    String s = String.valueOf(o);
    return s.length() <= 60 ? s : s.substring(0, 60) + "...(" + s.length() + " chars)";
  }
}
