package io.drover.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import io.drover.http.Json;
import java.io.File;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real headless Chromium against a real node running the example site {@code
 * hello}: log in with the admin token, see {@code hello} 2/2, start a deploy of a new revision from
 * the form and watch it reach {@code succeeded} without a reload; no horizontal scroll on a phone;
 * the page reconnects to the event stream after the node restarts; a viewer sees no deploy buttons,
 * a 403 shows the server's detail, a revoked token brings the login form back. Screenshots go to
 * {@code chaos-tests/target/screenshots/}.
 *
 * <p>Chromium comes from {@code ./drover dev-chromium} (Debian's chromium and chromium-driver,
 * installed when missing); the test is skipped, saying why, only when that fails.
 */
class DashboardIT {

  private static final String CHROMIUM = "/usr/bin/chromium";

  /**
   * Records, in the page, every state each deploy element shows, in order ({@code
   * window.__seen[id]}): proof that one page followed the deploy live.
   */
  private static final String SEEN =
      "window.__seen = {};"
          + "new MutationObserver(() => {"
          + "  for (const d of document.querySelectorAll('[data-deploy]')) {"
          + "    const id = d.getAttribute('data-deploy');"
          + "    const s = d.querySelector('.state');"
          + "    const list = window.__seen[id] || (window.__seen[id] = []);"
          + "    if (s && list[list.length - 1] !== s.textContent) list.push(s.textContent);"
          + "  }"
          + "}).observe(document.getElementById('deploys'), {childList: true, subtree: true});";

  @TempDir Path tmp;

  private LocalNode node;
  private ChromeDriverService service;
  private WebDriver driver;
  private Path shots;

  @AfterEach
  void cleanUp() throws InterruptedException {
    List<ProcessHandle> leftovers = new ArrayList<>();
    // chromedriver and the browsers it started are this JVM's children: take them all by pid
    ProcessHandle.current().descendants().forEach(leftovers::add);
    try {
      if (driver != null) {
        driver.quit();
      }
    } catch (RuntimeException e) {
      System.err.println("DashboardIT: quitting the browser failed: " + e);
    }
    if (service != null) {
      service.stop();
    }
    LocalNode.killAll(node == null ? List.of() : List.of(node), leftovers);
  }

  /** Runs {@code ./drover dev-chromium}; its last stdout line is chromedriver's path. */
  private static String devChromium(Path workDir) throws IOException, InterruptedException {
    Path root = Path.of(System.getProperty("drover.root", ".."));
    Path out = workDir.resolve("dev-chromium.out");
    Path err = workDir.resolve("dev-chromium.err");
    Process p =
        new ProcessBuilder(root.resolve("drover").toString(), "dev-chromium")
            .redirectOutput(out.toFile())
            .redirectError(err.toFile())
            .start();
    if (!p.waitFor(20, TimeUnit.MINUTES)) {
      p.descendants().forEach(ProcessHandle::destroyForcibly);
      p.destroyForcibly();
      skip("./drover dev-chromium did not finish within 20 minutes");
    }
    List<String> lines = Files.readAllLines(out);
    String driver = lines.isEmpty() ? "" : lines.get(lines.size() - 1).trim();
    if (p.exitValue() != 0 || driver.isEmpty() || !Files.isExecutable(Path.of(driver))) {
      skip(
          "./drover dev-chromium could not provide Chromium (exit "
              + p.exitValue()
              + "): "
              + Files.readString(err).strip());
    }
    if (!Files.isExecutable(Path.of(CHROMIUM))) {
      skip(CHROMIUM + " is missing although dev-chromium succeeded");
    }
    return driver;
  }

  private static void skip(String reason) {
    System.out.println("DashboardIT skipped: " + reason);
    Assumptions.abort(reason);
  }

  private void shot(String name) throws IOException {
    byte[] png = ((TakesScreenshot) driver).getScreenshotAs(OutputType.BYTES);
    Files.write(shots.resolve(name + ".png"), png);
  }

  /** A screenshot of the whole page: the window grows to the page's height for it. */
  private void fullShot(String name, int width) throws IOException {
    Dimension before = driver.manage().window().getSize();
    js("window.scrollTo(0, 0)");
    long height = (Long) js("return document.documentElement.scrollHeight");
    driver.manage().window().setSize(new Dimension(width, (int) Math.min(height + 160, 2400)));
    shot(name);
    driver.manage().window().setSize(before);
  }

  private Object js(String script) {
    return ((JavascriptExecutor) driver).executeScript(script);
  }

  private WebDriverWait waitUpTo(Duration d) {
    WebDriverWait w = new WebDriverWait(driver, d, Duration.ofMillis(200));
    w.ignoring(StaleElementReferenceException.class);
    return w;
  }

  /** The text of {@code css} inside the deploy element {@code id}; "" while it is not shown. */
  private String deployText(String id, String css) {
    List<WebElement> found =
        driver.findElements(By.cssSelector("[data-deploy=\"" + id + "\"] " + css));
    return found.isEmpty() ? "" : found.get(0).getText().trim();
  }

  private String readyCell(String site) {
    List<WebElement> cells =
        driver.findElements(By.cssSelector("tr[data-site=\"" + site + "\"] .ready"));
    return cells.isEmpty() ? "" : cells.get(0).getText().trim();
  }

  /** A copy of examples/hello with one changed file: a new revision of the same app. */
  private Path changedHello() throws IOException {
    Path src = LocalNode.examples().resolve("hello");
    Path dst = Files.createDirectories(tmp.resolve("hello-v2"));
    try (Stream<Path> files = Files.list(src)) {
      for (Path f : files.toList()) {
        Files.copy(f, dst.resolve(f.getFileName()));
      }
    }
    Files.writeString(dst.resolve("VERSION"), "v2 from DashboardIT\n", StandardCharsets.UTF_8);
    return dst;
  }

  @Test
  void operatorLogsInSeesHelloAndDeploysFromTheFormLive() throws Exception {
    String chromedriver = devChromium(Files.createDirectories(tmp.resolve("chromium")));
    shots =
        Path.of(System.getProperty("drover.root", ".."), "chaos-tests", "target", "screenshots");
    Files.createDirectories(shots);

    node = new LocalNode(tmp.resolve("data")).start();
    LocalNode.await(
        Duration.ofSeconds(180),
        "the example site hello 2/2 ready (log " + node.log + ")",
        () -> {
          JsonNode s = node.json("/sites/hello").path("status");
          return s.path("ready").asInt() == 2 && s.path("desired").asInt() == 2;
        });

    service =
        new ChromeDriverService.Builder()
            .usingDriverExecutable(new File(chromedriver))
            .usingAnyFreePort()
            .withLogFile(tmp.resolve("chromedriver.log").toFile())
            .build();
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM);
    options.addArguments(
        "--headless=new",
        "--no-sandbox",
        "--disable-dev-shm-usage",
        "--window-size=1280,800",
        "--user-data-dir=" + Files.createDirectories(tmp.resolve("chrome-profile")));
    driver = new ChromeDriver(service, options);
    driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(30));
    driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(10));

    // Log in.
    String base = "http://" + LocalNode.LOOPBACK + ":" + node.httpPort;
    driver.get(base + "/ui");
    assertEquals(base + "/ui/", driver.getCurrentUrl(), "/ui redirects to /ui/");
    waitUpTo(Duration.ofSeconds(15)).until(d -> d.findElement(By.id("token")).isDisplayed());
    shot("login");
    driver.findElement(By.id("token")).sendKeys(node.adminToken());
    driver.findElement(By.id("login")).click();
    waitUpTo(Duration.ofSeconds(15))
        .until(d -> d.findElement(By.id("whoami")).getText().equals("admin (admin)"));
    js("window.__noReload = 1");
    js(SEEN);
    assertFalse(driver.getCurrentUrl().contains(node.adminToken()), "the token is not in the URL");
    assertEquals(
        node.adminToken(),
        js("return sessionStorage.getItem('drover.token')"),
        "the token is kept in session storage");
    assertEquals("", js("return document.cookie"), "and never in a cookie");

    // The example site, 2/2, and the other views.
    waitUpTo(Duration.ofSeconds(20)).until(d -> readyCell("hello").equals("2/2"));
    waitUpTo(Duration.ofSeconds(20))
        .until(
            d ->
                !d.findElements(By.cssSelector("#members tr")).isEmpty()
                    && !d.findElements(By.cssSelector("#hosts [data-pool] tr[data-hostname]"))
                        .isEmpty()
                    && !d.findElements(By.cssSelector("#singletons tr")).isEmpty());
    waitUpTo(Duration.ofSeconds(10))
        .until(d -> d.findElement(By.id("live")).getText().equals("live"));

    // A cronjob (put through the API), triggered from its button.
    String helloRev = node.json("/sites/hello").at("/spec/revision").asText();
    HttpResponse<String> job =
        node.send(
            "PUT",
            "/cronjobs/report",
            HttpRequest.BodyPublishers.ofString(
                "{\"schedule\":\"@every 1h\",\"revision\":\""
                    + helloRev
                    + "\",\"command\":[\"sh\",\"-c\",\"echo report done\"]}"));
    assertEquals(201, job.statusCode(), job.body());
    waitUpTo(Duration.ofSeconds(15))
        .until(d -> d.findElement(By.cssSelector("button[data-cron-trigger=\"report\"]")))
        .click();
    waitUpTo(Duration.ofSeconds(60))
        .until(
            d ->
                d.findElements(By.cssSelector("tr[data-cron=\"report\"] li .badge")).stream()
                    .anyMatch(b -> b.getText().equals("succeeded")));

    // A new revision, uploaded through the API; the deploy is started from the form.
    String rev = node.uploadRevision(changedHello(), tmp);
    waitUpTo(Duration.ofSeconds(15))
        .until(
            d ->
                !d.findElements(By.cssSelector("#revisions option[value=\"" + rev + "\"]"))
                    .isEmpty());
    fullShot("overview", 1280);
    Set<String> before = new HashSet<>();
    driver
        .findElements(By.cssSelector("#deploys [data-deploy]"))
        .forEach(e -> before.add(e.getAttribute("data-deploy")));
    driver.findElement(By.id("deploy-sites")).sendKeys("hello");
    driver.findElement(By.id("deploy-revision")).sendKeys(rev);
    driver.findElement(By.id("deploy-reason")).sendKeys("DashboardIT: new greeting");
    driver.findElement(By.id("deploy-start")).click();
    String id =
        waitUpTo(Duration.ofSeconds(20))
            .until(
                d ->
                    d.findElements(By.cssSelector("#deploys [data-deploy]")).stream()
                        .map(e -> e.getAttribute("data-deploy"))
                        .filter(x -> !before.contains(x))
                        .findFirst()
                        .orElse(null));
    JsonNode started = node.json("/deploys/" + id);
    assertEquals(rev, started.path("revision").asText(), "the form started this deploy");
    assertEquals("admin", started.path("startedBy").asText(), started.toString());
    assertEquals("DashboardIT: new greeting", started.path("reason").asText());

    // Live progress: running with its host, then succeeded, all without a reload.
    waitUpTo(Duration.ofSeconds(30))
        .until(
            d ->
                deployText(id, ".state").equals("running")
                    && !deployText(id, "[data-host=\"" + node.host + "\"] .host-state").isEmpty());
    assertFalse(
        driver
            .findElements(
                By.cssSelector("[data-deploy=\"" + id + "\"] button[data-action=\"pause\"]"))
            .isEmpty(),
        "an admin may pause a running deploy");
    shot("deploy-running");
    waitUpTo(Duration.ofSeconds(240))
        .until(
            d -> {
              String s = deployText(id, ".state");
              if (List.of("failed", "aborted", "reverted").contains(s)) {
                throw new AssertionError("deploy " + id + " ended " + s + ": " + node.readLog());
              }
              return s.equals("succeeded");
            });
    assertEquals("done", deployText(id, "[data-host=\"" + node.host + "\"] .host-state"));
    waitUpTo(Duration.ofSeconds(20))
        .until(
            d ->
                readyCell("hello").equals("2/2")
                    && !d.findElement(By.cssSelector("tr[data-site=\"hello\"]"))
                        .getText()
                        .contains("deploying")
                    && d.findElement(By.cssSelector("tr[data-site=\"hello\"] code"))
                        .getAttribute("title")
                        .equals(rev));
    fullShot("deploy-succeeded", 1280);
    assertEquals(1L, js("return window.__noReload"), "the page was never reloaded");
    @SuppressWarnings("unchecked")
    List<String> seen = (List<String>) js("return window.__seen['" + id + "'] || []");
    assertTrue(
        seen.indexOf("running") >= 0 && seen.indexOf("running") < seen.indexOf("succeeded"),
        "the page showed the deploy running, then succeeded: " + seen);

    // A phone: no horizontal scroll.
    driver.manage().window().setSize(new Dimension(390, 844));
    waitUpTo(Duration.ofSeconds(10)).until(d -> ((Long) js("return window.innerWidth")) <= 400);
    long scrollWidth = (Long) js("return document.documentElement.scrollWidth");
    long clientWidth = (Long) js("return document.documentElement.clientWidth");
    assertTrue(
        scrollWidth <= clientWidth,
        "no horizontal scroll at 390 px: scrollWidth " + scrollWidth + " > " + clientWidth);
    shot("phone");
    driver.manage().window().setSize(new Dimension(1280, 800));

    // The node dies and comes back: the page says so and follows the events again by itself.
    node.kill();
    waitUpTo(Duration.ofSeconds(30))
        .until(d -> d.findElement(By.id("live")).getText().startsWith("reconnecting"));
    node.start();
    waitUpTo(Duration.ofSeconds(90))
        .until(d -> d.findElement(By.id("live")).getText().equals("live"));
    waitUpTo(Duration.ofSeconds(30)).until(d -> readyCell("hello").equals("2/2"));
    assertEquals(1L, js("return window.__noReload"), "reconnected without a reload");

    // A viewer sees everything but no button it may not use.
    HttpResponse<String> created =
        node.send(
            "POST",
            "/tokens",
            HttpRequest.BodyPublishers.ofString(
                "{\"name\":\"ui-viewer\",\"role\":\"viewer\",\"ttl\":\"1h\"}"));
    assertEquals(201, created.statusCode(), created.body());
    String viewer = Json.MAPPER.readTree(created.body()).path("token").asText();
    LocalNode.await(
        Duration.ofSeconds(30),
        "the viewer token known to the node's token cache",
        () ->
            LocalNode.HTTP
                    .send(
                        HttpRequest.newBuilder(node.uri("/whoami"))
                            .header("Authorization", "Bearer " + viewer)
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                        HttpResponse.BodyHandlers.ofString())
                    .statusCode()
                == 200);
    driver.findElement(By.id("logout")).click();
    assertEquals(null, js("return sessionStorage.getItem('drover.token')"), "logged out");
    driver.findElement(By.id("token")).sendKeys(viewer);
    driver.findElement(By.id("login")).click();
    waitUpTo(Duration.ofSeconds(15))
        .until(d -> d.findElement(By.id("whoami")).getText().equals("ui-viewer (viewer)"));
    waitUpTo(Duration.ofSeconds(15)).until(d -> deployText(id, ".state").equals("succeeded"));
    assertFalse(driver.findElement(By.id("deploy-form")).isDisplayed(), "no deploy form");
    for (WebElement b : driver.findElements(By.cssSelector("button[data-action]"))) {
      assertFalse(b.isDisplayed(), "a viewer sees no " + b.getAttribute("data-action"));
    }
    assertEquals(1L, js("return window.__noReload"), "log out and in without a reload");

    // A button the role may not use answers 403: the page shows the server's detail.
    js(
        "document.querySelector('[data-deploy=\""
            + id
            + "\"] button[data-action=\"revert\"]')"
            + ".hidden = false");
    driver
        .findElement(By.cssSelector("[data-deploy=\"" + id + "\"] button[data-action=\"revert\"]"))
        .click();
    waitUpTo(Duration.ofSeconds(5)).until(d -> d.switchTo().alert()).accept();
    waitUpTo(Duration.ofSeconds(15))
        .until(d -> deployText(id, ".error").contains("needs role deployer"));
    assertEquals(
        "succeeded", node.json("/deploys/" + id).path("state").asText(), "nothing reverted");

    // The token is revoked: the next read answers 401 and the page asks for a token again.
    HttpResponse<String> revoked =
        node.send("DELETE", "/tokens/ui-viewer", HttpRequest.BodyPublishers.noBody());
    assertEquals(204, revoked.statusCode(), revoked.body());
    waitUpTo(Duration.ofSeconds(60))
        .until(
            d ->
                d.findElement(By.id("token")).isDisplayed()
                    && d.findElement(By.id("login-error")).getText().contains("refused the token"));
    assertEquals(null, js("return sessionStorage.getItem('drover.token')"), "token forgotten");
    assertFalse(driver.findElement(By.id("app")).isDisplayed(), "nothing shown without a token");
    assertEquals(1L, js("return window.__noReload"), "all in one page");
  }
}
