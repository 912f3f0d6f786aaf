/**
 * The HTTP API (JSON under {@code /api/v1}, errors as {@code application/problem+json}), the
 * Prometheus endpoint, the web dashboard under {@code /ui/} (static files from the classpath folder
 * {@code ui}, {@link io.drover.http.DashboardRoutes}), and the {@code drover} launcher ({@link
 * io.drover.http.Main}).
 */
package io.drover.http;
