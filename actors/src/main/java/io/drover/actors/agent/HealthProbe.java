package io.drover.actors.agent;

import io.drover.actors.site.HealthCheck;
import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * One attempt of an instance's health check, off the actor thread. The answer is {@code null} when
 * it passed, else a short reason. Never completes exceptionally and never takes much longer than
 * {@code timeout}.
 *
 * <p>An http or tcp check that got an answer also proves that the answer came from this instance:
 * every listener on the port must belong to the instance's process group ({@link SocketOwners}),
 * else the check fails with {@code port 20001 is held by pid 4242, not by this instance}. Exec
 * checks are the site's own affair and are not attributed.
 */
final class HealthProbe {

  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .followRedirects(HttpClient.Redirect.NEVER)
          .build();

  private HealthProbe() {}

  static CompletionStage<String> check(
      HealthCheck check,
      int port,
      long pgid,
      Path workDir,
      Map<String, String> env,
      Duration timeout,
      Executor blocking) {
    return check(check, port, pgid, workDir, env, Sandbox.Launch.AS_NODE, timeout, blocking);
  }

  /**
   * One attempt; an exec check runs as {@code launch} says (the instance's user and limits), in
   * {@code workDir} with exactly {@code env}.
   */
  static CompletionStage<String> check(
      HealthCheck check,
      int port,
      long pgid,
      Path workDir,
      Map<String, String> env,
      Sandbox.Launch launch,
      Duration timeout,
      Executor blocking) {
    CompletableFuture<String> attempt;
    try {
      if (check.http() != null) {
        attempt = ours(http(port, check.http(), timeout), port, pgid, blocking);
      } else if (check.exec() != null) {
        attempt =
            CompletableFuture.supplyAsync(
                () -> exec(check.exec(), launch, workDir, env, timeout), blocking);
      } else {
        attempt =
            ours(
                CompletableFuture.supplyAsync(() -> tcp(port, timeout), blocking),
                port,
                pgid,
                blocking);
      }
    } catch (RuntimeException e) {
      // e.g. a path that is not a URI, from a spec stored before paths were checked
      return CompletableFuture.completedFuture(describe(e));
    }
    return attempt
        .completeOnTimeout(
            "timed out after " + timeout.toMillis() + "ms",
            timeout.toMillis() + 500,
            TimeUnit.MILLISECONDS)
        .exceptionally(HealthProbe::describe);
  }

  /** Once {@code answered} passed: fails unless the listener on {@code port} is the group's. */
  private static CompletableFuture<String> ours(
      CompletableFuture<String> answered, int port, long pgid, Executor blocking) {
    return answered.thenCompose(
        failure ->
            failure != null
                ? CompletableFuture.completedFuture(failure)
                : CompletableFuture.supplyAsync(
                    () -> SocketOwners.SYSTEM.failure(port, pgid), blocking));
  }

  private static CompletableFuture<String> http(int port, String path, Duration timeout) {
    URI uri;
    try {
      uri = new URI("http://127.0.0.1:" + port + path);
    } catch (URISyntaxException e) {
      return CompletableFuture.completedFuture(
          "health.http '" + path + "' is not a valid URI path: " + e.getReason());
    }
    HttpRequest request = HttpRequest.newBuilder(uri).timeout(timeout).GET().build();
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.discarding())
        .thenApply(
            r ->
                r.statusCode() >= 200 && r.statusCode() < 400
                    ? null
                    : "GET " + path + " answered " + r.statusCode());
  }

  private static String tcp(int port, Duration timeout) {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), clampedMillis(timeout));
      return null;
    } catch (IOException e) {
      return "tcp connect to port " + port + ": " + e.getMessage();
    }
  }

  /** {@code timeout} in milliseconds as a positive int: at least 1, at most Integer.MAX_VALUE. */
  static int clampedMillis(Duration timeout) {
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, timeout.toMillis()));
  }

  private static String exec(
      List<String> argv,
      Sandbox.Launch launch,
      Path workDir,
      Map<String, String> env,
      Duration timeout) {
    Process p = null;
    try {
      ProcessBuilder pb =
          new ProcessBuilder(launch.argv(argv))
              .directory(workDir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD);
      InstanceEnv.apply(pb, env);
      p = pb.start();
      if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        return "check " + argv + " timed out after " + timeout.toMillis() + "ms";
      }
      return p.exitValue() == 0 ? null : "check " + argv + " exited with " + p.exitValue();
    } catch (IOException e) {
      return "check " + argv + " could not run: " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (p != null) {
        p.destroyForcibly();
      }
      return "check interrupted";
    }
  }

  private static String describe(Throwable t) {
    Throwable cause = t.getCause() != null ? t.getCause() : t;
    if (cause instanceof ConnectException) {
      return "connection refused";
    }
    String msg = cause.getMessage();
    return cause.getClass().getSimpleName() + (msg == null ? "" : ": " + msg);
  }
}
