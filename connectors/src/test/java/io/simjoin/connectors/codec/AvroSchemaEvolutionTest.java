package io.simjoin.connectors.codec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.simjoin.connectors.codec.AvroEventCodec.RecordType;
import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.schemas.WriterSchemas;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.apache.avro.Schema;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericDatumReader;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.io.DecoderFactory;
import org.apache.avro.message.BinaryMessageDecoder;
import org.apache.avro.message.BinaryMessageEncoder;
import org.apache.avro.message.SchemaStore;
import org.apache.avro.util.Utf8;
import org.junit.jupiter.api.Test;

/**
 * The next version of each schema (test resources {@code avro-next/*-v2.avsc}: a field added with a
 * default, and for ItemEvent and TopKUpdate an enum symbol) against this one, both ways, through
 * single-object encoding and a {@link SchemaStore} of known versions: no registry.
 */
class AvroSchemaEvolutionTest {

  private static final Map<RecordType, Schema> V2 = loadV2();
  private static final int ROUNDS = 60;

  /** This version's reader, told about the next version's schemas. */
  private final AvroEventCodec v1AndV2 = new AvroEventCodec(List.copyOf(V2.values()));

  private final AvroEventCodec v1 = new AvroEventCodec();

  @Test
  void theNextVersionsAreNewFingerprintsOfTheSameRecords() {
    for (RecordType t : RecordType.values()) {
      assertThat(V2.get(t).getFullName()).isEqualTo(t.schema().getFullName());
      assertThat(WriterSchemas.fingerprint(V2.get(t)))
          .isNotEqualTo(WriterSchemas.fingerprint(t.schema()));
    }
  }

  /**
   * (a) A reader that knows v1 and v2 reads records a v2 writer wrote; the new fields are ignored.
   */
  @Test
  void aReaderKnowingBothVersionsReadsWhatV2Wrote() throws Exception {
    Random r = new Random(0xE7017);
    for (int round = 0; round < ROUNDS; round++) {
      int i = round;
      ItemEvent item = AvroSamples.item(r);
      byte[] v2 = asV2(RecordType.ITEM, v1.encodeItem(item), g -> g.put("attributes", attrs(r)));
      assertThat(v1AndV2.decodeItem(v2, 0)).isEqualTo(item);
      assertThatThrownBy(() -> v1.decodeItem(v2, 0))
          .hasMessageContaining("unknown writer schema")
          .hasMessageContaining(
              SingleObjectHeader.hex(WriterSchemas.fingerprint(V2.get(RecordType.ITEM))));

      QueryEvent query = AvroSamples.query(r);
      byte[] q2 = asV2(RecordType.QUERY, v1.encodeQuery(query), g -> g.put("filter", "x > " + i));
      assertThat(v1AndV2.decodeQuery(q2, 0)).isEqualTo(query);

      TopKUpdate update = AvroSamples.update(r);
      byte[] u2 =
          asV2(
              RecordType.UPDATE,
              v1.encodeUpdate(update),
              g -> {
                g.put("generation", r.nextLong());
                for (Object m : (List<?>) g.get("matches")) {
                  ((GenericRecord) m).put("explanation", "because " + i);
                }
              });
      assertThat(v1AndV2.decodeUpdate(u2)).isEqualTo(update);

      ThresholdMatch alert = AvroSamples.alert(r);
      byte[] a2 = asV2(RecordType.ALERT, v1.encodeAlert(alert), g -> g.put("severity", "loud"));
      assertThat(v1AndV2.decodeAlert(a2)).isEqualTo(alert);

      DeadLetter dead = AvroSamples.deadLetter(r);
      byte[] d2 =
          asV2(
              RecordType.DEAD_LETTER,
              v1.encodeDeadLetter(dead),
              g -> {
                g.put("attempts", 3);
                if (g.get("item") instanceof GenericRecord it) {
                  it.put("attributes", attrs(r));
                }
              });
      assertThat(v1AndV2.decodeDeadLetter(d2)).isEqualTo(dead);
      assertThat(v1AndV2.decodeAny(d2, 0).type()).isEqualTo(RecordType.DEAD_LETTER);
    }
  }

  /** (b) A v2 reader reads records this version wrote, with the new fields at their defaults. */
  @Test
  void aV2ReaderReadsWhatV1WroteWithTheDefaults() throws Exception {
    SchemaStore.Cache v1Store = new SchemaStore.Cache();
    WriterSchemas.all().forEach(v1Store::addSchema);
    Map<RecordType, BinaryMessageDecoder<GenericRecord>> v2Readers =
        new EnumMap<>(RecordType.class);
    for (RecordType t : RecordType.values()) {
      v2Readers.put(t, new BinaryMessageDecoder<>(GenericData.get(), V2.get(t), v1Store));
    }
    Random r = new Random(0xE7018);
    for (int i = 0; i < ROUNDS; i++) {
      ItemEvent item = AvroSamples.item(r);
      GenericRecord gi = v2Readers.get(RecordType.ITEM).decode(v1.encodeItem(item));
      assertThat((Map<?, ?>) gi.get("attributes")).isEmpty();
      assertThat(v1AndV2.decodeItem(write(gi), 0)).isEqualTo(item);

      QueryEvent query = AvroSamples.query(r);
      GenericRecord gq = v2Readers.get(RecordType.QUERY).decode(v1.encodeQuery(query));
      assertThat(gq.get("filter")).isNull();
      assertThat(v1AndV2.decodeQuery(write(gq), 0)).isEqualTo(query);

      TopKUpdate update = AvroSamples.update(r);
      GenericRecord gu = v2Readers.get(RecordType.UPDATE).decode(v1.encodeUpdate(update));
      assertThat(gu.get("generation")).isEqualTo(0L);
      assertThat((List<?>) gu.get("matches"))
          .hasSize(update.matches().size())
          .allSatisfy(m -> assertThat(((GenericRecord) m).get("explanation")).isNull());
      assertThat(v1AndV2.decodeUpdate(write(gu))).isEqualTo(update);

      ThresholdMatch alert = AvroSamples.alert(r);
      GenericRecord ga = v2Readers.get(RecordType.ALERT).decode(v1.encodeAlert(alert));
      assertThat(ga.get("severity")).isEqualTo(new Utf8("info"));
      assertThat(v1AndV2.decodeAlert(write(ga))).isEqualTo(alert);

      DeadLetter dead = AvroSamples.deadLetter(r);
      GenericRecord gd = v2Readers.get(RecordType.DEAD_LETTER).decode(v1.encodeDeadLetter(dead));
      assertThat(gd.get("attempts")).isEqualTo(1);
      if (dead.subject() == DeadLetter.Subject.ITEM) {
        assertThat((Map<?, ?>) ((GenericRecord) gd.get("item")).get("attributes")).isEmpty();
      }
      assertThat(v1AndV2.decodeDeadLetter(write(gd))).isEqualTo(dead);
    }
  }

  /** An op this version lacks is refused, record by record; an output kind reads as UNKNOWN. */
  @Test
  void newEnumSymbolsAreRefusedByRecordNotBySchema() throws Exception {
    byte[] patch =
        asV2(
            RecordType.ITEM,
            v1.encodeItem(ItemEvent.delete("ns", "a", 1L)),
            g -> g.put("op", new GenericData.EnumSymbol(opSchema(), "PATCH")));
    assertThatThrownBy(() -> v1AndV2.decodeItem(patch, 0))
        .isInstanceOf(DecodeException.class)
        .hasMessageContaining("corrupt ItemEvent")
        .hasMessageContaining("PATCH")
        .hasMessageContaining("newer writer");
    TopKUpdate cancelled = AvroSamples.updates().get(4);
    byte[] expired =
        asV2(
            RecordType.UPDATE,
            v1.encodeUpdate(cancelled),
            g ->
                g.put(
                    "cause",
                    new GenericData.EnumSymbol(
                        V2.get(RecordType.UPDATE).getField("cause").schema(), "EXPIRED")));
    assertThatThrownBy(() -> v1AndV2.decodeUpdate(expired))
        .hasMessageContaining("cause is one this simjoin does not know (read as UNKNOWN)");
    // A consumer on this version's generated classes still gets the matches, cause UNKNOWN.
    SchemaStore.Cache store = new SchemaStore.Cache();
    store.addSchema(V2.get(RecordType.UPDATE));
    GenericRecord read =
        new BinaryMessageDecoder<GenericRecord>(
                GenericData.get(), RecordType.UPDATE.schema(), store)
            .decode(expired);
    assertThat(read.get("cause").toString()).isEqualTo("UNKNOWN");
    assertThat(read.get("seq")).isEqualTo(Long.MAX_VALUE);
  }

  /** v1 bytes as the v2 writer would have written them: resolved into v2, changed, re-encoded. */
  private static byte[] asV2(
      RecordType t, byte[] v1Value, java.util.function.Consumer<GenericRecord> change)
      throws IOException {
    GenericDatumReader<GenericRecord> resolve = new GenericDatumReader<>(t.schema(), V2.get(t));
    GenericRecord g =
        resolve.read(
            null, DecoderFactory.get().binaryDecoder(v1Value, 10, v1Value.length - 10, null));
    change.accept(g);
    return write(g);
  }

  private static byte[] write(GenericRecord g) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    new BinaryMessageEncoder<GenericRecord>(GenericData.get(), g.getSchema()).encode(g, out);
    return out.toByteArray();
  }

  private static Map<String, String> attrs(Random r) {
    return Map.of("color", AvroSamples.string(r), "size", "XL");
  }

  private static Schema opSchema() {
    return V2.get(RecordType.ITEM).getField("op").schema();
  }

  private static Map<RecordType, Schema> loadV2() {
    Map<RecordType, Schema> v2 = new EnumMap<>(RecordType.class);
    for (RecordType t : RecordType.values()) {
      String path = "/avro-next/" + t.recordName() + "-v2.avsc";
      try (InputStream in = AvroSchemaEvolutionTest.class.getResourceAsStream(path)) {
        v2.put(t, new Schema.Parser().parse(in));
      } catch (IOException e) {
        throw new IllegalStateException(path, e);
      }
    }
    return v2;
  }
}
