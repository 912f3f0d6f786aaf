/**
 * Hosts as the control plane sees them. {@link io.drover.actors.host.HostDirectory} (one per node,
 * local) follows the receptionist for host agents, asks each new agent to describe itself ({@link
 * io.drover.actors.host.HostInfo}: name, pool, labels, incarnation), forgets agents that leave, and
 * publishes the sorted list to subscribers such as site entities, with the hosts that are
 * unreachable, cordoned or draining; that list is a pure function ({@code HostsView}) of what it
 * knows. {@link io.drover.actors.host.HostEntity} (sharded, event-sourced) is the persistent record
 * of one host ({@link io.drover.actors.host.HostRecord}); it publishes every change on {@link
 * io.drover.actors.host.HostTopic}. Agents publish their instance counts ({@link
 * io.drover.actors.host.HostLoad}) on {@link io.drover.actors.host.HostLoadTopic}.
 */
package io.drover.actors.host;
