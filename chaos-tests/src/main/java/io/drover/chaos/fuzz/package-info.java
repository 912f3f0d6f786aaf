/**
 * A fuzzer for the HTTP API of a real node: {@link io.drover.chaos.fuzz.RequestGenerator} makes
 * seeded requests (valid, mutated and hostile) for every route, {@link io.drover.chaos.fuzz.Fuzzer}
 * sends them over raw HTTP/1.1 and checks that none answers 5xx, that the node stays healthy and
 * that no refused request changes the sites, revisions or hosts. {@code FuzzIT} runs it in {@code
 * mvn verify}, {@code bench/fuzz} with the full count.
 */
package io.drover.chaos.fuzz;
