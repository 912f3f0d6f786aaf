/**
 * The {@code drover} command-line client: {@link io.drover.http.cli.Cli} parses the command
 * (picocli; the most used read commands go through {@link io.drover.http.cli.FastPath}, which
 * builds no picocli model), {@link io.drover.http.cli.Api} talks to a node's HTTP API ({@link
 * io.drover.http.cli.PlainHttp} over a socket for http, {@code HttpURLConnection} for https and
 * uploads, {@code java.net.http} for event streams), {@link io.drover.http.cli.JsonTree} reads and
 * writes JSON on Jackson's streaming API, and the pure parts ({@link io.drover.http.cli.Settings},
 * {@link io.drover.http.cli.Table}, {@link io.drover.http.cli.Views}, {@link
 * io.drover.http.cli.SpecFlags}, {@link io.drover.http.cli.LogFollow}, {@link
 * io.drover.http.cli.ExitCodes}) decide what to send and what to print. Nothing here starts an
 * actor system or loads a Pekko class; the client ships as its own small jar ({@code
 * drover-cli.jar}) and a command takes some 50 ms with the launcher's class data sharing archive.
 */
package io.drover.http.cli;
