package io.drover.actors.agent;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The pure part of run-as and limits: the argv prefix and base environment of site processes. */
class SandboxTest {

  private static final Sandbox.Account RUN = new Sandbox.Account("drover-run", 998, 997, "/x");
  private static final Sandbox.Account WEB = new Sandbox.Account("web", 1001, 1001, "/home/web");
  private static final Sandbox.Users USERS =
      name ->
          switch (name) {
            case "drover-run" -> Optional.of(RUN);
            case "web" -> Optional.of(WEB);
            case "toor" -> Optional.of(new Sandbox.Account("toor", 0, 0, "/root"));
            default -> Optional.empty();
          };
  private static final Sandbox.Settings SETTINGS = new Sandbox.Settings("drover-run", 1024, 512);

  @Test
  void asRootProcessesRunAsTheConfiguredUserWithLimits() throws Exception {
    Sandbox.Launch l = Sandbox.plan(null, SETTINGS, true, USERS);
    assertEquals(
        List.of(
            "prlimit",
            "--nofile=1024:1024",
            "--nproc=512:512",
            "--",
            "setpriv",
            "--reuid=998",
            "--regid=997",
            "--init-groups",
            "--no-new-privs",
            "--"),
        l.prefix());
    assertEquals(RUN, l.account());
    assertEquals(
        List.of("prlimit", "--nofile=1024:1024"), l.argv(List.of("sh", "-c", "x")).subList(0, 2));
    assertEquals(List.of("sh", "-c", "x"), l.argv(List.of("sh", "-c", "x")).subList(10, 13));
  }

  @Test
  void aSitesOwnUserWinsOverTheConfiguredOne() throws Exception {
    Sandbox.Launch l = Sandbox.plan("web", SETTINGS, true, USERS);
    assertTrue(l.prefix().contains("--reuid=1001"));
    assertEquals(WEB, l.account());
    // Even when run-as is off, a site that names its user gets it.
    assertEquals(WEB, Sandbox.plan("web", Sandbox.Settings.OFF, true, USERS).account());
  }

  @Test
  void notRootNothingChanges() throws Exception {
    assertSame(Sandbox.Launch.AS_NODE, Sandbox.plan(null, SETTINGS, false, USERS));
    assertSame(Sandbox.Launch.AS_NODE, Sandbox.plan("web", SETTINGS, false, USERS));
    assertSame(Sandbox.Launch.AS_NODE, Sandbox.plan(null, Sandbox.Settings.OFF, true, USERS));
    assertEquals(List.of("true"), Sandbox.Launch.AS_NODE.argv(List.of("true")));
  }

  @Test
  void aMissingUserIsRefusedWithTheCommandThatCreatesIt() {
    Sandbox.Refused r =
        assertThrows(Sandbox.Refused.class, () -> Sandbox.plan("ghost", SETTINGS, true, USERS));
    assertTrue(r.getMessage().contains("user 'ghost' does not exist on this host"), r.getMessage());
    assertTrue(r.getMessage().contains("useradd --system"), r.getMessage());
    assertTrue(r.getMessage().contains("change the site's \"user\""), r.getMessage());
    Sandbox.Refused d =
        assertThrows(
            Sandbox.Refused.class,
            () -> Sandbox.plan(null, new Sandbox.Settings("nobody-here", 64, 64), true, USERS));
    assertTrue(d.getMessage().contains("drover.agent.run-as"), d.getMessage());
  }

  @Test
  void uidZeroIsRefused() {
    Sandbox.Refused r =
        assertThrows(Sandbox.Refused.class, () -> Sandbox.plan("toor", SETTINGS, true, USERS));
    assertTrue(r.getMessage().contains("uid 0"), r.getMessage());
  }

  @Test
  void theBaseEnvironmentCarriesTheUsersIdentity() {
    Map<String, String> node = Map.of("HOME", "/root", "USER", "root", "PATH", "/bin");
    Map<String, String> base = new Sandbox.Launch(List.of(), RUN).base(node);
    assertEquals("/x", base.get("HOME"));
    assertEquals("drover-run", base.get("USER"));
    assertEquals("drover-run", base.get("LOGNAME"));
    assertEquals("/bin", base.get("PATH"));
    assertSame(node, Sandbox.Launch.AS_NODE.base(node));
  }

  @Test
  void settingsAreBounded() {
    assertThrows(IllegalArgumentException.class, () -> new Sandbox.Settings("root", 64, 64));
    assertThrows(IllegalArgumentException.class, () -> new Sandbox.Settings("Bad Name", 64, 64));
    assertThrows(IllegalArgumentException.class, () -> new Sandbox.Settings(null, 64, 64));
    assertThrows(IllegalArgumentException.class, () -> new Sandbox.Settings("u", 15, 64));
    assertThrows(
        IllegalArgumentException.class, () -> new Sandbox.Settings("u", (1 << 20) + 1, 64));
    assertThrows(IllegalArgumentException.class, () -> new Sandbox.Settings("u", 64, 15));
    assertThrows(
        IllegalArgumentException.class, () -> new Sandbox.Settings("u", 64, (1 << 22) + 1));
    assertTrue(Sandbox.Settings.OFF.off());
  }

  @Test
  void userNames() {
    assertNull(Sandbox.problem("user", "drover-run"));
    assertNull(Sandbox.problem("user", "_svc1"));
    assertTrue(Sandbox.problem("user", "root").contains("never run as root"));
    assertTrue(Sandbox.problem("user", "-x").contains("not a valid user name"));
    assertTrue(Sandbox.problem("user", "a".repeat(33)).contains("not a valid user name"));
    assertTrue(Sandbox.problem("user", null).contains("not a valid user name"));
  }

  @Test
  void passwdLines() {
    assertEquals(
        Optional.of(new Sandbox.Account("drover-run", 998, 997, "/nonexistent")),
        Sandbox.parsePasswd("drover-run:x:998:997::/nonexistent:/usr/sbin/nologin\n"));
    assertEquals(Optional.empty(), Sandbox.parsePasswd("broken:x:abc:1::/:/bin/sh"));
    assertEquals(Optional.empty(), Sandbox.parsePasswd("short:x:1"));
    assertEquals(Optional.empty(), Sandbox.parsePasswd(null));
  }

  @Test
  void limitsAreCappedByTheNodesOwnHardLimits() throws Exception {
    String procLimits =
        "Limit                     Soft Limit           Hard Limit           Units     \n"
            + "Max processes             96365                96365                processes \n"
            + "Max open files            20000                20000                files     \n";
    Sandbox.Ceiling c = Sandbox.Ceiling.parse(procLimits);
    assertEquals(new Sandbox.Ceiling(20000, 96365), c);
    Sandbox.Launch l =
        Sandbox.plan(null, new Sandbox.Settings("drover-run", 65536, 512), true, USERS, c);
    assertEquals("--nofile=20000:20000", l.prefix().get(1));
    assertEquals("--nproc=512:512", l.prefix().get(2));
    assertEquals(
        Sandbox.Ceiling.NONE,
        Sandbox.Ceiling.parse("Max open files            unlimited            unlimited   files"));
  }
}
