package io.drover.actors.site;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.drover.persistence.CborSerializable;
import java.util.List;

/**
 * How the host agent decides an instance is ready, and later that it is still alive. Exactly one of
 * {@code http}, {@code tcp} or {@code exec} is set.
 *
 * @param http a path (starting with {@code /}) fetched from {@code http://127.0.0.1:PORT}; any 2xx
 *     or 3xx answer passes
 * @param tcp {@code true}: a TCP connect to {@code 127.0.0.1:PORT} passes
 * @param exec argv run in the release directory with the instance's environment; exit 0 passes
 * @param interval time between liveness checks once ready, e.g. {@code "5s"}
 * @param timeout how long one check may take, e.g. {@code "2s"}
 * @param startTimeout how long an instance may take to become ready before it counts as failed
 * @param failures consecutive failed liveness checks that make an instance unhealthy and restart it
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record HealthCheck(
    String http,
    Boolean tcp,
    List<String> exec,
    String interval,
    String timeout,
    String startTimeout,
    Integer failures)
    implements CborSerializable {}
