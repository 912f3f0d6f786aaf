/**
 * Deploy events out of a node: the steps every deploy publishes on {@code DeployTopic} become
 * Server-Sent Events ({@link io.drover.http.events.StepStreams}), Prometheus meters ({@link
 * io.drover.http.events.DeployMetrics}) and webhook POSTs ({@link io.drover.http.events.Webhooks}).
 */
package io.drover.http.events;
