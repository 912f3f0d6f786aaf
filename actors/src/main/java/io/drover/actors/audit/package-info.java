/**
 * The audit trail: who changed what, durably. {@link io.drover.actors.audit.AuditRecord} is one
 * mutating HTTP request (caller, role, method, path, target, outcome, reason, node); {@link
 * io.drover.actors.audit.AuditDay} (sharded, event-sourced; one entity per UTC day, e.g. {@code
 * audit|2026-12-01}) keeps a day's records up to a cap; {@link io.drover.actors.audit.AuditLog}
 * appends to the right day and reads newest first across days within the retention; {@link
 * io.drover.actors.audit.AuditPaging} is the pure arithmetic of days, {@code since} and pages;
 * {@code AuditSweeper} deletes the days that fell out of the retention ({@code DayEraser}).
 */
package io.drover.actors.audit;
