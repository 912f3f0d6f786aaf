package io.drover.actors.site;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.drover.persistence.CborSerializable;

/**
 * Restart policy for an instance whose process exits or fails its health check. The first restart
 * after a stable run is immediate; only a failure that follows within {@code resetAfter} of being
 * ready (or before ever being ready) waits, with a capped exponential backoff.
 *
 * @param initialBackoff delay after the second consecutive failure, doubled for each further one,
 *     e.g. {@code "500ms"}
 * @param maxBackoff the cap on the delay, e.g. {@code "30s"}
 * @param resetAfter an instance that stayed ready this long counts its next failure as the first
 *     again (restarted at once)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestartPolicy(String initialBackoff, String maxBackoff, String resetAfter)
    implements CborSerializable {}
