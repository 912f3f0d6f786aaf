package io.drover.http.cli;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.MissingNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.util.Iterator;
import java.util.Map;

/**
 * JSON text to Jackson's tree ({@link JsonNode}) and back, on Jackson's streaming {@link
 * JsonFactory} alone: the client's hot path builds no {@code ObjectMapper} (creating one and its
 * first {@code readTree} costs a JVM without warm-up some 20-40 ms, more than parsing ever does).
 * The trees are the ones {@code ObjectMapper.readTree} builds (integers as int, long or big integer
 * nodes by size; other numbers as doubles (too big: infinite); the last of duplicate keys wins),
 * and the text is {@code ObjectMapper}'s ({@link #pretty} is its default pretty printer's).
 */
public final class JsonTree {

  private static final JsonFactory FACTORY = new JsonFactory();
  private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

  private JsonTree() {}

  /** A new empty object. */
  static ObjectNode object() {
    return NODES.objectNode();
  }

  /**
   * The tree of one JSON value; {@link MissingNode} for text without any. Content after the value
   * is an error.
   */
  public static JsonNode read(String text) throws JsonProcessingException {
    try (JsonParser p = FACTORY.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t == null) {
        return MissingNode.getInstance();
      }
      JsonNode n = value(p, t);
      if (p.nextToken() != null) {
        throw new JsonParseException(p, "more content after the JSON value");
      }
      return n;
    } catch (JsonProcessingException e) {
      throw e;
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a String has no I/O
    }
  }

  private static JsonNode value(JsonParser p, JsonToken t) throws IOException {
    switch (t) {
      case START_OBJECT:
        {
          ObjectNode o = NODES.objectNode();
          for (JsonToken k = p.nextToken(); k != JsonToken.END_OBJECT; k = p.nextToken()) {
            String name = p.currentName();
            o.set(name, value(p, p.nextToken()));
          }
          return o;
        }
      case START_ARRAY:
        {
          ArrayNode a = NODES.arrayNode();
          for (JsonToken v = p.nextToken(); v != JsonToken.END_ARRAY; v = p.nextToken()) {
            a.add(value(p, v));
          }
          return a;
        }
      case VALUE_STRING:
        return NODES.textNode(p.getText());
      case VALUE_NUMBER_INT:
        return integer(p.getText());
      case VALUE_NUMBER_FLOAT:
        {
          // the JDK's parser, as Jackson's default; not Jackson's NumberInput, whose first use
          // compiles a regular expression (~1 ms of a command)
          return NODES.numberNode(Double.parseDouble(p.getText()));
        }
      case VALUE_TRUE:
        return NODES.booleanNode(true);
      case VALUE_FALSE:
        return NODES.booleanNode(false);
      case VALUE_NULL:
        return NODES.nullNode();
      default:
        throw new JsonParseException(p, "unexpected " + t);
    }
  }

  /** An integer's node by its size: int, long or big integer, as {@code ObjectMapper} reads it. */
  static JsonNode integer(String text) {
    if (text.length() <= 18) {
      long v = Long.parseLong(text);
      return v == (int) v ? NODES.numberNode((int) v) : NODES.numberNode(v);
    }
    BigInteger v = new BigInteger(text);
    return v.bitLength() < 64 ? NODES.numberNode(v.longValue()) : NODES.numberNode(v);
  }

  /** {@code n} as compact JSON text ({@code null} for a Java null or a missing node). */
  static String write(JsonNode n) {
    return text(n, false);
  }

  /** {@code n} as indented JSON text, as {@code -o json} prints it. */
  static String pretty(JsonNode n) {
    return text(n, true);
  }

  private static String text(JsonNode n, boolean pretty) {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = FACTORY.createGenerator(w)) {
      if (pretty) {
        g.setPrettyPrinter(new DefaultPrettyPrinter());
      }
      write(g, n);
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter has no I/O
    }
    return w.toString();
  }

  private static void write(JsonGenerator g, JsonNode n) throws IOException {
    if (n == null || n.isMissingNode() || n.isNull()) {
      g.writeNull();
    } else if (n.isObject()) {
      g.writeStartObject();
      for (Iterator<Map.Entry<String, JsonNode>> it = n.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        g.writeFieldName(e.getKey());
        write(g, e.getValue());
      }
      g.writeEndObject();
    } else if (n.isArray()) {
      g.writeStartArray();
      for (JsonNode v : n) {
        write(g, v);
      }
      g.writeEndArray();
    } else if (n.isTextual()) {
      g.writeString(n.textValue());
    } else if (n.isBoolean()) {
      g.writeBoolean(n.booleanValue());
    } else if (n.isInt() || n.isShort()) {
      g.writeNumber(n.intValue());
    } else if (n.isLong()) {
      g.writeNumber(n.longValue());
    } else if (n.isBigInteger()) {
      g.writeNumber(n.bigIntegerValue());
    } else if (n.isBigDecimal()) {
      g.writeNumber(n.decimalValue());
    } else if (n.isFloat()) {
      g.writeNumber(n.floatValue());
    } else if (n.isDouble()) {
      g.writeNumber(n.doubleValue());
    } else if (n.isBinary()) {
      g.writeBinary(n.binaryValue());
    } else {
      throw new IllegalArgumentException("cannot write a " + n.getNodeType() + " node as JSON");
    }
  }
}
