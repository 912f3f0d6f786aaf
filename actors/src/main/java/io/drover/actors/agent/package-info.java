/**
 * The host agent: the data plane of one node. {@link io.drover.actors.agent.HostAgent} owns one
 * {@code InstanceRunner} child per instance; each runs a real OS process in its own process group
 * (via {@code setsid}), gates it on its health check, restarts it with {@link
 * io.drover.actors.agent.Backoff} and stops it with SIGTERM, grace, SIGKILL to the group. A ledger
 * under {@code <dataDir>/agent/} and an environment marker ({@code DROVER_AGENT_ID}) let the next
 * incarnation kill whatever a crashed one left running. Pure helpers ({@link
 * io.drover.actors.agent.Backoff}: restart at once after a stable run, back off from the second
 * failure; {@code ReadinessSchedule}: probe a starting instance 10 ms after its start, doubling up
 * to the health interval; {@link io.drover.actors.agent.PortAllocator}) have their own unit tests.
 */
package io.drover.actors.agent;
