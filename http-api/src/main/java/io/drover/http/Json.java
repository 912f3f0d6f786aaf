package io.drover.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.json.JsonMapper;
import java.util.stream.Collectors;

/** The one configured {@link ObjectMapper} for HTTP JSON, and readable parse errors. */
public final class Json {

  /**
   * Unknown fields are refused: a typo like {@code instnces} must not be silently ignored. A
   * missing number reads as 0 and is refused by validation with its own message. Secret values are
   * written masked ({@link SecretMasks}).
   */
  public static final ObjectMapper MAPPER =
      SecretMasks.addTo(
              JsonMapper.builder()
                  .findAndAddModules()
                  .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                  .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
                  .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS))
          .build();

  private Json() {}

  /** A body that could not be read into {@code type}. */
  public static final class BadBody extends Exception {
    private static final long serialVersionUID = 1L;

    BadBody(String message) {
      super(message);
    }
  }

  /** Parses {@code body}; the error says what to fix in operator's words. */
  public static <T> T read(String body, Class<T> type) throws BadBody {
    if (body == null || body.isBlank()) {
      throw new BadBody("the request body is empty: send a JSON object");
    }
    try {
      T value = MAPPER.readValue(body, type);
      if (value == null) {
        throw new BadBody("the request body is null: send a JSON object");
      }
      return value;
    } catch (UnrecognizedPropertyException e) {
      String known =
          e.getKnownPropertyIds().stream().map(Object::toString).sorted().collect(joining());
      throw new BadBody("unknown field '" + path(e) + "': the known fields are " + known + ".");
    } catch (InvalidFormatException e) {
      throw new BadBody(
          "field '"
              + path(e)
              + "' has the wrong type: got "
              + e.getValue()
              + ", expected "
              + e.getTargetType().getSimpleName().toLowerCase(java.util.Locale.ROOT)
              + ".");
    } catch (MismatchedInputException e) {
      String where = e.getPath().isEmpty() ? "the body" : "field '" + path(e) + "'";
      throw new BadBody(where + " has the wrong shape: " + e.getOriginalMessage() + ".");
    } catch (JsonProcessingException e) {
      throw new BadBody(
          "the request body is not valid JSON (line "
              + (e.getLocation() == null ? "?" : e.getLocation().getLineNr())
              + "): "
              + e.getOriginalMessage());
    }
  }

  private static java.util.stream.Collector<CharSequence, ?, String> joining() {
    return Collectors.joining(", ");
  }

  private static String path(MismatchedInputException e) {
    return e.getPath().stream()
        .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
        .collect(Collectors.joining("."));
  }

  /** Serializes for a response; our own types always serialize. */
  public static byte[] bytes(Object value) {
    try {
      return MAPPER.writeValueAsBytes(value);
    } catch (JsonProcessingException e) {
      throw new IllegalStateException("cannot serialize " + value.getClass(), e);
    }
  }

  /** A JSON response with {@code status}. */
  public static org.apache.pekko.http.javadsl.model.HttpResponse response(
      org.apache.pekko.http.javadsl.model.StatusCode status, Object body) {
    return org.apache.pekko.http.javadsl.model.HttpResponse.create()
        .withStatus(status)
        .withEntity(
            org.apache.pekko.http.javadsl.model.HttpEntities.create(
                org.apache.pekko.http.javadsl.model.ContentTypes.APPLICATION_JSON, bytes(body)));
  }
}
