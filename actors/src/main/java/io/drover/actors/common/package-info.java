/**
 * What Drover's actors share: event-sourcing defaults, bounded durations, publication coalescing,
 * and the cluster-singleton inspection helper ({@link io.drover.actors.common.Singletons}, {@link
 * io.drover.actors.common.SingletonInfo}).
 */
package io.drover.actors.common;
