package io.drover.actors.agent;

import io.drover.actors.common.Durations;
import io.drover.actors.site.SiteSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A site's optional {@code build} step, run at most once per host for each (revision, build argv):
 * the first instance that needs it starts the run, every instance that needs the same build while
 * it runs waits for that run (single flight), and a marker file in the release directory, {@code
 * .drover-build-<key>}, records a success so later instances and later agents skip it. The key is
 * {@code sha256(revision NUL argv[0] NUL argv[1] ...)}. A failure leaves no marker: the next start
 * tries again.
 *
 * <p>The build runs like an instance: through {@code setsid} (its pid is its process group), in the
 * release directory, with the instance environment but {@code PORT} and {@code DROVER_INSTANCE}.
 * Its output goes to {@code build-<key prefix>.log} next to the log of the instance that started it
 * (truncated on each run); every waiting instance gets a summary line (and on failure the last
 * lines) appended to its own log. A run longer than the build timeout has its process group killed
 * and fails; so does a run every waiter left (its instances were stopped).
 *
 * <p>Nothing here blocks the caller: files and process starts go to the blocking executor, and the
 * exit is awaited with {@link Process#onExit()}. One instance per agent, kept in {@link
 * AgentMemory}. Thread-safe.
 */
final class Builds {

  static final Duration DEFAULT_TIMEOUT = Duration.ofMinutes(10);
  static final Duration MIN_TIMEOUT = Duration.ofSeconds(1);
  static final Duration MAX_TIMEOUT = Duration.ofHours(2);

  static final int TAIL_LINES = 5;
  static final int TAIL_CHARS = 500;

  private static final String MARKER_PREFIX = ".drover-build-";

  /** The first line of every build log, written before the build starts. */
  private static final String HEADER = "[drover] build ";

  /** For work off the actors' threads, where their loggers must not be used. */
  private static final Logger OFF_THREAD_LOG = LoggerFactory.getLogger(HostAgent.class);

  /**
   * What to build.
   *
   * @param site the site whose instance asks
   * @param instanceId the instance that asks; its log gets the summary
   * @param host this host, for the log
   * @param revision the release's revision
   * @param argv the site's build argv, never empty
   * @param releaseDir where the build runs
   * @param env its whole environment (see {@link #env})
   * @param instanceLog the asking instance's log file; the build log goes next to it
   * @param prefix what runs it as the site's user with its limits ({@link Sandbox.Launch#prefix()})
   */
  record Request(
      String site,
      String instanceId,
      String host,
      String revision,
      List<String> argv,
      Path releaseDir,
      Map<String, String> env,
      Path instanceLog,
      List<String> prefix) {

    /** A build run as the node's own user. */
    Request(
        String site,
        String instanceId,
        String host,
        String revision,
        List<String> argv,
        Path releaseDir,
        Map<String, String> env,
        Path instanceLog) {
      this(site, instanceId, host, revision, argv, releaseDir, env, instanceLog, List.of());
    }
  }

  /**
   * How a build ended.
   *
   * @param exitCode the build process's exit code; null when it could not be started
   * @param timedOut it ran longer than the build timeout and its process group was killed
   * @param cached it did not run: a marker says an earlier run succeeded
   * @param millis how long the run took (0 when cached)
   * @param tail its last output lines, or why it could not start
   * @param log the build's log file, null when cached
   */
  record Result(
      Integer exitCode, boolean timedOut, boolean cached, long millis, String tail, Path log) {

    /** The run's outcome never came (a bug): a failure, so the next start tries again. */
    static Result lost(Throwable error) {
      return new Result(null, false, false, 0, "build lost: " + error, null);
    }

    boolean ok() {
      return cached || (exitCode != null && exitCode == 0 && !timedOut);
    }

    /** The instance's message after a failed build: {@code build failed (exit N): <last lines>}. */
    String failure(Duration timeout) {
      String head = exitCode == null ? "build failed" : "build failed (exit " + exitCode + ")";
      String why =
          timedOut
              ? "still running after "
                  + Durations.format(timeout)
                  + " (drover.agent.build-timeout), process group killed; "
              : "";
      return head + ": " + why + (tail.isEmpty() ? "(no output)" : tail);
    }
  }

  /** One instance waiting for a build. */
  interface Wait {
    /** Completes when the build ended (never exceptionally). */
    CompletionStage<Result> result();

    /** The instance that started the run this wait joined; the asker itself when it started it. */
    String startedBy();

    /** The asker no longer waits (its instance stops); the last to leave kills the run. */
    void leave();
  }

  private final Duration timeout;
  private final Executor blocking;

  /** Runs under way, by release directory + key; guarded by {@code this}. */
  private final Map<String, Run> running = new HashMap<>();

  /**
   * @param timeout longest a build may run; see {@link #checkTimeout}
   * @param blocking where file work and process starts run
   */
  Builds(Duration timeout, Executor blocking) {
    this.timeout = checkTimeout(timeout);
    this.blocking = blocking;
  }

  Duration timeout() {
    return timeout;
  }

  /**
   * The build timeout, if between {@link #MIN_TIMEOUT} and {@link #MAX_TIMEOUT}.
   *
   * @throws IllegalArgumentException saying what to fix
   */
  static Duration checkTimeout(Duration d) {
    if (d == null || d.compareTo(MIN_TIMEOUT) < 0 || d.compareTo(MAX_TIMEOUT) > 0) {
      throw new IllegalArgumentException(
          "drover.agent.build-timeout must be between 1s and 2h, got "
              + (d == null ? "nothing" : Durations.format(d)));
    }
    return d;
  }

  /** {@code sha256(revision NUL argv joined by NUL)} in lower-case hex. */
  static String key(String revision, List<String> argv) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update((revision + "\0" + String.join("\0", argv)).getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(sha.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("no SHA-256 in this JVM", e);
    }
  }

  /** The success marker of the build {@code key} in {@code releaseDir}. */
  static Path marker(Path releaseDir, String key) {
    return releaseDir.resolve(MARKER_PREFIX + key);
  }

  /** True when the build already succeeded on this host. Reads the disk: not on an actor. */
  static boolean isBuilt(Path releaseDir, String revision, List<String> argv) {
    return Files.isRegularFile(marker(releaseDir, key(revision, argv)));
  }

  /** The build log of {@code key}, next to an instance's log. */
  static Path logFile(Path instanceLog, String key) {
    return instanceLog.resolveSibling("build-" + key.substring(0, 16) + ".log");
  }

  /**
   * The environment of a build: the instance's (see {@link InstanceEnv}) but {@code PORT} and
   * {@code DROVER_INSTANCE}; it carries the agent id so that the orphan reaper finds a build left
   * running by a crashed agent.
   */
  static Map<String, String> env(
      Map<String, String> node,
      Map<String, String> siteEnv,
      String site,
      String revision,
      String agentId) {
    return InstanceEnv.of(
        node,
        siteEnv,
        Map.of(
            "DROVER_SITE", site, "DROVER_REVISION", revision, OrphanReaper.AGENT_ID_ENV, agentId));
  }

  /** What an instance asks: its site's build in {@code releaseDir}, its log next to the build's. */
  static Request request(
      InstanceRunner.Params p, SiteSpec spec, Path releaseDir, Sandbox.Launch launch) {
    return new Request(
        p.site(),
        p.instanceId(),
        p.settings().host(),
        spec.revision(),
        spec.build(),
        releaseDir,
        env(
            launch.base(System.getenv()),
            spec.processEnv(),
            p.site(),
            spec.revision(),
            p.agentId()),
        p.logFile(),
        launch.prefix());
  }

  /**
   * Makes sure the build ran successfully: joins the run under way for the same release directory
   * and key, else starts one (which first looks for the marker).
   */
  Wait ensure(Request r) {
    String key = key(r.revision(), r.argv());
    String runKey = r.releaseDir().toAbsolutePath() + "\0" + key;
    Run run;
    boolean starter;
    synchronized (this) {
      run = running.get(runKey);
      starter = run == null;
      if (starter) {
        run = new Run(runKey, r.instanceId());
        running.put(runKey, run);
      }
      run.waiters++;
    }
    if (starter) {
      Run started = run;
      CompletableFuture.runAsync(() -> start(started, r, key), blocking)
          .exceptionally(
              e -> {
                finish(started, Result.lost(e));
                return null;
              });
    }
    Run joined = run;
    CompletionStage<Result> result =
        joined.done.thenApplyAsync(
            res -> {
              appendSummary(r, res);
              return res;
            },
            blocking);
    return new Wait() {
      private boolean left;

      @Override
      public CompletionStage<Result> result() {
        return result;
      }

      @Override
      public String startedBy() {
        return joined.startedBy;
      }

      @Override
      public void leave() {
        synchronized (Builds.this) {
          if (left) {
            return;
          }
          left = true;
        }
        leaveRun(joined, r);
      }
    };
  }

  /** True while a run for this release directory and key is under way; for tests. */
  synchronized boolean isRunning(Path releaseDir, String revision, List<String> argv) {
    return running.containsKey(releaseDir.toAbsolutePath() + "\0" + key(revision, argv));
  }

  private static final class Run {
    final String runKey;
    final String startedBy;
    final CompletableFuture<Result> done = new CompletableFuture<>();
    int waiters;
    long pid;
    boolean abandoned;

    Run(String runKey, String startedBy) {
      this.runKey = runKey;
      this.startedBy = startedBy;
    }
  }

  /** On the blocking executor: the marker, else the process. */
  private void start(Run run, Request r, String key) {
    if (Files.isRegularFile(marker(r.releaseDir(), key))) {
      finish(run, new Result(0, false, true, 0, "", null));
      return;
    }
    Path log = logFile(r.instanceLog(), key);
    List<String> argv = new ArrayList<>(r.prefix());
    argv.add("setsid");
    argv.addAll(r.argv());
    ProcessBuilder pb =
        new ProcessBuilder(argv)
            .directory(r.releaseDir().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    InstanceEnv.apply(pb, r.env());
    long started = System.nanoTime();
    Process process;
    try {
      Files.createDirectories(log.getParent());
      Files.writeString(
          log,
          HEADER
              + r.argv()
              + " of revision "
              + r.revision()
              + " for site "
              + r.site()
              + " (instance "
              + r.instanceId()
              + ") started at "
              + Instant.now()
              + "\n",
          StandardOpenOption.CREATE,
          StandardOpenOption.TRUNCATE_EXISTING,
          StandardOpenOption.WRITE);
      synchronized (this) {
        if (run.abandoned) {
          finish(run, new Result(null, false, false, 0, "abandoned before it started", log));
          return;
        }
        process = pb.start();
        run.pid = process.pid();
      }
    } catch (IOException | RuntimeException e) {
      finish(run, new Result(null, false, false, 0, "could not start " + r.argv() + ": " + e, log));
      return;
    }
    long pid = process.pid();
    OFF_THREAD_LOG.info(
        "site {} instance {} on host {}: build {} of revision {} started, pid {}, output in {}",
        r.site(),
        r.instanceId(),
        r.host(),
        r.argv(),
        r.revision(),
        pid,
        log);
    CompletableFuture<Boolean> timedOut = new CompletableFuture<>();
    CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS, blocking)
        .execute(
            () -> {
              if (process.isAlive() && timedOut.complete(true)) {
                OFF_THREAD_LOG.warn(
                    "site {} on host {}: build {} of revision {} still running after {};"
                        + " killing process group {}",
                    r.site(),
                    r.host(),
                    r.argv(),
                    r.revision(),
                    Durations.format(timeout),
                    pid);
                ProcessGroups.kill(pid);
              }
            });
    process
        .onExit()
        .thenAcceptAsync(
            p -> {
              timedOut.complete(false);
              // The leader is gone; whatever it left running in its group goes with it.
              ProcessGroups.kill(pid);
              long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
              int code = p.exitValue();
              boolean late = timedOut.join();
              boolean ok = code == 0 && !late && !isAbandoned(run);
              String tail = outputTail(log);
              if (ok) {
                try {
                  writeMarker(r, key, code, millis);
                } catch (IOException e) {
                  OFF_THREAD_LOG.warn(
                      "site {} on host {}: build of revision {} succeeded but its marker cannot"
                          + " be written ({}); the next instance builds again",
                      r.site(),
                      r.host(),
                      r.revision(),
                      e.toString());
                }
              }
              finish(run, new Result(code, late, false, millis, ok ? "" : tail, log));
            },
            blocking)
        .exceptionally(
            e -> {
              finish(run, new Result(null, false, false, 0, "build lost: " + e, log));
              return null;
            });
  }

  /** The build's last output lines, without the header line written before it started. */
  static String outputTail(Path log) {
    List<String> lines;
    try {
      lines = LogFiles.tail(log, TAIL_LINES + 1, 4L * TAIL_CHARS + 8192).lines();
    } catch (IOException e) {
      return "(build log unreadable: " + e.getMessage() + ")";
    }
    List<String> output = new ArrayList<>();
    for (String line : lines) {
      if (!line.startsWith(HEADER)) {
        output.add(line);
      }
    }
    String text =
        String.join("\n", output.subList(Math.max(0, output.size() - TAIL_LINES), output.size()))
            .strip();
    return text.length() <= TAIL_CHARS ? text : "…" + text.substring(text.length() - TAIL_CHARS);
  }

  private synchronized boolean isAbandoned(Run run) {
    return run.abandoned;
  }

  private static void writeMarker(Request r, String key, int code, long millis) throws IOException {
    Path marker = marker(r.releaseDir(), key);
    Path tmp = marker.resolveSibling(marker.getFileName() + ".tmp");
    // The release directory belongs to the site's user, who could have planted a link here:
    // remove whatever is there (never following it) and create the file anew (O_EXCL).
    Files.deleteIfExists(tmp);
    Files.writeString(
        tmp,
        "revision "
            + r.revision()
            + "\nbuild "
            + r.argv()
            + "\nexit "
            + code
            + " after "
            + millis
            + " ms, at "
            + Instant.now()
            + "\n",
        StandardOpenOption.CREATE_NEW,
        StandardOpenOption.WRITE);
    Files.move(tmp, marker, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** The run is over: a new ask starts a new run, then the waiters hear. */
  private void finish(Run run, Result result) {
    synchronized (this) {
      running.remove(run.runKey, run);
    }
    run.done.complete(result);
  }

  private void leaveRun(Run run, Request r) {
    long pid;
    synchronized (this) {
      run.waiters--;
      if (run.waiters > 0 || run.done.isDone()) {
        return;
      }
      run.abandoned = true;
      running.remove(run.runKey, run);
      pid = run.pid;
    }
    if (pid > 0) {
      OFF_THREAD_LOG.info(
          "site {} on host {}: build {} of revision {} no longer awaited; killing process group {}",
          r.site(),
          r.host(),
          r.argv(),
          r.revision(),
          pid);
      CompletableFuture.runAsync(() -> ProcessGroups.kill(pid), blocking);
    }
  }

  /** A line (and on failure the last output lines) in the waiting instance's own log. */
  private void appendSummary(Request r, Result res) {
    if (res.cached()) {
      return;
    }
    StringBuilder text =
        new StringBuilder("[drover] build ")
            .append(r.argv())
            .append(" of revision ")
            .append(r.revision());
    if (res.ok()) {
      text.append(" succeeded in ").append(res.millis()).append(" ms");
    } else {
      text.append(": ").append(res.failure(timeout));
    }
    if (res.log() != null) {
      text.append("\n[drover] build output: ").append(res.log());
    }
    text.append('\n');
    try {
      Files.createDirectories(r.instanceLog().getParent());
      Files.writeString(
          r.instanceLog(),
          text,
          StandardOpenOption.CREATE,
          StandardOpenOption.APPEND,
          StandardOpenOption.WRITE);
    } catch (IOException e) {
      OFF_THREAD_LOG.warn(
          "site {} instance {} on host {}: cannot append to log {}: {}",
          r.site(),
          r.instanceId(),
          r.host(),
          r.instanceLog(),
          e.toString());
    }
  }
}
