package io.drover.http.cli.watch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SseReaderTest {

  private static SseReader reader(String text) {
    return new SseReader(new ByteArrayInputStream(text.getBytes(StandardCharsets.UTF_8)));
  }

  private static List<SseReader.Event> events(SseReader r) throws IOException {
    List<SseReader.Event> out = new ArrayList<>();
    for (SseReader.Event e = r.nextEvent(); e != null; e = r.nextEvent()) {
      out.add(e);
    }
    return out;
  }

  /** Hands out at most {@code chunk} bytes per read, to split lines and CRLF across reads. */
  private static InputStream trickle(byte[] bytes, int chunk) {
    return new ByteArrayInputStream(bytes) {
      @Override
      public synchronized int read(byte[] b, int off, int len) {
        return super.read(b, off, Math.min(len, chunk));
      }
    };
  }

  @Test
  void aStepEventAsTheNodeWritesItWithIdTypeAndJsonData() throws IOException {
    SseReader r =
        reader(
            ": steps of deploy d-1\n\n"
                + "id: 3\nevent: host-done\ndata: {\"deploy\":\"d-1\",\"seq\":3}\n\n");
    assertEquals(new SseReader.Comment("steps of deploy d-1"), r.next());
    SseReader.Item item = r.next();
    assertEquals(
        new SseReader.EventItem(
            new SseReader.Event("3", "host-done", "{\"deploy\":\"d-1\",\"seq\":3}")),
        item);
    assertEquals("3", r.lastEventId());
    assertSame(SseReader.End.INSTANCE, r.next());
    assertSame(SseReader.End.INSTANCE, r.next(), "the end stays the end");
  }

  @Test
  void multiLineDataIsJoinedWithNewlinesAndOnlyOneLeadingSpaceIsDropped() throws IOException {
    SseReader r = reader("data:  two spaces\ndata:none\ndata\ndata: last\n\n");
    assertEquals(
        List.of(new SseReader.Event("", "message", " two spaces\nnone\n\nlast")), events(r));
  }

  @Test
  void crLfAndLoneCrEndLinesToo() throws IOException {
    SseReader r = reader("id: 1\r\nevent: a\r\ndata: x\r\n\r\nid: 2\revent: b\rdata: y\r\r");
    assertEquals(
        List.of(new SseReader.Event("1", "a", "x"), new SseReader.Event("2", "b", "y")), events(r));
  }

  @Test
  void crLfSplitAcrossReadsIsOneLineEnd() throws IOException {
    byte[] bytes =
        "id: 1\r\ndata: x\r\n\r\nid: 2\r\ndata: y\r\n\r\n".getBytes(StandardCharsets.UTF_8);
    for (int chunk = 1; chunk <= 7; chunk++) {
      SseReader r = new SseReader(trickle(bytes, chunk));
      assertEquals(
          List.of(
              new SseReader.Event("1", "message", "x"), new SseReader.Event("2", "message", "y")),
          events(r),
          "chunks of " + chunk);
    }
  }

  @Test
  void multiByteCharactersSplitAcrossReadsAreDecodedWhole() throws IOException {
    byte[] bytes = "data: héllo → ✓\n\n".getBytes(StandardCharsets.UTF_8);
    SseReader r = new SseReader(trickle(bytes, 1));
    assertEquals("héllo → ✓", r.nextEvent().data());
  }

  @Test
  void anEventWithoutDataIsNotDispatchedButItsIdCountsAndItsTypeDoesNotLeak() throws IOException {
    SseReader r = reader("id: 7\nevent: ghost\n\ndata: real\n\n");
    SseReader.Event e = r.nextEvent();
    assertEquals(new SseReader.Event("7", "message", "real"), e, "carries the last id, no type");
    assertEquals("7", r.lastEventId());
  }

  @Test
  void theLastIdCarriesOverAndAnEmptyIdResetsIt() throws IOException {
    SseReader r = reader("id: 5\ndata: a\n\ndata: b\n\nid\ndata: c\n\n");
    assertEquals(
        List.of(
            new SseReader.Event("5", "message", "a"),
            new SseReader.Event("5", "message", "b"),
            new SseReader.Event("", "message", "c")),
        events(r));
  }

  @Test
  void anIdWithNulIsIgnored() throws IOException {
    SseReader r = reader("id: 1\ndata: a\n\nid: 2\0x\ndata: b\n\n");
    assertEquals("1", events(r).get(1).id());
  }

  @Test
  void aCutOffEventAtTheEndIsDropped() throws IOException {
    SseReader r = reader("id: 1\ndata: whole\n\nid: 2\ndata: half\n");
    assertEquals(List.of(new SseReader.Event("1", "message", "whole")), events(r));
    assertEquals("1", r.lastEventId(), "the cut-off event's id does not count: resume after 1");
    SseReader noBlank = reader("id: 1\ndata: no blank line\n");
    assertNull(noBlank.nextEvent());
  }

  @Test
  void commentsUnknownFieldsAndRetry() throws IOException {
    SseReader r = reader(":keep-alive\n: \nfoo: bar\nretry: 2500\nretry: x\ndata: a\n\n");
    assertEquals(new SseReader.Comment("keep-alive"), r.next());
    assertEquals(new SseReader.Comment(""), r.next());
    assertEquals(new SseReader.EventItem(new SseReader.Event("", "message", "a")), r.next());
    assertEquals(2500, r.retryMillis());
  }

  @Test
  void aLeadingBomIsSkippedAndAColonInTheValueIsKept() throws IOException {
    SseReader r = reader("\uFEFFevent: e\ndata: {\"a\": \"b:c\"}\n\n");
    assertEquals(new SseReader.Event("", "e", "{\"a\": \"b:c\"}"), r.nextEvent());
  }

  @Test
  void aLineLongerThanTheBufferIsReadWhole() throws IOException {
    String big = "x".repeat(50_000);
    SseReader r = reader("data: " + big + "\n\n");
    assertEquals(big, r.nextEvent().data());
  }
}
