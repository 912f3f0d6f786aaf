/**
 * The host agent: the data plane of one node. {@link io.drover.actors.agent.HostAgent} owns one
 * {@code InstanceRunner} child per instance; each runs a real OS process in its own process group
 * (via {@code setsid}), gates it on its health check, restarts it with {@link
 * io.drover.actors.agent.Backoff} and stops it with SIGTERM, grace, SIGKILL to the group. A ledger
 * under {@code <dataDir>/agent/} and an environment marker ({@code DROVER_AGENT_ID}) let the next
 * incarnation kill whatever a crashed one left running. Instance ports are drawn at random from the
 * range ({@link io.drover.actors.agent.PortAllocator}), since several agents may share a machine;
 * every http or tcp check also proves that the listener on the port belongs to the instance's
 * process group ({@code SocketOwners}, from {@code /proc}), and an instance whose port another
 * process holds gets a new one from its agent. Instances and exec checks get a small environment
 * ({@code InstanceEnv}: a base of PATH, HOME, locale..., the site's env, DROVER_*), never the
 * node's own. What the agent keeps across its own restart ({@code AgentMemory}: runners, their
 * {@code Slot}s, the ledger entries) lives outside the behaviour; its log work runs in {@code
 * AgentLogs} (tails, rotation, and {@code ReadLogs}: reading on from a {@code LogCursor}). Pure
 * helpers ({@link io.drover.actors.agent.Backoff}: restart at once after a stable run, back off
 * from the second failure; {@code ReadinessSchedule}: probe a starting instance 10 ms after its
 * start, doubling up to the health interval; {@link io.drover.actors.agent.PortAllocator}) have
 * their own unit tests. Every agent publishes its instance count through {@link
 * io.drover.actors.agent.LoadPublisher} (on change, coalesced, and every 30 s). {@link
 * io.drover.actors.agent.SimulatedAgent} answers the same commands with timers instead of
 * processes, for fleet-scale measurements (hosts labelled {@code drover.io/driver = simulated}).
 *
 * <p>Cronjob runs: the agent hands {@code StartRun}, {@code GetRuns}, {@code StopRun} and {@code
 * GetRunLogs} to its {@code Runs} child, which starts a run id at most once ({@code RunRules}),
 * refuses requests carrying a fencing token lower than the highest it has seen, writes every run's
 * record before its process starts ({@code RunBook}: {@code <dataDir>/agent/fence} and {@code
 * runs.json}, kept across node restarts; runs under way at a restart are {@code LOST}), and runs
 * each one in a {@code RunProcess} child (release dir, {@code setsid}, the run's environment,
 * output to {@code cron-logs/<job>/<run>.log}, apart from instance logs so no site name collides,
 * timeout and stop by SIGTERM, grace, SIGKILL).
 *
 * <p>Sites cannot harm the node: when the node runs as root, every site process (instance, build,
 * exec check, cronjob run) starts through the argv prefix {@link io.drover.actors.agent.Sandbox}
 * plans ({@code prlimit} for open files and processes, then {@code setpriv} to the site's user or
 * {@code drover.agent.run-as}, no new privileges), its environment carries that user's HOME and
 * USER and the site's {@code secretEnv} over its {@code env}, and {@link
 * io.drover.actors.agent.SandboxHost} hands the release directory to that user and keeps the rest
 * of the data directory closed (0711 itself and {@code releases/}, 0700/0600 for the rest).
 */
package io.drover.actors.agent;
