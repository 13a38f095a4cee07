package io.simjoin.operators.events;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.HexFormat;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/**
 * Pins the binary formats: a failure here means the format changed, so the serializer's
 * FORMAT_VERSION must be bumped and a reader for the old format kept (see
 * VersionedSerializerSnapshot).
 */
class EventWireFormatTest {

  // Format 1 of the events written in the tests below (item, query and dead-letter formats are at 2
  // since origins were added: format 2 is format 1 followed by the origin).
  private static final String ITEM_HEX = "026e0269000000000000000002000000013f800000";
  private static final String DELETE_HEX = "0001010000000000000000ffffffff";
  private static final String QUERY_HEX =
      "026e027101000000000000000200000003013f000000000000013f800000";
  private static final String UPDATE_HEX =
      "026e0271000000000000000400000000000000020302620000000102613f800000";
  private static final String MATCH_HEX = "026e027102613f800000010000000000000002";
  private static final String DEAD_LETTER_HEX = "00026d0000000000000002020000000107";

  // No origin: one false byte. Origin topic "t", partition 3, offset 17.
  private static final String NO_ORIGIN = "00";
  private static final String ORIGIN_T_3_17 = "01" + "0274" + "00000003" + "0000000000000011";
  private static final Origin T_3_17 = new Origin("t", 3, 17L);

  private static <T> byte[] bytes(TypeSerializer<T> serializer, T value) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(value, out);
    return out.getCopyOfBuffer();
  }

  private static <T> T roundTrip(TypeSerializer<T> serializer, T value) throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(bytes(serializer, value));
    T back = serializer.deserialize(in);
    assertThat(in.available()).isZero();
    return back;
  }

  private static String hex(byte[] b) {
    return HexFormat.of().formatHex(b);
  }

  private static <T> T read(TypeSerializer<T> serializer, String hex) throws IOException {
    DataInputDeserializer in = new DataInputDeserializer(HexFormat.of().parseHex(hex));
    T back = serializer.deserialize(in);
    assertThat(in.available()).isZero();
    return back;
  }

  @Test
  void formatVersions() {
    assertThat(
            List.of(
                ItemEventSerializer.FORMAT_VERSION,
                QueryEventSerializer.FORMAT_VERSION,
                DeadLetterSerializer.FORMAT_VERSION))
        .containsOnly(2);
    assertThat(
            List.of(TopKUpdateSerializer.FORMAT_VERSION, ThresholdMatchSerializer.FORMAT_VERSION))
        .containsOnly(1);
  }

  @Test
  void itemEventFormat2() throws IOException {
    ItemEvent e = ItemEvent.upsert("n", "i", new float[] {1f}, 2L);
    assertThat(hex(bytes(ItemEventSerializer.INSTANCE, e))).isEqualTo(ITEM_HEX + NO_ORIGIN);
    ItemEvent d = ItemEvent.of(null, "", ItemEvent.Op.DELETE, null, 0L);
    assertThat(hex(bytes(ItemEventSerializer.INSTANCE, d))).isEqualTo(DELETE_HEX + NO_ORIGIN);
    ItemEvent located = e.withOrigin(T_3_17);
    assertThat(hex(bytes(ItemEventSerializer.INSTANCE, located)))
        .isEqualTo(ITEM_HEX + ORIGIN_T_3_17);
    assertThat(roundTrip(ItemEventSerializer.INSTANCE, located).origin()).contains(T_3_17);
  }

  @Test
  void itemEventFormat1IsStillRead() throws IOException {
    // a snapshot that says format 1, as one written before origins were added
    DataOutputSerializer formatOne = new DataOutputSerializer(4);
    formatOne.writeInt(1);
    ItemEventSerializer.Snapshot snapshot = new ItemEventSerializer.Snapshot();
    snapshot.readSnapshot(
        snapshot.getCurrentVersion(),
        new DataInputDeserializer(formatOne.getCopyOfBuffer()),
        getClass().getClassLoader());
    TypeSerializer<ItemEvent> v1 = snapshot.restoreSerializer();
    assertThat(v1).isInstanceOf(ItemEventSerializer.OldFormatReader.class);
    ItemEvent e = read(v1, ITEM_HEX);
    assertThat(e).isEqualTo(ItemEvent.upsert("n", "i", new float[] {1f}, 2L));
    assertThat(e.origin()).isEmpty();
    assertThat(hex(bytes(v1, e))).isEqualTo(ITEM_HEX + NO_ORIGIN);
  }

  @Test
  void queryEventFormat2() throws IOException {
    QueryEvent q = QueryEvent.register("n", "q", new float[] {1f}, 3, 2L).withThreshold(0.5f);
    assertThat(hex(bytes(QueryEventSerializer.INSTANCE, q))).isEqualTo(QUERY_HEX + NO_ORIGIN);
    QueryEvent located = q.withOrigin(T_3_17);
    assertThat(hex(bytes(QueryEventSerializer.INSTANCE, located)))
        .isEqualTo(QUERY_HEX + ORIGIN_T_3_17);
    assertThat(read(new QueryEventSerializer.OldFormatReader(1), QUERY_HEX)).isEqualTo(q);
  }

  @Test
  void topKUpdateFormat1() throws IOException {
    TopKUpdate u =
        TopKUpdate.of(
            "n", "q", 4L, List.of(new ScoredItem("a", 1f)), UpdateCause.itemDeleted("b"), 2L);
    assertThat(hex(bytes(TopKUpdateSerializer.INSTANCE, u))).isEqualTo(UPDATE_HEX);
  }

  @Test
  void thresholdMatchFormat1() throws IOException {
    ThresholdMatch m = ThresholdMatch.retraction("n", "q", "a", 1f, 2L);
    assertThat(hex(bytes(ThresholdMatchSerializer.INSTANCE, m))).isEqualTo(MATCH_HEX);
  }

  @Test
  void deadLetterFormat2() throws IOException {
    DeadLetter d = DeadLetter.undecodable(new byte[] {7}, "m", 2L);
    assertThat(hex(bytes(DeadLetterSerializer.INSTANCE, d))).isEqualTo(DEAD_LETTER_HEX + NO_ORIGIN);
    DeadLetter located = DeadLetter.undecodable(new byte[] {7}, "m", 2L, T_3_17);
    assertThat(hex(bytes(DeadLetterSerializer.INSTANCE, located)))
        .isEqualTo(DEAD_LETTER_HEX + ORIGIN_T_3_17);
    assertThat(roundTrip(DeadLetterSerializer.INSTANCE, located).origin()).contains(T_3_17);
    assertThat(read(new DeadLetterSerializer.OldFormatReader(1), DEAD_LETTER_HEX)).isEqualTo(d);
  }

  @Test
  void aDeadLetterCarriesTheOriginOfItsEvent() throws IOException {
    ItemEvent item = ItemEvent.upsert("n", "i", new float[] {Float.NaN}, 2L).withOrigin(T_3_17);
    DeadLetter d = DeadLetter.forItem(DeadLetter.Reason.NON_FINITE_COMPONENT, "nan", item);
    assertThat(d.origin()).contains(T_3_17);
    assertThat(roundTrip(DeadLetterSerializer.INSTANCE, d).origin()).contains(T_3_17);
    QueryEvent q = QueryEvent.once("n", "q", new float[] {1f}, 0, 2L).withOrigin(T_3_17);
    DeadLetter dq = DeadLetter.forQuery(DeadLetter.Reason.K_NOT_POSITIVE, "k", q);
    assertThat(roundTrip(DeadLetterSerializer.INSTANCE, dq).origin()).contains(T_3_17);
    assertThat(DeadLetter.undecodable(null, "m", 1L).origin()).isEmpty();
  }

  @Test
  void enumCodesAreStable() {
    assertThat(ItemEventSerializer.opCode(ItemEvent.Op.UPSERT)).isEqualTo((byte) 0);
    assertThat(ItemEventSerializer.opCode(ItemEvent.Op.DELETE)).isEqualTo((byte) 1);
    assertThat(QueryEventSerializer.opCode(QueryEvent.Op.ONCE)).isEqualTo((byte) 0);
    assertThat(QueryEventSerializer.opCode(QueryEvent.Op.REGISTER)).isEqualTo((byte) 1);
    assertThat(QueryEventSerializer.opCode(QueryEvent.Op.CANCEL)).isEqualTo((byte) 2);
    assertThat(TopKUpdateSerializer.kindCode(UpdateCause.Kind.ONCE)).isEqualTo((byte) 0);
    assertThat(TopKUpdateSerializer.kindCode(UpdateCause.Kind.REGISTERED)).isEqualTo((byte) 1);
    assertThat(TopKUpdateSerializer.kindCode(UpdateCause.Kind.ITEM_UPSERTED)).isEqualTo((byte) 2);
    assertThat(TopKUpdateSerializer.kindCode(UpdateCause.Kind.ITEM_DELETED)).isEqualTo((byte) 3);
    assertThat(TopKUpdateSerializer.kindCode(UpdateCause.Kind.CANCELLED)).isEqualTo((byte) 4);
    DeadLetter.Reason[] reasons = DeadLetter.Reason.values();
    String[] expected = {
      "UNDECODABLE",
      "EMPTY_NAMESPACE",
      "EMPTY_ID",
      "MISSING_VECTOR",
      "EMPTY_VECTOR",
      "DIMENSION_TOO_LARGE",
      "NON_FINITE_COMPONENT",
      "DIMENSION_MISMATCH",
      "K_NOT_POSITIVE",
      "K_TOO_LARGE",
      "THRESHOLD_NAN",
      "UNKNOWN_ITEM",
      "UNKNOWN_QUERY",
      "TOO_MANY_STANDING_QUERIES",
      "INVALID_NAMESPACE"
    };
    assertThat(reasons).hasSize(expected.length);
    for (int code = 0; code < expected.length; code++) {
      assertThat(DeadLetterSerializer.reasonCode(DeadLetter.Reason.valueOf(expected[code])))
          .as(expected[code])
          .isEqualTo((byte) code);
    }
  }

  @Test
  void unknownCodesAreCorruptionNotGarbage() {
    assertThatThrownBy(() -> ItemEventSerializer.op((byte) 9))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("unknown ItemEvent.Op code 9");
    assertThatThrownBy(() -> QueryEventSerializer.op((byte) 3)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> TopKUpdateSerializer.kind((byte) -1)).isInstanceOf(IOException.class);
    assertThatThrownBy(() -> DeadLetterSerializer.reason((byte) 99))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("DeadLetter.Reason");
    assertThatThrownBy(() -> DeadLetterSerializer.subject((byte) 3))
        .isInstanceOf(IOException.class);
  }

  @Test
  void aNegativeVectorLengthIsCorruption() throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(16);
    out.writeInt(-2);
    assertThatThrownBy(() -> Wire.readVector(new DataInputDeserializer(out.getCopyOfBuffer())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("vector length -2");
  }

  @Test
  void roundTripsKeepNullsHugeStringsAndFloatBits() throws IOException {
    ItemEvent odd =
        ItemEvent.of(
            null,
            Samples.HUGE,
            ItemEvent.Op.UPSERT,
            new float[] {Float.intBitsToFloat(0x7fc00001), -0.0f},
            1L);
    ItemEvent back = roundTrip(ItemEventSerializer.INSTANCE, odd);
    assertThat(back).isEqualTo(odd);
    assertThat(back.namespace()).isNull();
    assertThat(back.id()).hasSize(Samples.HUGE.length());
    assertThat(Float.floatToRawIntBits(back.component(0))).isEqualTo(0x7fc00001);
    assertThat(Float.floatToRawIntBits(back.component(1))).isEqualTo(0x80000000);

    QueryEvent noThreshold = QueryEvent.once("ns", "q", new float[] {1f}, 5, 1L);
    assertThat(roundTrip(QueryEventSerializer.INSTANCE, noThreshold).hasThreshold()).isFalse();
    QueryEvent nan = noThreshold.withThreshold(Float.NaN);
    assertThat(roundTrip(QueryEventSerializer.INSTANCE, nan).threshold()).isNaN();

    for (DeadLetter d : Samples.deadLetters()) {
      assertThat(roundTrip(DeadLetterSerializer.INSTANCE, d)).isEqualTo(d);
    }
    for (TopKUpdate u : Samples.updates()) {
      TopKUpdate b = roundTrip(TopKUpdateSerializer.INSTANCE, u);
      assertThat(b).isEqualTo(u);
      assertThatThrownBy(() -> b.matches().clear())
          .isInstanceOf(UnsupportedOperationException.class);
    }
  }
}
