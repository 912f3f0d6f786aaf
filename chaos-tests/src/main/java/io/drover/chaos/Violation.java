package io.drover.chaos;

/**
 * A broken invariant.
 *
 * @param invariant I1, I2, I4 or I5 (DESIGN.md)
 * @param site the site concerned
 * @param what what was wrong, for the report
 * @param atMillis when it was observed
 */
public record Violation(String invariant, String site, String what, long atMillis) {}
