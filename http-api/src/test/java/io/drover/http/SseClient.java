package io.drover.http;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/** A Server-Sent Events client for tests: parses the stream into events on a reader thread. */
final class SseClient implements AutoCloseable {

  /** One event; {@code END} marks the end of the stream. */
  record Event(String id, String type, String data) {}

  static final Event END = new Event("", "", "");

  final int status;
  final String contentType;
  final String body;
  final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
  final List<String> comments = new CopyOnWriteArrayList<>();
  private final Stream<String> lines;

  private SseClient(HttpResponse<Stream<String>> r) {
    this.status = r.statusCode();
    this.contentType = r.headers().firstValue("Content-Type").orElse("");
    this.lines = r.body();
    if (status != 200) {
      this.body = String.join("\n", lines.toList());
      return;
    }
    this.body = null;
    Thread t = new Thread(this::read, "sse-client");
    t.setDaemon(true);
    t.start();
  }

  static SseClient open(int port, String path, Map<String, String> headers) throws Exception {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
            .header("Accept", "text/event-stream");
    headers.forEach(b::header);
    return new SseClient(client.send(b.GET().build(), HttpResponse.BodyHandlers.ofLines()));
  }

  /** Opens {@code path} with {@code Authorization: Bearer token}. */
  static SseClient openAs(int port, String path, String token) throws Exception {
    return open(port, path, Map.of("Authorization", "Bearer " + token));
  }

  private void read() {
    String id = null;
    String type = null;
    List<String> data = new ArrayList<>();
    try {
      Iterator<String> it = lines.iterator();
      while (it.hasNext()) {
        String line = it.next();
        if (line.isEmpty()) {
          if (!data.isEmpty()) {
            events.add(new Event(id, type, String.join("\n", data)));
          }
          id = null;
          type = null;
          data.clear();
        } else if (line.startsWith(":")) {
          comments.add(line.substring(1).trim());
        } else if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith("event:")) {
          type = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.add(line.substring(5).trim());
        }
      }
    } catch (RuntimeException e) {
      // the connection closed
    }
    events.add(END);
  }

  /** The next event, or null after {@code seconds}. */
  Event next(int seconds) throws InterruptedException {
    return events.poll(seconds, TimeUnit.SECONDS);
  }

  @Override
  public void close() {
    lines.close();
  }
}
