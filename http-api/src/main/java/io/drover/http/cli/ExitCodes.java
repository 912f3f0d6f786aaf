package io.drover.http.cli;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpTimeoutException;
import javax.net.ssl.SSLException;

/** The client's exit codes (a contract scripts rely on) and how HTTP outcomes map to them. Pure. */
public final class ExitCodes {

  /** It worked. */
  public static final int OK = 0;

  /**
   * The operation failed: the server refused it (4xx/5xx other than 401/403), or a deploy failed.
   */
  public static final int FAILED = 1;

  /** Bad usage: unknown command, bad flag or argument (picocli's own code for usage errors). */
  public static final int USAGE = 2;

  /** The server could not be reached (refused, timed out, TLS handshake failed). */
  public static final int UNREACHABLE = 3;

  /** The server said 401 (no or bad token) or 403 (the token's role is not enough). */
  public static final int NOT_AUTHORISED = 4;

  private ExitCodes() {}

  /** The exit code of an HTTP answer with {@code status}. */
  public static int forStatus(int status) {
    if (status >= 200 && status < 400) {
      return OK;
    }
    if (status == 401 || status == 403) {
      return NOT_AUTHORISED;
    }
    return FAILED;
  }

  /** The exit code of a request that got no answer at all. */
  public static int forFailure(Throwable t) {
    if (t instanceof ConnectException
        || t instanceof HttpConnectTimeoutException
        || t instanceof HttpTimeoutException
        || t instanceof UnknownHostException
        || t instanceof SSLException
        || t instanceof IOException) {
      return UNREACHABLE;
    }
    return FAILED;
  }

  /**
   * What to tell the operator about a request to {@code url} that got no answer: what failed with
   * which node ({@code scheme://host:port} of {@code url}), the URL, and what to check. Pure.
   */
  public static String unreachableMessage(String url, Throwable t) {
    String node = origin(url);
    if (t instanceof HttpConnectTimeoutException
        || (t instanceof java.net.SocketTimeoutException
            && String.valueOf(t.getMessage())
                .toLowerCase(java.util.Locale.ROOT)
                .contains("connect"))) {
      return "cannot reach "
          + node
          + ": no connection within 5 s ("
          + url
          + "): is the node up? check --server / DROVER_SERVER";
    }
    if (t instanceof HttpTimeoutException || t instanceof java.net.SocketTimeoutException) {
      return "no answer from " + url + " in time: the node is overloaded or stuck; try again";
    }
    if (t instanceof ConnectException) {
      return "cannot reach "
          + node
          + ": connection refused ("
          + url
          + "): is a node running there? start one with ./drover up, or point --server /"
          + " DROVER_SERVER at one";
    }
    if (t instanceof UnknownHostException) {
      return "cannot reach "
          + node
          + ": unknown host "
          + t.getMessage()
          + " ("
          + url
          + "): check --server / DROVER_SERVER";
    }
    String m = t.getMessage();
    String why = m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    if (t instanceof SSLException) {
      return "TLS with "
          + node
          + " failed: "
          + why
          + " ("
          + url
          + "): trust the cluster's CA with --cacert ca.crt (or DROVER_CACERT), e.g."
          + " ca/node-1/ca.crt, or check that the address is in the node's certificate";
    }
    return "cannot reach " + node + ": " + why + " (" + url + ")";
  }

  /** {@code scheme://host:port} of {@code url}: the node a failed request was for. */
  private static String origin(String url) {
    int scheme = url.indexOf("://");
    int path = scheme < 0 ? -1 : url.indexOf('/', scheme + 3);
    return path < 0 ? url : url.substring(0, path);
  }
}
