/**
 * Deploys: rolling one fixed revision across the fleet.
 *
 * <ul>
 *   <li>{@link io.drover.actors.deploy.DeployOrder} is the pure host order of a deploy: a seeded
 *       hash order within each pool (stable when hosts join or leave, the same again for a revert
 *       with the same seed), canaries first (largest pool first), then the rest evenly interleaved
 *       across pools.
 * </ul>
 */
package io.drover.actors.deploy;
