package io.drover.http.cli;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Map;
import picocli.CommandLine.Command;

/**
 * A hidden command the launcher runs once per jar with {@code -XX:ArchiveClassesAtExit}: it loads
 * the classes an ordinary command loads (picocli, Jackson, the HTTP client, the tables), so the
 * class data sharing archive made from it serves every later command. Prints nothing.
 */
@Command(name = "cds-training", hidden = true)
final class CdsTraining extends Cmd {

  private static final String SAMPLE =
      "[{\"name\":\"a\",\"spec\":{\"revision\":\"0123456789abcdef\",\"command\":[\"x\"],"
          + "\"instances\":2,\"pool\":\"default\",\"env\":{}},\"status\":{\"desired\":2,"
          + "\"ready\":1,\"distinctHosts\":1,\"degraded\":true,\"problems\":[\"p\"]},"
          + "\"instances\":[{\"id\":\"a-1\",\"host\":\"h\",\"state\":\"ready\"}]}]";

  @Override
  public Integer call() throws Exception {
    JsonNode sites = Api.MAPPER.readTree(SAMPLE);
    Views.sites(sites).render(true);
    Views.site(sites.get(0));
    Views.instances(sites.get(0).path("instances")).render(false);
    Api.pretty(sites);
    Settings s =
        Settings.resolve(
            new Settings.Flags("http://127.0.0.1:9", "t", null, null, "table"),
            Map.of(),
            p -> java.util.Optional.empty(),
            false);
    try {
      new Api(s).get("/sites");
    } catch (CliError expected) {
      // nothing listens on the discard port: the client's classes are loaded all the same
    }
    return ExitCodes.OK;
  }
}
