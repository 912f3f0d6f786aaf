package io.drover.actors.agent;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Who a site's processes run as, and with which limits: instances, their builds, their exec health
 * checks and cronjob runs all start through {@link #plan}. When the node runs as root, a process
 * runs as an unprivileged user (the site's or cronjob's {@code user}, else {@code
 * drover.agent.run-as}) with rlimits on open files and processes, by wrapping its argv in
 * util-linux's {@code prlimit} and {@code setpriv}:
 *
 * <pre>
 *   prlimit --nofile=N:N --nproc=P:P -- setpriv --reuid=UID --regid=GID --init-groups
 *       --no-new-privs -- setsid COMMAND...
 * </pre>
 *
 * Both programs exec, so the pid the agent watches stays the command's. {@code --no-new-privs}
 * keeps set-uid programs ({@code sudo}, {@code su}) from giving root back. A user with uid 0 is
 * refused. When the node is not root it cannot change user: processes run as the node's user with
 * its limits (the agent logs that once). Pure functions; the lookup of users is passed in.
 */
public final class Sandbox {

  /** The default of {@code drover.agent.run-as}. */
  public static final String DEFAULT_USER = "drover-run";

  public static final int MIN_OPEN_FILES = 16;
  public static final int MAX_OPEN_FILES = 1 << 20;
  public static final int MIN_PROCESSES = 16;
  public static final int MAX_PROCESSES = 1 << 22;

  /** A POSIX-portable user name, as {@code useradd} accepts by default. */
  private static final Pattern USER = Pattern.compile("[a-z_][a-z0-9_-]{0,31}");

  private Sandbox() {}

  /**
   * The {@code drover.agent} settings of the sandbox.
   *
   * @param runAs the user site processes run as when the node is root and the site names none; ""
   *     turns that off (they run as the node's user, as root: only for tests and single-user
   *     machines; the node warns at start)
   * @param openFiles the soft and hard {@code RLIMIT_NOFILE} of each process
   * @param processes the soft and hard {@code RLIMIT_NPROC}: it counts every process and thread of
   *     the user, so all sites sharing a user share it
   */
  public record Settings(String runAs, int openFiles, int processes) {

    /** drover-run, 65536 open files, 16384 processes. */
    public static final Settings DEFAULTS = new Settings(DEFAULT_USER, 65536, 16384);

    /** Processes run as the node's user with its limits, unless a site names its user. */
    public static final Settings OFF = new Settings("", 65536, 16384);

    public Settings {
      String p = runAs == null || !runAs.isEmpty() ? problem("drover.agent.run-as", runAs) : null;
      if (p != null) {
        throw new IllegalArgumentException(p);
      }
      if (openFiles < MIN_OPEN_FILES || openFiles > MAX_OPEN_FILES) {
        throw new IllegalArgumentException(
            "drover.agent.limits.open-files must be between "
                + MIN_OPEN_FILES
                + " and "
                + MAX_OPEN_FILES
                + " (got "
                + openFiles
                + ")");
      }
      if (processes < MIN_PROCESSES || processes > MAX_PROCESSES) {
        throw new IllegalArgumentException(
            "drover.agent.limits.processes must be between "
                + MIN_PROCESSES
                + " and "
                + MAX_PROCESSES
                + " (got "
                + processes
                + ")");
      }
    }

    /** True when {@code run-as} is "": the node's own user unless a site names one. */
    public boolean off() {
      return runAs.isEmpty();
    }
  }

  /**
   * The node's own hard limits, which its children inherit: without {@code CAP_SYS_RESOURCE} (in
   * many containers even root lacks it) a limit cannot be raised above them, so the configured
   * limits are capped by these. {@link Long#MAX_VALUE}: unlimited.
   */
  public record Ceiling(long openFiles, long processes) {
    public static final Ceiling NONE = new Ceiling(Long.MAX_VALUE, Long.MAX_VALUE);

    /** The limits of {@code /proc/self/limits}'s text; unknown or unlimited ones are MAX_VALUE. */
    public static Ceiling parse(String procLimits) {
      long files = Long.MAX_VALUE;
      long procs = Long.MAX_VALUE;
      for (String line : procLimits.split("\n")) {
        if (line.startsWith("Max open files")) {
          files = hard(line.substring("Max open files".length()));
        } else if (line.startsWith("Max processes")) {
          procs = hard(line.substring("Max processes".length()));
        }
      }
      return new Ceiling(files, procs);
    }

    private static long hard(String rest) {
      String[] f = rest.trim().split("\\s+");
      try {
        return f.length > 1 ? Long.parseLong(f[1]) : Long.MAX_VALUE;
      } catch (NumberFormatException e) {
        return Long.MAX_VALUE; // "unlimited"
      }
    }
  }

  /** A user account as {@code getent passwd} shows it. */
  public record Account(String name, int uid, int gid, String home) {}

  /** Finds accounts by name. */
  @FunctionalInterface
  public interface Users {
    Optional<Account> find(String name);
  }

  /**
   * How to spawn one process.
   *
   * @param prefix what goes before the command's argv (before {@code setsid} where it is used)
   * @param account who it runs as; null: the node's own user
   */
  public record Launch(List<String> prefix, Account account) {

    /** The node's own user and limits: nothing to add. */
    public static final Launch AS_NODE = new Launch(List.of(), null);

    public Launch {
      prefix = List.copyOf(prefix);
    }

    /** {@code prefix + command}. */
    public List<String> argv(List<String> command) {
      List<String> argv = new ArrayList<>(prefix);
      argv.addAll(command);
      return argv;
    }

    /**
     * The node's environment as the process's base (see {@link InstanceEnv}): {@code HOME}, {@code
     * USER} and {@code LOGNAME} are the account's when it runs as another user.
     */
    public Map<String, String> base(Map<String, String> node) {
      if (account == null) {
        return node;
      }
      Map<String, String> m = new HashMap<>(node);
      m.put("HOME", account.home());
      m.put("USER", account.name());
      m.put("LOGNAME", account.name());
      return m;
    }
  }

  /** The process may not start: the reason says what to fix. */
  public static final class Refused extends Exception {
    private static final long serialVersionUID = 1L;

    public Refused(String message) {
      super(message);
    }
  }

  /**
   * How to spawn a process of a site or cronjob.
   *
   * @param own the site's or cronjob's {@code user}, null for {@code settings.runAs()}
   * @param settings the agent's sandbox settings
   * @param root the node runs as root
   * @param users where accounts are looked up
   * @throws Refused the user does not exist here, or is root
   */
  public static Launch plan(String own, Settings settings, boolean root, Users users)
      throws Refused {
    return plan(own, settings, root, users, Ceiling.NONE);
  }

  /**
   * How to spawn a process of a site or cronjob, its limits capped by {@code ceiling}.
   *
   * @param own the site's or cronjob's {@code user}, null for {@code settings.runAs()}
   * @param settings the agent's sandbox settings
   * @param root the node runs as root
   * @param users where accounts are looked up
   * @param ceiling the node's own hard limits
   * @throws Refused the user does not exist here, or is root
   */
  public static Launch plan(
      String own, Settings settings, boolean root, Users users, Ceiling ceiling) throws Refused {
    if (!root || (own == null && settings.off())) {
      return Launch.AS_NODE;
    }
    String name = own == null ? settings.runAs() : own;
    Account a =
        users
            .find(name)
            .orElseThrow(
                () ->
                    new Refused(
                        "user '"
                            + name
                            + "' does not exist on this host: create it ("
                            + createCommand(name)
                            + ")"
                            + (own == null
                                ? " or set drover.agent.run-as"
                                : " or change the site's \"user\"")));
    if (a.uid() == 0) {
      throw new Refused(
          "user '" + name + "' has uid 0: site processes never run as root; choose another user");
    }
    long files = Math.min(settings.openFiles(), ceiling.openFiles());
    long procs = Math.min(settings.processes(), ceiling.processes());
    List<String> prefix =
        List.of(
            "prlimit",
            "--nofile=" + files + ":" + files,
            "--nproc=" + procs + ":" + procs,
            "--",
            "setpriv",
            "--reuid=" + a.uid(),
            "--regid=" + a.gid(),
            "--init-groups",
            "--no-new-privs",
            "--");
    return new Launch(prefix, a);
  }

  /**
   * The command that creates a system user {@code name} the way the launcher does: no login shell,
   * and a private home {@code /var/lib/<name>} (0700), so that builds that cache under {@code
   * $HOME} (npm, pip, maven) work.
   */
  public static String createCommand(String name) {
    return "useradd --system --create-home --home-dir /var/lib/"
        + name
        + " --shell /usr/sbin/nologin "
        + name;
  }

  /** Why {@code name} is not a valid user name for {@code field}, or null when it is. */
  public static String problem(String field, String name) {
    if (name == null || !USER.matcher(name).matches()) {
      return field
          + " '"
          + name
          + "' is not a valid user name: use 1 to 32 lowercase letters, digits, '_' and '-',"
          + " starting with a letter or '_'";
    }
    if (name.equals("root")) {
      return field + " may not be root: site processes never run as root";
    }
    return null;
  }

  /**
   * An account from one line of {@code getent passwd} ({@code name:x:uid:gid:gecos:home:shell}).
   */
  public static Optional<Account> parsePasswd(String line) {
    if (line == null) {
      return Optional.empty();
    }
    String[] f = line.strip().split(":", -1);
    if (f.length < 7) {
      return Optional.empty();
    }
    try {
      return Optional.of(
          new Account(
              f[0], Integer.parseInt(f[2]), Integer.parseInt(f[3]), f[5].isEmpty() ? "/" : f[5]));
    } catch (NumberFormatException e) {
      return Optional.empty();
    }
  }
}
