package io.drover.http.cli.watch;

import java.net.URI;
import javax.net.ssl.SSLContext;

/**
 * The node a watch talks to.
 *
 * @param server the API's base, e.g. {@code http://127.0.0.1:8080} (no {@code /api/v1})
 * @param token the bearer token; null for none
 * @param sslContext the TLS trust for https servers; null for the JDK's default
 */
public record WatchTarget(URI server, String token, SSLContext sslContext) {}
