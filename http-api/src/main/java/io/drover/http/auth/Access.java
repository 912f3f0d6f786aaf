package io.drover.http.auth;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Which role a request needs, from its method and path alone. Only {@code GET /api/v1/health} and
 * the dashboard's static files ({@code GET /ui}, {@code GET /ui/...}: the page asks for a token and
 * sends it with every API call) are public; every read needs {@code viewer} (among them {@code GET
 * /api/v1/whoami}, the caller's name and role); uploading revisions, driving deploys, scaling sites
 * and triggering cronjobs need {@code deployer}; everything else (sites and cronjobs create/delete,
 * hosts, cluster membership, tokens, and any route not named here) needs {@code admin}: an unknown
 * write fails closed.
 */
public final class Access {

  private static final List<String> DEPLOY_ACTIONS = List.of("abort", "pause", "resume", "revert");

  private Access() {}

  /** The role {@code method path} needs; empty when it is public. */
  public static Optional<Role> required(String method, String path) {
    List<String> segments =
        Arrays.stream(path.split("/", -1)).skip(path.startsWith("/") ? 1 : 0).toList();
    return required(method, segments);
  }

  /**
   * The role {@code method} on the path made of {@code segments} (decoded, as the routes match
   * them: {@code ["api", "v1", "sites", "web"]}) needs; empty when it is public.
   */
  public static Optional<Role> required(String method, List<String> segments) {
    String m = method.toUpperCase(Locale.ROOT);
    boolean api =
        segments.size() >= 3 && segments.get(0).equals("api") && segments.get(1).equals("v1");
    List<String> rest = api ? segments.subList(2, segments.size()) : List.of();
    if (m.equals("GET") && !segments.isEmpty() && segments.get(0).equals("ui")) {
      return Optional.empty(); // the dashboard's files: no secret in them
    }
    if (api && rest.get(0).equals("tokens")) {
      return Optional.of(Role.ADMIN); // listing tokens shows who may do what: admin only
    }
    if (m.equals("GET") || m.equals("HEAD")) {
      if (m.equals("GET") && api && rest.equals(List.of("health"))) {
        return Optional.empty();
      }
      return Optional.of(Role.VIEWER);
    }
    if (api && m.equals("POST") && deployerWrite(rest)) {
      return Optional.of(Role.DEPLOYER);
    }
    return Optional.of(Role.ADMIN);
  }

  /** The name prefix of node credentials ({@code node:<host>}). */
  public static final String NODE_PREFIX = "node:";

  /**
   * Whether a node credential may send this request: only the two revision transfers between nodes,
   * {@code GET /api/v1/revisions/{id}/archive} and {@code POST /api/v1/revisions/{id}/fetch}. A
   * node credential that leaks cannot read or change anything else.
   */
  public static boolean nodeTransfer(String method, List<String> segments) {
    if (segments.size() != 5
        || !segments.get(0).equals("api")
        || !segments.get(1).equals("v1")
        || !segments.get(2).equals("revisions")) {
      return false;
    }
    String m = method.toUpperCase(Locale.ROOT);
    return m.equals("GET") && segments.get(4).equals("archive")
        || m.equals("POST") && segments.get(4).equals("fetch");
  }

  /** Whether {@code caller} may send {@code method} on {@code segments}. */
  public static boolean allows(Caller caller, String method, List<String> segments) {
    if (caller.name().startsWith(NODE_PREFIX)) {
      return nodeTransfer(method, segments);
    }
    return caller.role().allows(required(method, segments).orElse(Role.VIEWER));
  }

  private static boolean deployerWrite(List<String> p) {
    return switch (p.size()) {
      case 1 -> p.get(0).equals("revisions") || p.get(0).equals("deploys");
      case 3 ->
          p.get(0).equals("deploys") && DEPLOY_ACTIONS.contains(p.get(2))
              || p.get(0).equals("sites") && p.get(2).equals("scale")
              || p.get(0).equals("cronjobs") && p.get(2).equals("trigger");
      default -> false;
    };
  }
}
