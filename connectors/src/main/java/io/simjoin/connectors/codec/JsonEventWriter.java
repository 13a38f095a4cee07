package io.simjoin.connectors.codec;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.StreamWriteFeature;
import com.fasterxml.jackson.core.json.JsonWriteFeature;
import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.Origin;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ScoredItem;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Base64;

/**
 * The JSON encoders of {@link JsonEventCodec}: compact, every field always written (null where
 * there is no value) and in the documented order, so a record's layout does not depend on its
 * content.
 */
final class JsonEventWriter {

  /**
   * Thread-safe. Floats are written in their shortest form that reads back to the same float
   * (Schubfach, the algorithm of {@code Float.toString} since Java 19; Java 17's may write more
   * digits); NaN and the infinities as the bare tokens NaN, Infinity and -Infinity, which the
   * decoder reads as numbers, rather than as strings, which it rejects; characters outside the BMP
   * as UTF-8 rather than as escaped surrogate pairs.
   */
  private static final JsonFactory JSON =
      JsonFactory.builder()
          .enable(StreamWriteFeature.USE_FAST_DOUBLE_WRITER)
          .disable(JsonWriteFeature.WRITE_NAN_AS_STRINGS)
          .enable(JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8)
          .build();

  private JsonEventWriter() {}

  private interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  private static byte[] write(int sizeHint, Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(sizeHint);
    try (JsonGenerator g = JSON.createGenerator(out)) {
      body.write(g);
    } catch (IOException e) {
      // A generator writing to memory fails only on a bug; no event can make it fail.
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  static byte[] item(ItemEvent e) {
    return write(96 + 12 * e.dimension(), g -> writeItem(g, e));
  }

  static byte[] query(QueryEvent e) {
    return write(112 + 12 * e.dimension(), g -> writeQuery(g, e));
  }

  static byte[] update(TopKUpdate u) {
    return write(
        128 + 40 * u.matches().size(),
        g -> {
          g.writeStartObject();
          g.writeStringField("namespace", u.namespace());
          g.writeStringField("queryId", u.queryId());
          g.writeNumberField("seq", u.seq());
          g.writeArrayFieldStart("matches");
          for (ScoredItem m : u.matches()) {
            g.writeStartObject();
            g.writeStringField("itemId", m.itemId());
            g.writeNumberField("score", m.score());
            g.writeEndObject();
          }
          g.writeEndArray();
          g.writeStringField("cause", u.cause().kind().name());
          g.writeStringField("causeItemId", u.cause().itemId());
          g.writeNumberField("timestamp", u.timestamp());
          g.writeEndObject();
        });
  }

  static byte[] alert(ThresholdMatch m) {
    return write(
        128,
        g -> {
          g.writeStartObject();
          g.writeStringField("namespace", m.namespace());
          g.writeStringField("queryId", m.queryId());
          g.writeStringField("itemId", m.itemId());
          g.writeNumberField("score", m.score());
          g.writeBooleanField("retraction", m.isRetraction());
          g.writeNumberField("timestamp", m.timestamp());
          g.writeEndObject();
        });
  }

  static byte[] deadLetter(DeadLetter d) {
    return write(
        256,
        g -> {
          g.writeStartObject();
          g.writeStringField("reason", d.reason().name());
          g.writeStringField("message", d.message());
          g.writeStringField("subject", d.subject().name());
          g.writeFieldName("item");
          if (d.item().isPresent()) {
            writeItem(g, d.item().get());
          } else {
            g.writeNull();
          }
          g.writeFieldName("query");
          if (d.query().isPresent()) {
            writeQuery(g, d.query().get());
          } else {
            g.writeNull();
          }
          g.writeStringField(
              "record", d.record().map(b -> Base64.getEncoder().encodeToString(b)).orElse(null));
          Origin origin = d.origin().orElse(null);
          g.writeStringField("topic", origin == null ? null : origin.topic());
          writeLongOrNull(g, "partition", origin == null ? null : (long) origin.partition());
          writeLongOrNull(g, "offset", origin == null ? null : origin.offset());
          g.writeNumberField("timestamp", d.timestamp());
          g.writeEndObject();
        });
  }

  private static void writeLongOrNull(JsonGenerator g, String field, Long value)
      throws IOException {
    if (value == null) {
      g.writeNullField(field);
    } else {
      g.writeNumberField(field, value);
    }
  }

  /** The item as an object; its origin is not part of it (a dead letter writes that beside it). */
  private static void writeItem(JsonGenerator g, ItemEvent e) throws IOException {
    g.writeStartObject();
    g.writeStringField("namespace", e.namespace());
    g.writeStringField("id", e.id());
    g.writeStringField("op", e.op().name());
    writeVector(g, e.hasVector(), e.dimension(), e::component);
    g.writeNumberField("timestamp", e.timestamp());
    g.writeEndObject();
  }

  private static void writeQuery(JsonGenerator g, QueryEvent e) throws IOException {
    g.writeStartObject();
    g.writeStringField("namespace", e.namespace());
    g.writeStringField("id", e.id());
    g.writeStringField("op", e.op().name());
    writeVector(g, e.hasVector(), e.dimension(), e::component);
    g.writeNumberField("k", e.k());
    g.writeFieldName("threshold");
    if (e.hasThreshold()) {
      g.writeNumber(e.threshold());
    } else {
      g.writeNull();
    }
    g.writeNumberField("timestamp", e.timestamp());
    g.writeEndObject();
  }

  private interface Components {
    float get(int i);
  }

  private static void writeVector(JsonGenerator g, boolean present, int n, Components v)
      throws IOException {
    g.writeFieldName("vector");
    if (!present) {
      g.writeNull();
      return;
    }
    g.writeStartArray();
    for (int i = 0; i < n; i++) {
      g.writeNumber(v.get(i));
    }
    g.writeEndArray();
  }
}
