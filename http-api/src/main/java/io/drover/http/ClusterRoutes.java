package io.drover.http;

import io.drover.actors.host.HostDirectory;
import io.drover.actors.host.HostInfo;
import io.drover.cluster.ClusterSettings;
import io.drover.cluster.GracefulLeave;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.AddressFromURIString;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.typed.Leave;
import org.apache.pekko.http.javadsl.model.StatusCode;
import org.apache.pekko.http.javadsl.model.StatusCodes;
import org.apache.pekko.http.javadsl.server.AllDirectives;
import org.apache.pekko.http.javadsl.server.Route;
import org.apache.pekko.http.javadsl.unmarshalling.Unmarshaller;

/**
 * {@code /api/v1/cluster}: the members as this node sees them, joining this node to a cluster, and
 * making a member leave.
 */
final class ClusterRoutes extends AllDirectives {

  /**
   * One member as this node sees it.
   *
   * @param address its member address, {@code pekko://drover@HOST:PORT}
   * @param status joining, weakly-up, up, leaving, exiting, down, ...
   * @param roles its cluster roles
   * @param reachable whether this node's failure detector (and the gossip) consider it reachable
   * @param age 1 for the oldest member (it runs the singletons), 2 for the next...; null while it
   *     is not yet Up
   * @param self whether it is this node
   * @param leader whether it is the cluster leader (moves members between states)
   */
  record MemberView(
      String address,
      String status,
      List<String> roles,
      boolean reachable,
      Integer age,
      boolean self,
      boolean leader) {}

  /** Body of {@code POST /api/v1/cluster/join} and {@code /leave}. */
  record AddressRequest(String address) {}

  /** What a join or leave request started. */
  record Accepted(String address, String detail) {}

  private final ActorSystem<?> system;
  private final ActorRef<HostDirectory.Command> hosts;
  private final Asks asks;
  private final Duration drainTimeout;

  ClusterRoutes(
      ActorSystem<?> system,
      ActorRef<HostDirectory.Command> hosts,
      Asks asks,
      Duration drainTimeout) {
    this.system = system;
    this.hosts = hosts;
    this.asks = asks;
    this.drainTimeout = drainTimeout;
  }

  Route route() {
    return pathPrefix(
        "cluster",
        () ->
            concat(
                path("members", () -> get(this::members)),
                path("join", () -> post(() -> entity(Unmarshaller.entityToString(), this::join))),
                path(
                    "leave",
                    () -> post(() -> entity(Unmarshaller.entityToString(), this::leave)))));
  }

  /** The members sorted by address, as the local node sees them. */
  static List<MemberView> views(ClusterEvent.CurrentClusterState state, Address self) {
    List<Member> members = new ArrayList<>();
    state.getMembers().forEach(members::add);
    Set<Member> unreachable =
        StreamSupport.stream(state.getUnreachable().spliterator(), false)
            .collect(Collectors.toSet());
    List<Member> byAge =
        members.stream()
            .filter(ClusterRoutes::hasBeenUp)
            .sorted((a, b) -> a.isOlderThan(b) ? -1 : b.isOlderThan(a) ? 1 : 0)
            .toList();
    Address leader = state.getLeader();
    return members.stream()
        .sorted(Comparator.comparing(m -> m.address().toString()))
        .map(
            m ->
                new MemberView(
                    m.address().toString(),
                    statusName(m.status()),
                    m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList(),
                    !unreachable.contains(m),
                    hasBeenUp(m) ? byAge.indexOf(m) + 1 : null,
                    m.address().equals(self),
                    m.address().equals(leader)))
        .toList();
  }

  private static boolean hasBeenUp(Member m) {
    MemberStatus s = m.status();
    return s != MemberStatus.joining() && s != MemberStatus.weaklyUp();
  }

  /** {@code WeaklyUp} becomes {@code weakly-up}. */
  static String statusName(MemberStatus status) {
    return status.toString().replaceAll("([a-z])([A-Z])", "$1-$2").toLowerCase(Locale.ROOT);
  }

  /**
   * Parses a member address: {@code pekko://drover@HOST:PORT}, or {@code HOST:PORT} for short.
   *
   * @throws IllegalArgumentException saying what to fix
   */
  static Address parseAddress(String text) {
    if (text == null || text.isBlank()) {
      throw new IllegalArgumentException(
          "field 'address' is missing: send {\"address\": \"pekko://drover@HOST:PORT\"}");
    }
    String t = text.trim();
    if (!t.contains("://")) {
      return fromUri(t, ClusterSettings.memberAddress(ClusterSettings.parseHostPort(t)));
    }
    Address a = fromUri(t, t);
    if (a.getHost().isPresent() && a.getPort().isPresent()) {
      // the same host and port rules as the short form (IPv4 numbers, host name labels)
      String host = a.getHost().get();
      ClusterSettings.parseHostPort(
          (host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host)
              + ":"
              + a.getPort().get());
    }
    if (!a.protocol().equals("pekko")) {
      throw new IllegalArgumentException(
          "'" + t + "': the protocol must be pekko (pekko://drover@HOST:PORT)");
    }
    if (!a.system().equals(ClusterSettings.SYSTEM_NAME)) {
      throw new IllegalArgumentException(
          "'"
              + t
              + "': the actor system of a Drover node is "
              + ClusterSettings.SYSTEM_NAME
              + ", not "
              + a.system());
    }
    if (a.getHost().isEmpty() || a.getPort().isEmpty()) {
      throw new IllegalArgumentException("'" + t + "' needs a host and a port: HOST:PORT");
    }
    int port = a.getPort().get();
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException(
          "'" + t + "': the port must be between 1 and 65535, got " + port);
    }
    return a;
  }

  /** Pekko's parse, with its undeclared MalformedURLException turned into what to fix. */
  private static Address fromUri(String text, String uri) {
    try {
      return AddressFromURIString.parse(uri);
    } catch (Exception e) { // MalformedURLException, thrown without being declared
      throw new IllegalArgumentException(
          "'" + text + "' is not a member address: write pekko://drover@HOST:PORT or HOST:PORT");
    }
  }

  private Route members() {
    Cluster cluster = Cluster.get(system);
    return json(StatusCodes.OK, views(cluster.state(), cluster.selfMember().address()));
  }

  private Address addressOf(String body) throws Json.BadBody {
    AddressRequest req = Json.read(body, AddressRequest.class);
    try {
      return parseAddress(req.address());
    } catch (IllegalArgumentException e) {
      throw new Json.BadBody(e.getMessage());
    }
  }

  private Route join(String body) {
    Address target;
    try {
      target = addressOf(body);
    } catch (Json.BadBody e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    Cluster cluster = Cluster.get(system);
    Member self = cluster.selfMember();
    boolean isMember = self.status() != MemberStatus.removed();
    if (isMember) {
      boolean sameCluster =
          StreamSupport.stream(cluster.state().getMembers().spliterator(), false)
              .anyMatch(m -> m.address().equals(target));
      if (sameCluster) {
        return json(
            StatusCodes.OK,
            new Accepted(target.toString(), "this node is already in the cluster of " + target));
      }
      return complete(
          Problem.response(
              StatusCodes.CONFLICT,
              "this node is already a member of a cluster ("
                  + cluster.state().members().size()
                  + " members) and a node joins a cluster only once: start it with --manual-join"
                  + " (or --join "
                  + target.getHost().orElse("HOST")
                  + ":"
                  + target.getPort().map(String::valueOf).orElse("PORT")
                  + ") to join that one"));
    }
    cluster.manager().tell(Join.create(target));
    return json(
        StatusCodes.ACCEPTED,
        new Accepted(
            target.toString(),
            "joining: GET /api/v1/health answers 200 once this node is Up in that cluster"));
  }

  /**
   * Makes a member leave gracefully: its host is drained first (its sites start replacements on
   * other hosts and stop the old copies once those are ready), then it leaves, stops what still
   * runs there and exits with code 0.
   */
  private Route leave(String body) {
    Address target;
    try {
      target = addressOf(body);
    } catch (Json.BadBody e) {
      return complete(Problem.response(StatusCodes.BAD_REQUEST, e.getMessage()));
    }
    Cluster cluster = Cluster.get(system);
    List<String> known = new ArrayList<>();
    boolean member = false;
    for (Member m : cluster.state().getMembers()) {
      known.add(m.address().toString());
      member |= m.address().equals(target);
    }
    if (!member) {
      return complete(
          Problem.response(
              StatusCodes.NOT_FOUND,
              target
                  + " is not a member of this cluster; the members are "
                  + String.join(", ", known)
                  + " (GET /api/v1/cluster/members)"));
    }
    Address self = cluster.selfMember().address();
    CompletionStage<Route> started =
        asks.<HostDirectory.Command, HostDirectory.Hosts>ask(hosts, HostDirectory.GetHosts::new)
            .thenApply(
                directory -> {
                  Optional<HostInfo> host =
                      directory.hosts().stream()
                          .filter(h -> nodeOf(h, self).equals(target))
                          .findFirst();
                  if (host.isEmpty()) {
                    cluster.manager().tell(Leave.create(target));
                    return json(
                        StatusCodes.ACCEPTED,
                        new Accepted(
                            target.toString(),
                            "leaving (no host agent known there, nothing to drain): it"
                                + " disappears from GET /api/v1/cluster/members once removed"));
                  }
                  HostInfo h = host.get();
                  GracefulLeave.drainThenLeave(system, h.name(), target, h.agent(), drainTimeout);
                  return json(
                      StatusCodes.ACCEPTED,
                      new Accepted(
                          target.toString(),
                          "draining host "
                              + h.name()
                              + " (its instances move to other hosts first, at most "
                              + drainTimeout.toSeconds()
                              + " s; GET /api/v1/hosts/"
                              + h.name()
                              + " shows them), then it leaves and exits with code 0"));
                });
    return onSuccess(started, r -> r);
  }

  /** The member address of the node a host agent runs on. */
  private static Address nodeOf(HostInfo h, Address self) {
    Address a = h.agent().path().address();
    return a.hasLocalScope() ? self : a;
  }

  private Route json(StatusCode status, Object body) {
    return complete(Json.response(status, body));
  }
}
