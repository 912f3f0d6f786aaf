package io.drover.actors.agent;

import io.drover.persistence.CborSerializable;
import java.util.List;

/**
 * A piece of an instance's log read from a {@link LogCursor}: the answer to {@link
 * HostAgent.ReadLogs}.
 *
 * @param lines whole lines, oldest first (a line longer than an answer's byte cap comes cut in
 *     pieces); a line still being written is held back until its newline
 * @param next the cursor to read on from ({@link LogCursor#text()})
 * @param skipped true when the log was rotated past the cursor and lines between it and what is
 *     kept now were lost to the reader
 * @param more true when the byte cap cut the answer: more is there to read at once
 */
public record LogChunk(List<String> lines, String next, boolean skipped, boolean more)
    implements CborSerializable {}
