/**
 * The {@code drover} command-line client: {@link io.drover.http.cli.Cli} parses the command
 * (picocli), {@link io.drover.http.cli.Api} talks to a node's HTTP API over {@code java.net.http}
 * and the pure parts ({@link io.drover.http.cli.Settings}, {@link io.drover.http.cli.Table}, {@link
 * io.drover.http.cli.Views}, {@link io.drover.http.cli.SpecFlags}, {@link
 * io.drover.http.cli.LogFollow}, {@link io.drover.http.cli.ExitCodes}) decide what to send and what
 * to print. Nothing here starts an actor system or loads a Pekko class: a client command starts in
 * a fraction of a second.
 */
package io.drover.http.cli;
