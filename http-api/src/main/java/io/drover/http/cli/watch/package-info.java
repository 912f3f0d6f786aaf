/**
 * The CLI's live deploy watch ({@code --watch}, {@code events -f}): {@link
 * io.drover.http.cli.watch.DeployWatch} follows a deploy's event stream through the CLI's one HTTP
 * client, {@link io.drover.http.cli.Api} (no Pekko: a client command starts no actor system),
 * {@link io.drover.http.cli.watch.EventStream} resumes it when it drops, {@link
 * io.drover.http.cli.watch.SseReader} parses Server-Sent Events, {@link
 * io.drover.http.cli.watch.DeployProgress} folds the deploy and its steps into hosts done, in
 * progress and failed, elapsed time and an ETA, and {@link io.drover.http.cli.watch.ProgressRender}
 * turns that into a live line on a terminal or one line per step elsewhere. The last three are pure
 * and unit-tested.
 */
package io.drover.http.cli.watch;
