package io.drover.actors.site;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.drover.persistence.CborSerializable;

/**
 * Capped exponential backoff for an instance whose process exits or fails its health check.
 *
 * @param initialBackoff delay before the first restart, e.g. {@code "500ms"}
 * @param maxBackoff the cap on the delay, e.g. {@code "30s"}
 * @param resetAfter an instance that stayed ready this long starts again from {@code
 *     initialBackoff}
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record RestartPolicy(String initialBackoff, String maxBackoff, String resetAfter)
    implements CborSerializable {}
