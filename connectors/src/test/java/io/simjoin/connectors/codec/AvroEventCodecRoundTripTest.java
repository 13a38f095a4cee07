package io.simjoin.connectors.codec;

import static org.assertj.core.api.Assertions.assertThat;

import io.simjoin.operators.events.DeadLetter;
import io.simjoin.operators.events.ItemEvent;
import io.simjoin.operators.events.QueryEvent;
import io.simjoin.operators.events.ThresholdMatch;
import io.simjoin.operators.events.TopKUpdate;
import io.simjoin.operators.validation.EventValidator;
import io.simjoin.schemas.WriterSchemas;
import io.simjoin.schemas.avro.ItemOp;
import io.simjoin.schemas.avro.QueryOp;
import java.nio.ByteBuffer;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.function.Function;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageDecoder;
import org.junit.jupiter.api.Test;

class AvroEventCodecRoundTripTest {

  private static final long SEED = 0x5EED_A7E0L;
  private static final int RANDOM_ROUNDS = 300;

  private final AvroEventCodec codec = new AvroEventCodec();

  @Test
  void itemsRoundTrip() throws Exception {
    for (ItemEvent e : AvroSamples.items()) {
      assertThat(codec.decodeItem(codec.encodeItem(e), 42L)).isEqualTo(e);
    }
    Random r = new Random(SEED);
    for (int i = 0; i < RANDOM_ROUNDS; i++) {
      ItemEvent e = AvroSamples.item(r);
      ItemEvent back = codec.decodeItem(codec.encodeItem(e), 42L);
      assertThat(back).as("seed %x round %d", SEED, i).isEqualTo(e);
      assertSameBits(back.vector(), e.vector());
    }
  }

  @Test
  void queriesRoundTrip() throws Exception {
    for (QueryEvent q : AvroSamples.queries()) {
      assertThat(codec.decodeQuery(codec.encodeQuery(q), 42L)).isEqualTo(q);
    }
    Random r = new Random(SEED + 1);
    for (int i = 0; i < RANDOM_ROUNDS; i++) {
      QueryEvent q = AvroSamples.query(r);
      QueryEvent back = codec.decodeQuery(codec.encodeQuery(q), 42L);
      assertThat(back).as("seed %x round %d", SEED + 1, i).isEqualTo(q);
      assertSameBits(back.vector(), q.vector());
      if (q.hasThreshold()) {
        assertThat(Float.floatToRawIntBits(back.threshold()))
            .isEqualTo(Float.floatToRawIntBits(q.threshold()));
      }
    }
  }

  @Test
  void updatesAlertsAndDeadLettersRoundTrip() throws Exception {
    for (TopKUpdate u : AvroSamples.updates()) {
      assertThat(codec.decodeUpdate(codec.encodeUpdate(u))).isEqualTo(u);
    }
    for (ThresholdMatch m : AvroSamples.alerts()) {
      assertThat(codec.decodeAlert(codec.encodeAlert(m))).isEqualTo(m);
    }
    for (DeadLetter d : AvroSamples.deadLetters()) {
      DeadLetter back = codec.decodeDeadLetter(codec.encodeDeadLetter(d));
      assertThat(back).isEqualTo(d);
      assertThat(back.origin()).isEqualTo(d.origin());
      assertThat(back.subject()).isEqualTo(d.subject());
    }
    Random r = new Random(SEED + 2);
    for (int i = 0; i < RANDOM_ROUNDS; i++) {
      TopKUpdate u = AvroSamples.update(r);
      assertThat(codec.decodeUpdate(codec.encodeUpdate(u))).as("round %d", i).isEqualTo(u);
      ThresholdMatch m = AvroSamples.alert(r);
      ThresholdMatch mBack = codec.decodeAlert(codec.encodeAlert(m));
      assertThat(mBack).as("round %d", i).isEqualTo(m);
      assertThat(Float.floatToRawIntBits(mBack.score()))
          .isEqualTo(Float.floatToRawIntBits(m.score()));
      DeadLetter d = AvroSamples.deadLetter(r);
      assertThat(codec.decodeDeadLetter(codec.encodeDeadLetter(d))).as("round %d", i).isEqualTo(d);
    }
  }

  @Test
  void deadLetterCarriesItsOriginEventAndRawBytes() throws Exception {
    DeadLetter withOrigin = AvroSamples.deadLetters().get(1);
    io.simjoin.schemas.avro.DeadLetter avro = generic(withOrigin);
    assertThat(avro.getTopic()).isEqualTo("items");
    assertThat(avro.getPartition()).isEqualTo(3);
    assertThat(avro.getOffset()).isEqualTo(1_234_567_890_123L);
    assertThat(avro.getItem().getVector()).hasSize(7);
    assertThat(avro.getRecord()).isNull();

    DeadLetter raw = AvroSamples.deadLetters().get(5);
    io.simjoin.schemas.avro.DeadLetter rawAvro = generic(raw);
    assertThat(rawAvro.getRecord()).isEqualTo(ByteBuffer.wrap(raw.record().orElseThrow()));
    assertThat(rawAvro.getTopic()).isNull();
    assertThat(rawAvro.getReason()).isEqualTo("UNDECODABLE");
    assertThat(codec.decodeDeadLetter(codec.encodeDeadLetter(raw)).record().orElseThrow())
        .containsExactly(0x7b, 0xC3, 0x00, 0xff);
  }

  @Test
  void contentErrorsAreDecodedAndLeftToTheValidator() throws Exception {
    EventValidator validator = EventValidator.builder().build();
    Object[][] items = {
      {item("", "a", ItemOp.UPSERT, List.of(1f)), DeadLetter.Reason.EMPTY_NAMESPACE},
      {item("ns", "", ItemOp.UPSERT, List.of(1f)), DeadLetter.Reason.EMPTY_ID},
      {item("ns", "a", ItemOp.UPSERT, null), DeadLetter.Reason.MISSING_VECTOR},
      {item("ns", "a", ItemOp.UPSERT, List.of()), DeadLetter.Reason.EMPTY_VECTOR},
      {
        item("ns", "a", ItemOp.UPSERT, List.of(1f, Float.NaN)),
        DeadLetter.Reason.NON_FINITE_COMPONENT
      },
    };
    for (Object[] c : items) {
      ItemEvent e = codec.decodeItem((byte[]) c[0], 5L);
      assertThat(validator.checkItem(e)).map(DeadLetter::reason).contains((DeadLetter.Reason) c[1]);
    }
    Object[][] queries = {
      {query(QueryOp.ONCE, List.of(1f), 0, null), DeadLetter.Reason.K_NOT_POSITIVE},
      {query(QueryOp.REGISTER, List.of(1f), -3, null), DeadLetter.Reason.K_NOT_POSITIVE},
      {query(QueryOp.REGISTER, null, 3, null), DeadLetter.Reason.MISSING_VECTOR},
      {query(QueryOp.ONCE, List.of(1f), 3, Float.NaN), DeadLetter.Reason.THRESHOLD_NAN},
      {
        query(QueryOp.ONCE, List.of(Float.POSITIVE_INFINITY), 3, null),
        DeadLetter.Reason.NON_FINITE_COMPONENT
      },
    };
    for (Object[] c : queries) {
      QueryEvent q = codec.decodeQuery((byte[]) c[0], 5L);
      assertThat(validator.checkQuery(q))
          .map(DeadLetter::reason)
          .contains((DeadLetter.Reason) c[1]);
    }
  }

  @Test
  void aMissingTimestampTakesTheRecordsAndCancelDropsWhatItCannotUse() throws Exception {
    ItemEvent e = codec.decodeItem(item("ns", "a", ItemOp.UPSERT, List.of(1f)), 1234L);
    assertThat(e.timestamp()).isEqualTo(1234L);
    assertThat(e.vector()).containsExactly(1f);

    ItemEvent del = codec.decodeItem(item("ns", "a", ItemOp.DELETE, List.of(1f)), 9L);
    assertThat(del).isEqualTo(ItemEvent.delete("ns", "a", 9L));

    QueryEvent cancel = codec.decodeQuery(query(QueryOp.CANCEL, List.of(1f), 5, 0.5f), 7L);
    assertThat(cancel).isEqualTo(QueryEvent.cancel("ns", "q", 7L));

    QueryEvent cancelBare = codec.decodeQuery(query(QueryOp.CANCEL, null, 0, null), 8L);
    assertThat(cancelBare).isEqualTo(QueryEvent.cancel("ns", "q", 8L));
  }

  @Test
  void aNullNamespaceOrIdGoesOutEmptyInsteadOfFailingTheSink() throws Exception {
    ItemEvent bad = ItemEvent.of(null, null, ItemEvent.Op.UPSERT, new float[] {1f}, 3L);
    DeadLetter d = DeadLetter.forItem(DeadLetter.Reason.EMPTY_NAMESPACE, "no namespace", bad);
    DeadLetter back = codec.decodeDeadLetter(codec.encodeDeadLetter(d));
    assertThat(back.item().orElseThrow().namespace()).isEmpty();
    assertThat(back.item().orElseThrow().id()).isEmpty();
    assertThat(back.reason()).isEqualTo(DeadLetter.Reason.EMPTY_NAMESPACE);
    QueryEvent q = QueryEvent.of(null, null, QueryEvent.Op.ONCE, null, 1, null, 3L);
    assertThat(codec.decodeQuery(codec.encodeQuery(q), 0L).namespace()).isEmpty();
  }

  @Test
  void valuesAreStandardSingleObjectEncoding() throws Exception {
    List<Function<AvroEventCodec, byte[]>> encoders =
        List.of(
            c -> c.encodeItem(AvroSamples.items().get(0)),
            c -> c.encodeQuery(AvroSamples.queries().get(2)),
            c -> c.encodeUpdate(AvroSamples.updates().get(1)),
            c -> c.encodeAlert(AvroSamples.alerts().get(0)),
            c -> c.encodeDeadLetter(AvroSamples.deadLetters().get(1)));
    for (int i = 0; i < encoders.size(); i++) {
      AvroEventCodec.RecordType t = AvroEventCodec.RecordType.values()[i];
      byte[] value = encoders.get(i).apply(codec);
      assertThat(value[0]).isEqualTo((byte) 0xC3);
      assertThat(value[1]).isEqualTo((byte) 0x01);
      long fp = ByteBuffer.wrap(value, 2, 8).order(java.nio.ByteOrder.LITTLE_ENDIAN).getLong();
      assertThat(fp).isEqualTo(WriterSchemas.fingerprint(t.schema()));
      // Plain Avro, generic records, no simjoin code: what any consumer does.
      GenericRecord g =
          new BinaryMessageDecoder<GenericRecord>(GenericData.get(), t.schema()).decode(value);
      assertThat(g.getSchema().getName()).isEqualTo(t.recordName());
      assertThat(codec.typeOf(value)).isEqualTo(t);
      AvroEventCodec.Decoded d = codec.decodeAny(value, 0L);
      assertThat(d.type()).isEqualTo(t);
    }
    AvroEventCodec.Decoded u = codec.decodeAny(codec.encodeUpdate(AvroSamples.updates().get(0)), 0);
    assertThat(u.as(TopKUpdate.class)).isEqualTo(AvroSamples.updates().get(0));
    AvroEventCodec.Decoded it = codec.decodeAny(item("ns", "a", ItemOp.DELETE, null), 77L);
    assertThat(it.as(ItemEvent.class)).isEqualTo(ItemEvent.delete("ns", "a", 77L));
  }

  @Test
  void recordsOfTheGeneratedEncoderAreRead() throws Exception {
    // A producer with only the schemas module (no simjoin codec) writes with getEncoder().
    io.simjoin.schemas.avro.ThresholdMatch m =
        new io.simjoin.schemas.avro.ThresholdMatch("ns", "q", "i", 0.5f, true, 8L);
    byte[] value = toArray(io.simjoin.schemas.avro.ThresholdMatch.getEncoder().encode(m));
    assertThat(codec.decodeAlert(value))
        .isEqualTo(ThresholdMatch.retraction("ns", "q", "i", 0.5f, 8L));
  }

  static byte[] item(String ns, String id, ItemOp op, List<Float> vector) throws Exception {
    return toArray(
        io.simjoin.schemas.avro.ItemEvent.getEncoder()
            .encode(new io.simjoin.schemas.avro.ItemEvent(ns, id, op, vector, null)));
  }

  static byte[] query(QueryOp op, List<Float> vector, int k, Float threshold) throws Exception {
    return toArray(
        io.simjoin.schemas.avro.QueryEvent.getEncoder()
            .encode(
                new io.simjoin.schemas.avro.QueryEvent("ns", "q", op, vector, k, threshold, null)));
  }

  static byte[] toArray(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.get(out);
    return out;
  }

  private io.simjoin.schemas.avro.DeadLetter generic(DeadLetter d) throws Exception {
    // Read with the generic model and a specific copy, so this checks the wire, not the codec.
    GenericRecord g =
        new BinaryMessageDecoder<GenericRecord>(
                GenericData.get(), io.simjoin.schemas.avro.DeadLetter.getClassSchema())
            .decode(codec.encodeDeadLetter(d));
    return (io.simjoin.schemas.avro.DeadLetter)
        new TrustedSpecificData(WriterSchemas.current())
            .deepCopy(io.simjoin.schemas.avro.DeadLetter.getClassSchema(), g);
  }

  private static void assertSameBits(float[] a, float[] b) {
    if (a == null || b == null) {
      assertThat(a).isEqualTo(b);
      return;
    }
    int[] ab = new int[a.length];
    int[] bb = new int[b.length];
    Arrays.setAll(ab, i -> Float.floatToRawIntBits(a[i]));
    Arrays.setAll(bb, i -> Float.floatToRawIntBits(b[i]));
    assertThat(ab).containsExactly(bb);
  }
}
