/**
 * {@code drover deploy --watch}: following one deploy to its end. PLACEHOLDER until the live
 * progress view of issue 11 is merged: {@link io.drover.http.cli.watch.DeployWatch} polls the
 * deploy once a second and prints its state changes.
 */
package io.drover.http.cli.watch;
