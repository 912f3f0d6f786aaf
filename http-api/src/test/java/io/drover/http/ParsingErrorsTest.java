package io.drover.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import org.apache.pekko.event.NoLogging$;
import org.apache.pekko.http.javadsl.model.HttpEntity;
import org.apache.pekko.http.javadsl.model.HttpResponse;
import org.apache.pekko.http.scaladsl.model.ErrorInfo;
import org.apache.pekko.http.scaladsl.model.StatusCodes$;
import org.junit.jupiter.api.Test;

/** Requests too malformed to reach a route are answered as problem+json too. */
class ParsingErrorsTest {

  @Test
  void aTooLongUriIsA414ProblemSayingTheLimit() throws Exception {
    HttpResponse r =
        new ParsingErrors()
            .handle(
                StatusCodes$.MODULE$.UriTooLong(),
                new ErrorInfo("URI length exceeds the configured limit of 2048 characters", ""),
                NoLogging$.MODULE$,
                null);
    assertEquals(414, r.status().intValue());
    assertEquals(Problem.PROBLEM_JSON, r.entity().getContentType());
    JsonNode body = Json.MAPPER.readTree(((HttpEntity.Strict) r.entity()).getData().utf8String());
    assertEquals(414, body.get("status").asInt());
    assertTrue(body.get("detail").asText().contains("2048"), body.toString());
  }

  @Test
  void anIllegalTargetKeepsWhereItIsIllegal() throws Exception {
    HttpResponse r =
        new ParsingErrors()
            .handle(
                StatusCodes$.MODULE$.BadRequest(),
                new ErrorInfo("Illegal request-target", "Invalid input 'Z', expected HEXDIG"),
                NoLogging$.MODULE$,
                null);
    JsonNode body = Json.MAPPER.readTree(((HttpEntity.Strict) r.entity()).getData().utf8String());
    assertEquals(400, body.get("status").asInt());
    assertTrue(body.get("detail").asText().contains("HEXDIG"), body.toString());
  }
}
