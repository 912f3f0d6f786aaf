package io.drover.actors.site;

import java.util.List;

/** Validation and defaults for {@link SiteSpec}; pure functions. */
public final class SiteSpecs {

  private SiteSpecs() {}

  /**
   * Every problem with a site name and spec, each a sentence that says what to fix; empty when
   * valid. Does not check that the revision exists (the caller knows the revision store).
   */
  public static List<String> validate(String name, SiteSpec spec) {
    throw new UnsupportedOperationException("SiteSpecs is being written");
  }

  /** The spec with every absent optional field filled with its default. Call after validate. */
  public static SiteSpec withDefaults(SiteSpec spec) {
    throw new UnsupportedOperationException("SiteSpecs is being written");
  }
}
