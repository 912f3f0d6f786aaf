package io.drover.http.cli.watch;

import java.net.URI;
import javax.net.ssl.SSLContext;

/**
 * The node a watch talks to.
 *
 * @param server the node's HTTP API, e.g. {@code http://127.0.0.1:8080} (a trailing {@code /} or a
 *     path prefix is kept: {@code /api/v1/...} is appended)
 * @param token the bearer token; null sends none (every stream needs a viewer token)
 * @param sslContext trust for an {@code https} server; null: the JDK's default trust store
 */
public record WatchTarget(URI server, String token, SSLContext sslContext) {}
