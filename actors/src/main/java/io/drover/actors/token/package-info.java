/**
 * API tokens and node credentials: the {@link io.drover.actors.token.TokenRegistry} (an
 * event-sourced cluster singleton that keeps only SHA-256 hashes, never a secret), its pure rules
 * ({@link io.drover.actors.token.TokenRules}) and the topic on which it pushes every change to the
 * token caches of all nodes ({@link io.drover.actors.token.TokenTopic}).
 */
package io.drover.actors.token;
