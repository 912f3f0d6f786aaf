/**
 * The node: configuration, actor system start, joining, and the wiring of agent, directories and
 * sharding. {@link io.drover.cluster.Node#start} is the one place that starts everything.
 */
package io.drover.cluster;
