/**
 * What a node deletes so that its data directory does not fill: revisions no site uses or recently
 * used, their unpacked releases, logs of removed instances ({@link
 * io.drover.actors.retention.Retention}, pure; driven by {@link
 * io.drover.actors.retention.Janitor}), and the free-space floor under which uploads are refused
 * ({@link io.drover.actors.retention.DiskFloor}).
 */
package io.drover.actors.retention;
