package io.drover.actors.deploy;

import com.fasterxml.jackson.annotation.JsonValue;
import java.util.Locale;
import java.util.Optional;

/** Where a deploy is; shown in lower case. Every deploy ends in exactly one end state. */
public enum DeployStatus {
  QUEUED,
  RUNNING,
  PAUSED,
  SUCCEEDED,
  FAILED,
  ABORTED,
  /** it failed or was stopped and a revert deploy took its sites back */
  REVERTED;

  public boolean ended() {
    return this == SUCCEEDED || this == FAILED || this == ABORTED || this == REVERTED;
  }

  @JsonValue
  public String json() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The status named {@code text} (any case), if it is one. */
  public static Optional<DeployStatus> parse(String text) {
    for (DeployStatus s : values()) {
      if (s.json().equalsIgnoreCase(text)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }
}
