package io.drover.actors.common;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.persistence.CborSerializable;

/**
 * What a cluster singleton says about itself when asked through its proxy ({@code Describe}): it
 * answers from wherever it runs now, so the answer stays right across failovers. Built with {@link
 * Singletons#describe}.
 *
 * @param name the singleton's name in the API, e.g. {@code site-directory}
 * @param address the member it runs on, e.g. {@code pekko://drover@10.0.0.5:2552}
 * @param host the Drover host name of that member ({@code drover.host})
 * @param since when it started on that member, ISO-8601 instant; null if unknown
 * @param state {@code running}, or what the singleton says it does (e.g. {@code recovering})
 * @param details what the singleton cheaply knows (counts, ids); an empty object when nothing
 */
public record SingletonInfo(
    String name, String address, String host, String since, String state, JsonNode details)
    implements CborSerializable {

  /** The state of a singleton that answers normally. */
  public static final String RUNNING = "running";
}
