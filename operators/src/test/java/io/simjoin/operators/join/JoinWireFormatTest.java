package io.simjoin.operators.join;

import static io.simjoin.operators.join.JoinSamples.matches;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.List;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.types.StringValue;
import org.junit.jupiter.api.Test;

/**
 * Pins the binary formats against their documented layout, written field by field here: a failure
 * means the format changed, so FORMAT_VERSION must be bumped and a reader for the old format kept.
 */
class JoinWireFormatTest {

  private static <T> byte[] bytes(TypeSerializer<T> serializer, T value) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(64);
    serializer.serialize(value, out);
    return out.getCopyOfBuffer();
  }

  /** Writes the expected layout. */
  private static final class Layout {
    final DataOutputSerializer out = new DataOutputSerializer(64);

    Layout str(String s) throws IOException {
      StringValue.writeString(s, out);
      return this;
    }

    Layout i(int v) throws IOException {
      out.writeInt(v);
      return this;
    }

    Layout l(long v) throws IOException {
      out.writeLong(v);
      return this;
    }

    Layout f(float v) throws IOException {
      out.writeFloat(v);
      return this;
    }

    Layout b(int v) throws IOException {
      out.writeByte(v);
      return this;
    }

    Layout bool(boolean v) throws IOException {
      out.writeBoolean(v);
      return this;
    }

    byte[] get() {
      return out.getCopyOfBuffer();
    }
  }

  @Test
  void formatVersionsAreTheOnesTestedHere() {
    assertThat(
            List.of(
                PartialTopKSerializer.FORMAT_VERSION,
                MergeStandingSerializer.FORMAT_VERSION,
                MergeOnceSerializer.FORMAT_VERSION))
        .containsOnly(1);
    assertThat(StandingQuerySerializer.FORMAT_VERSION).isEqualTo(2);
  }

  @Test
  void partialTopKFormat1() throws IOException {
    PartialTopK p =
        PartialTopK.partial(
            "n", "q", 2, 3L, 4, matches("a", 1f), JoinOutput.Cause.ITEM_DELETED, "b", 5L);
    assertThat(bytes(PartialTopKSerializer.INSTANCE, p))
        .isEqualTo(
            new Layout()
                .str("n")
                .str("q")
                .i(2)
                .l(3L)
                .l(5L)
                .b(3)
                .str("b")
                .i(4)
                .i(1)
                .str("a")
                .f(1f)
                .get());
    PartialTopK c = PartialTopK.cancelMark("n", "q", 1, 3L, 6L);
    assertThat(bytes(PartialTopKSerializer.INSTANCE, c))
        .isEqualTo(new Layout().str("n").str("q").i(1).l(3L).l(6L).b(4).str(null).i(0).i(0).get());
  }

  @Test
  void causeCodesAreFixed() throws IOException {
    for (JoinOutput.Cause c : JoinOutput.Cause.values()) {
      assertThat(PartialTopKSerializer.cause(PartialTopKSerializer.causeCode(c))).isEqualTo(c);
    }
    assertThat(PartialTopKSerializer.causeCode(JoinOutput.Cause.ONCE)).isEqualTo((byte) 0);
    assertThat(PartialTopKSerializer.causeCode(JoinOutput.Cause.REGISTERED)).isEqualTo((byte) 1);
    assertThat(PartialTopKSerializer.causeCode(JoinOutput.Cause.ITEM_UPSERTED)).isEqualTo((byte) 2);
    assertThat(PartialTopKSerializer.causeCode(JoinOutput.Cause.ITEM_DELETED)).isEqualTo((byte) 3);
  }

  @Test
  void standingQueryFormat2() throws IOException {
    StandingQuery q =
        StandingQuery.of(7L, new float[] {3f, -4f}, 2, 0.5f, matches("a", 1f, "b", 0.25f));
    assertThat(bytes(StandingQuerySerializer.INSTANCE, q))
        .isEqualTo(
            new Layout()
                .l(7L)
                .i(2)
                .f(3f)
                .f(-4f)
                .i(2)
                .f(0.5f)
                .i(2)
                .str("a")
                .f(1f)
                .str("b")
                .f(0.25f)
                .get());
  }

  @Test
  void mergeStandingFormat1() throws IOException {
    MergeStore.Standing st = new MergeStore.Standing(9L, 2, 2);
    st.cancelMarks = 1;
    st.partials[1] = matches("a", 1f);
    st.lastEmitted = List.of();
    assertThat(bytes(MergeStandingSerializer.INSTANCE, st))
        .isEqualTo(
            new Layout().l(9L).i(2).bool(false).i(1).i(2).i(-1).i(1).str("a").f(1f).i(0).get());
  }

  @Test
  void mergeOnceFormat1() throws IOException {
    MergeStore.Once once = new MergeStore.Once(3, 2);
    once.partials[0] = matches("a", 1f);
    once.received = 1;
    assertThat(bytes(MergeOnceSerializer.INSTANCE, once))
        .isEqualTo(new Layout().i(3).i(1).i(2).i(1).str("a").f(1f).i(-1).get());
  }

  @Test
  void corruptCountsAreRefused() {
    assertThatThrownBy(
            () ->
                MergeOnceSerializer.INSTANCE.deserialize(
                    new DataInputDeserializer(new Layout().i(3).i(1).i(1).i(-2).get())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("-2 matches");
    assertThatThrownBy(
            () ->
                StandingQuerySerializer.INSTANCE.deserialize(
                    new DataInputDeserializer(new Layout().l(1L).i(0).i(1).f(0f).i(2).get())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("2 matches for k = 1");
    assertThatThrownBy(
            () ->
                StandingQuerySerializer.INSTANCE.deserialize(
                    new DataInputDeserializer(new Layout().l(1L).i(-3).get())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("dimension -3");
    assertThatThrownBy(
            () ->
                PartialTopKSerializer.INSTANCE.deserialize(
                    new DataInputDeserializer(
                        new Layout().str("n").str("q").i(0).l(0L).l(0L).b(9).get())))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("kind 9");
  }
}
