package io.drover.http.cli.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import org.junit.jupiter.api.Test;

/** A stream event's data read as a step (JSON tree, no object mapper). */
class DeployStepParseTest {

  private static DeployStep parse(String data) {
    return DeployWatch.parse(new SseReader.Event("1", "message", data));
  }

  @Test
  void aStepIsReadAndFieldsItDoesNotKnowAreIgnored() {
    assertEquals(
        new DeployStep("d-1", 4, 1000, "host-done", "h1", null, "done", "line 1\nline 2"),
        parse(
            "{\"deploy\":\"d-1\",\"seq\":4,\"at\":1000,\"type\":\"host-done\",\"host\":\"h1\","
                + "\"site\":null,\"state\":\"done\",\"reason\":\"line 1\\nline 2\","
                + "\"new\":{\"from\":\"a newer node\"}}"));
    assertEquals(
        new DeployStep(null, 7, 0, "deploy-queued", null, null, null, null),
        parse("{\"type\":\"deploy-queued\",\"seq\":\"7\"}"));
  }

  @Test
  void dataThatIsNotAStepIsNone() {
    assertNull(parse("not json"));
    assertNull(parse("[1,2]"));
    assertNull(parse("{\"seq\":1}"), "no type");
    assertNull(parse("{\"type\":null}"));
    assertNull(
        parse("{\"type\":\"host-done\",\"host\":{\"name\":\"h1\"}}"), "a host that is not text");
    assertNull(parse(""));
  }
}
