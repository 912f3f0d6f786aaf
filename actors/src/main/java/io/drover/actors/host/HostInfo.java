package io.drover.actors.host;

import io.drover.actors.agent.HostAgent;
import io.drover.persistence.CborSerializable;
import java.util.Map;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A host as sites see it when they place instances.
 *
 * @param name the host name, unique in the cluster
 * @param pool the host's pool
 * @param labels free-form labels
 * @param incarnation changes every time the host's node starts; an instance of an older incarnation
 *     is gone
 * @param agent the host's agent
 */
public record HostInfo(
    String name,
    String pool,
    Map<String, String> labels,
    String incarnation,
    ActorRef<HostAgent.Command> agent)
    implements CborSerializable {}
