package io.drover.actors.deploy;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;

/** Where one host of a deploy is; shown in lower case. */
public enum HostState {
  PENDING,
  FETCHING,
  BUILDING,
  REPLACING,
  DONE,
  FAILED,
  /** the host left the cluster cleanly, or the deploy ended before it */
  SKIPPED,
  /** the host vanished (unreachable, then downed); its instances are replaced elsewhere */
  VANISHED;

  /** True once the host will not change any more in this deploy. */
  public boolean terminal() {
    return this == DONE || this == FAILED || this == SKIPPED || this == VANISHED;
  }

  /** True while the host counts against {@code parallel} and {@code perPool}. */
  public boolean inProgress() {
    return this == FETCHING || this == BUILDING || this == REPLACING;
  }

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }
}
