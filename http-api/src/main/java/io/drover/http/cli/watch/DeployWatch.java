package io.drover.http.cli.watch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * PLACEHOLDER (to be replaced by the live progress view on merge): follows one deploy by polling
 * {@code GET /api/v1/deploys/{id}} every second, at most 2 hours, printing one line per change of
 * its state or host counters.
 */
public final class DeployWatch {

  private static final Duration LIMIT = Duration.ofHours(2);
  private static final ObjectMapper MAPPER = new ObjectMapper();

  private DeployWatch() {}

  /**
   * Follows {@code deployId} until it ends.
   *
   * @return 0 succeeded; 1 failed, aborted or reverted (or still running after 2 hours); 3 the
   *     server cannot be reached; 4 not authorised
   */
  public static int watch(WatchTarget target, String deployId, PrintStream out, boolean terminal) {
    HttpClient.Builder cb = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5));
    if (target.sslContext() != null) {
      cb.sslContext(target.sslContext());
    }
    HttpClient client = cb.build();
    URI uri = URI.create(target.server() + "/api/v1/deploys/" + deployId);
    long deadline = System.nanoTime() + LIMIT.toNanos();
    String last = null;
    while (System.nanoTime() < deadline) {
      HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(30)).GET();
      if (target.token() != null) {
        b.header("Authorization", "Bearer " + target.token());
      }
      HttpResponse<String> r;
      try {
        r = client.send(b.build(), HttpResponse.BodyHandlers.ofString());
      } catch (IOException e) {
        out.println("cannot reach " + uri + ": " + e);
        return 3;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      }
      if (r.statusCode() == 401 || r.statusCode() == 403) {
        out.println("not authorised to read deploy " + deployId + " (HTTP " + r.statusCode() + ")");
        return 4;
      }
      if (r.statusCode() != 200) {
        out.println("deploy " + deployId + ": HTTP " + r.statusCode() + " " + r.body());
        return 1;
      }
      JsonNode d;
      try {
        d = MAPPER.readTree(r.body());
      } catch (IOException e) {
        out.println("deploy " + deployId + ": the answer is not JSON");
        return 1;
      }
      String state = d.path("state").asText();
      JsonNode c = d.path("counters");
      String line =
          "deploy "
              + deployId
              + " "
              + state
              + ": "
              + c.path("done").asInt()
              + "/"
              + c.path("total").asInt()
              + " hosts done, "
              + c.path("inProgress").asInt()
              + " in progress, "
              + c.path("failed").asInt()
              + " failed";
      if (!line.equals(last)) {
        out.println(line);
        last = line;
      }
      switch (state) {
        case "succeeded":
          return 0;
        case "failed":
        case "aborted":
        case "reverted":
          if (d.hasNonNull("endReason")) {
            out.println("  " + d.get("endReason").asText());
          }
          return 1;
        default:
          break;
      }
      try {
        TimeUnit.SECONDS.sleep(1);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return 1;
      }
    }
    out.println(
        "deploy " + deployId + " still runs after " + LIMIT.toHours() + " h; stopped watching");
    return 1;
  }
}
