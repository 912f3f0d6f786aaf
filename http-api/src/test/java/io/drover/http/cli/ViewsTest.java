package io.drover.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;

class ViewsTest {

  private static JsonNode json(String s) throws Exception {
    return JsonTree.read(s.replace('\'', '"'));
  }

  @Test
  void degradedSitesComeFirstWithTheirProblems() throws Exception {
    JsonNode sites =
        json(
            "[{'name':'a-ok','spec':{'revision':'0123456789abcdef0123','pool':'default'},"
                + "'status':{'desired':2,'ready':2,'distinctHosts':2,'degraded':false,'problems':[]}},"
                + "{'name':'b-bad','spec':{'revision':'ff','pool':'default'},"
                + "'status':{'desired':2,'ready':1,'distinctHosts':1,'degraded':true,"
                + "'problems':['instance b-bad-2 crashed','runs on 1 distinct host']}}]");
    String[] lines = Views.sites(sites).render(false).split("\n");
    assertTrue(lines[1].startsWith("b-bad"), lines[1]);
    assertTrue(lines[1].contains("1/2") && lines[1].contains("degraded"), lines[1]);
    assertTrue(lines[1].endsWith("instance b-bad-2 crashed; runs on 1 distinct host"), lines[1]);
    assertTrue(
        lines[2].startsWith("a-ok") && lines[2].contains("0123456789ab "),
        "revision shortened: " + lines[2]);
  }

  @Test
  void unreachableMembersAndUnschedulableHostsComeFirstWithTheReason() throws Exception {
    JsonNode members =
        json(
            "[{'address':'pekko://drover@a:2552','status':'up','roles':['host','drover-api:a:8080'],'reachable':true,'age':1,'self':true,'leader':true},"
                + "{'address':'pekko://drover@b:2552','status':'up','roles':['host'],'reachable':false,'age':2}]");
    String[] m = Views.members(members).render(false).split("\n");
    assertTrue(
        m[1].startsWith("pekko://drover@b:2552") && m[1].endsWith("unreachable from this node"),
        m[1]);
    assertTrue(m[2].contains("(self)") && !m[2].contains("drover-api"), m[2]);
    JsonNode hosts =
        json(
            "[{'name':'h1','pool':'p','reachable':true,'cordoned':false,'draining':false,'instanceCount':3},"
                + "{'name':'h2','pool':'p','reachable':true,'cordoned':true,'draining':true,'instanceCount':1},"
                + "{'name':'h3','pool':'p','reachable':false,'cordoned':false,'draining':false,'instanceCount':0}]");
    String[] h = Views.hosts(hosts).render(false).split("\n");
    assertTrue(h[1].startsWith("h2") && h[1].contains("draining"), h[1]);
    assertTrue(h[2].startsWith("h3") && h[2].contains("unreachable"), h[2]);
    assertTrue(h[3].startsWith("h1") && h[3].contains("schedulable"), h[3]);
    assertEquals(
        "2 member(s), 1 in trouble; 3 host(s), 2 not schedulable; 0 site(s), 0 degraded",
        Views.summary(members, hosts, json("[]")));
  }

  @Test
  void stateWordsHaveTones() {
    assertEquals(Table.Tone.GOOD, Views.tone("succeeded"));
    assertEquals(Table.Tone.BAD, Views.tone("failed"));
    assertEquals(Table.Tone.WARN, Views.tone("replacing"));
  }
}
