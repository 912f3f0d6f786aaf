/**
 * The HTTP API (JSON under {@code /api/v1}, errors as {@code application/problem+json}), the
 * Prometheus endpoint, and the {@code drover} launcher ({@link io.drover.http.Main}).
 */
package io.drover.http;
