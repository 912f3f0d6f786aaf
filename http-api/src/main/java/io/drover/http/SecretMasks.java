package io.drover.http;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import io.drover.actors.agent.RunOrder;
import io.drover.actors.cron.CronSpec;
import io.drover.actors.site.SiteSpec;
import java.io.IOException;
import java.util.Map;

/**
 * Secret values never leave through HTTP JSON: wherever the HTTP mapper writes a {@code secretEnv}
 * of a {@link SiteSpec}, {@link CronSpec} or {@link RunOrder} (GETs, SSE frames, webhooks), each
 * value is written as {@code "***"} and the keys stay visible. Only serialization is masked: a PUT
 * body still reads the real values. The journal and cluster messages use their own CBOR mapper and
 * keep the values.
 */
final class SecretMasks {

  private SecretMasks() {}

  /** Adds the masks to {@code builder}. */
  static JsonMapper.Builder addTo(JsonMapper.Builder builder) {
    return builder
        .addMixIn(SiteSpec.class, Masked.class)
        .addMixIn(CronSpec.class, Masked.class)
        .addMixIn(RunOrder.class, Masked.class);
  }

  /** The mix-in: its {@code secretEnv} is written through {@link MaskedValues}. */
  abstract static class Masked {
    @JsonSerialize(using = MaskedValues.class)
    abstract Map<String, String> secretEnv();
  }

  /** Writes a map's keys with the value {@code "***"}. */
  static final class MaskedValues extends StdSerializer<Map<String, String>> {
    private static final long serialVersionUID = 1L;

    @SuppressWarnings({"unchecked", "rawtypes"})
    MaskedValues() {
      super((Class<Map<String, String>>) (Class) Map.class);
    }

    @Override
    public void serialize(Map<String, String> value, JsonGenerator gen, SerializerProvider p)
        throws IOException {
      gen.writeStartObject();
      for (Map.Entry<String, String> e : SiteSpec.masked(value).entrySet()) {
        gen.writeStringField(e.getKey(), e.getValue());
      }
      gen.writeEndObject();
    }
  }
}
