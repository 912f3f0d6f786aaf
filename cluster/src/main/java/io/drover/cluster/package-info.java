/**
 * The node: configuration (including the journal: LevelDB, or PostgreSQL with its schema created on
 * first start), actor system start, joining, and the wiring of agent, directories and sharding.
 * {@link io.drover.cluster.Node#start} is the one place that starts everything.
 */
package io.drover.cluster;
