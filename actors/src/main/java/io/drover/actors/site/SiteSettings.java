package io.drover.actors.site;

import java.time.Duration;

/**
 * Settings of every site entity, read once from {@code drover}.
 *
 * @param grace how long an instance may stay missing before a replacement is placed elsewhere
 * @param reconcileInterval how often a site re-sends its assignments and checks its instances
 */
public record SiteSettings(Duration grace, Duration reconcileInterval) {}
