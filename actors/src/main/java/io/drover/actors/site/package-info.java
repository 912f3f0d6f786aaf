/**
 * Sites: named applications that run at least twice on distinct hosts.
 *
 * <ul>
 *   <li>{@link io.drover.actors.site.SiteEntity} (sharded, event-sourced) keeps a site's desired
 *       spec and its placements ({@code <site>-<epoch>} on a host, of a spec generation). Every
 *       reconcile interval, and after every change or report, it asks {@link
 *       io.drover.actors.site.Placement} for a plan, persists one event per placement added or
 *       removed, and sends each host agent an idempotent {@code Assign} with exactly its instances.
 *       Observed state (agent reports, known hosts, when each instance was last seen) lives in
 *       memory only and is rebuilt after a restart. The entity only persists and drives; its
 *       decisions are pure functions with their own tests: {@code SiteTransitions} (how each event
 *       changes the state), {@code SitePlanner} (the reconcile step over {@code SiteObservations},
 *       the in-memory observed world), {@code SiteViews} (the site as the API shows it) and {@code
 *       SiteRequests} (what a request is refused with). Messages, events and the state stay nested
 *       in the entity: their class names are their serialization manifests.
 *   <li>{@link io.drover.actors.site.Placement} is the pure placement algorithm: spread over
 *       distinct hosts of the site's pool, least-loaded first; stack only when hosts are short;
 *       replace older generations one surge copy at a time; replace instances missing longer than
 *       the grace; remove outgoing instances only once their replacements are ready.
 *   <li>{@link io.drover.actors.site.SiteDirectory} (cluster singleton, event-sourced) lists site
 *       names and wakes every site entity on start-up and every reconcile interval.
 *   <li>{@link io.drover.actors.site.SiteSpec}, {@link io.drover.actors.site.SiteSpecs}: the
 *       desired state an operator writes, its validation and defaults.
 * </ul>
 */
package io.drover.actors.site;
