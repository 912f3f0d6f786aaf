package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeType;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.math.BigDecimal;
import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/** The client's streaming JSON reader and writer build and print what ObjectMapper does. */
class JsonTreeTest {

  /** The reference: what the client used before (and the node uses). */
  static final ObjectMapper MAPPER = new ObjectMapper();

  static final String NESTED =
      "{\"name\":\"web\",\"n\":2,\"big\":12345678901,\"huge\":123456789012345678901234567890,"
          + "\"neg\":-7,\"pi\":3.25,\"exp\":-1.5E-7,\"yes\":true,\"no\":false,\"none\":null,"
          + "\"text\":\"h\\u00e9llo \\\"w\\\" \\\\ \\n\\t \\u2603 \\ud83d\\ude80\","
          + "\"empty\":{},\"list\":[],\"mixed\":[1,\"a\",[2,[3,{}]],{\"k\":[null,true]}],"
          + "\"deep\":{\"a\":{\"b\":{\"c\":[{\"d\":0}]}}}}";

  @Test
  void readsTheTreeObjectMapperReads() throws Exception {
    JsonNode mine = JsonTree.read(NESTED);
    assertEquals(MAPPER.readTree(NESTED), mine);
    assertEquals(JsonNodeType.NUMBER, mine.get("n").getNodeType());
    assertTrue(mine.get("n").isInt());
    assertTrue(mine.get("big").isLong());
    assertTrue(mine.get("huge").isBigInteger());
    assertEquals(
        new BigInteger("123456789012345678901234567890"), mine.get("huge").bigIntegerValue());
    assertTrue(mine.get("pi").isDouble());
    assertEquals("h\u00e9llo \"w\" \\ \n\t \u2603 \ud83d\ude80", mine.get("text").textValue());
    assertTrue(mine.get("none").isNull());
    assertEquals(0, mine.at("/deep/a/b/c/0/d").intValue());
  }

  @Test
  void writesWhatObjectMapperWrites() throws Exception {
    JsonNode tree = MAPPER.readTree(NESTED);
    assertEquals(MAPPER.writeValueAsString(tree), JsonTree.write(tree));
    assertEquals(
        MAPPER.writerWithDefaultPrettyPrinter().writeValueAsString(tree), JsonTree.pretty(tree));
  }

  @Test
  void roundTripsEveryKindOfValue() throws Exception {
    ObjectNode o = JsonTree.object();
    o.put("s", "\u00fcnic\u00f8de \u2603 \ud83d\ude80 \u0000 </script>");
    o.put("i", Integer.MIN_VALUE);
    o.put("l", Long.MAX_VALUE);
    o.put("bi", new BigInteger("-98765432109876543210987654321"));
    o.put("bd", new BigDecimal("1.000000000000000000000000000001"));
    o.put("d", 0.1);
    o.put("f", 1.5f);
    o.put("t", true);
    o.putNull("z");
    o.putArray("a").add(1).addNull().add("x").addArray().addObject();
    o.putObject("o").putObject("p").put("q", "r");
    String text = JsonTree.write(o);
    JsonNode back = JsonTree.read(text);
    assertEquals(MAPPER.readTree(text), back);
    assertTrue(text.contains("\"bd\":1.000000000000000000000000000001"), text);
    // a decimal is read as a double, as ObjectMapper.readTree does: all else prints the same
    assertEquals(MAPPER.writeValueAsString(MAPPER.readTree(text)), JsonTree.write(back));
    assertEquals(text.replace("1.000000000000000000000000000001", "1.0"), JsonTree.write(back));
    assertEquals(JsonTree.read(JsonTree.pretty(o)), back);
    assertEquals(o.get("s").textValue(), back.get("s").textValue());
    assertEquals(Long.MAX_VALUE, back.get("l").longValue());
    assertEquals(o.get("bi").bigIntegerValue(), back.get("bi").bigIntegerValue());
    assertEquals(0.1, back.get("d").doubleValue());
  }

  @Test
  void scalarsAndEmptyText() throws Exception {
    assertEquals(MAPPER.readTree("\"x\""), JsonTree.read(" \"x\" "));
    assertEquals(MAPPER.readTree("42"), JsonTree.read("42"));
    assertEquals(MAPPER.readTree("null"), JsonTree.read("null"));
    assertTrue(JsonTree.read("").isMissingNode());
    assertTrue(JsonTree.read("  \n").isMissingNode());
    assertEquals("null", JsonTree.write(null));
    assertEquals("[ ]", JsonTree.pretty(JsonTree.read("[]")));
  }

  @Test
  void integersAreIntLongOrBigByTheirSizeAsObjectMapperReadsThem() throws Exception {
    for (String n :
        new String[] {
          "0",
          "-0",
          "7",
          "-7",
          "2147483647",
          "2147483648",
          "-2147483648",
          "-2147483649",
          "999999999999999999",
          "-999999999999999999",
          "9223372036854775807",
          "9223372036854775808",
          "-9223372036854775808",
          "-9223372036854775809",
          "123456789012345678901234567890",
          "1.0",
          "-0.5",
          "1e3",
          "1E-3",
          "1.7976931348623157E308",
          "1e400",
          "-1e400"
        }) {
      JsonNode mine = JsonTree.read(n);
      JsonNode ref = MAPPER.readTree(n);
      assertEquals(ref, mine, n);
      assertEquals(ref.numberType(), mine.numberType(), n);
    }
  }

  @Test
  void lastOfDuplicateKeysWins() throws Exception {
    assertEquals(2, JsonTree.read("{\"a\":1,\"a\":2}").get("a").intValue());
  }

  @Test
  void malformedTextIsAnError() {
    for (String bad :
        new String[] {"{", "[1,", "{\"a\" 1}", "tru", "<html>", "{\"a\":1} x", "[1] [2]", "'a'"}) {
      assertThrows(JsonProcessingException.class, () -> JsonTree.read(bad), bad);
    }
  }
}
